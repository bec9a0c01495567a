// Goal: Registry.collect() gives exactly the series map that parsing Registry.render() gives, so
// the virtual-time simulation's sampled timeseries equals what the live scraper would store.
// Method: registries with every metric type, labels needing escapes, and the real engine and router
// metric sets after some traffic; compare collect() with parsePrometheusMetrics(render()).
import assert from "node:assert/strict";
import { Registry } from "../../lib/prom/registry.ts";
import { parsePrometheusMetrics } from "../../lib/prom/parse.ts";
import { VirtualClock } from "../../lib/core/clock.ts";
import { createRng } from "../../lib/core/rng.ts";
import { tokenize } from "../../lib/core/tokens.ts";
import { EngineCore, resolveEngineConfig } from "../../lib/engine/mod.ts";
import { RouterMetrics } from "../../lib/router/metrics.ts";

Deno.test("Registry.collect() equals parsing Registry.render() for every metric type", () => {
  const registry = new Registry();
  const counter = registry.counter({ name: "rb:requests", help: "Requests", labelNames: ["path", "code"] });
  counter.labels({ path: 'a "quoted"\npath\\x', code: "200" }).inc(3);
  counter.labels({ path: "/b", code: "500" }).inc();
  registry.gauge({ name: "rb_in_flight", help: "In flight" }).labels({}).set(-2.5);
  const histogram = registry.histogram({
    name: "rb_latency_seconds",
    help: "Latency",
    buckets: [0.001, 0.1, 1],
    labelNames: ["backend"],
  });
  for (const value of [0.0005, 0.05, 0.5, 5]) histogram.labels({ backend: "http://x:1" }).observe(value);
  registry.histogram({ name: "rb_empty_seconds", help: "Empty", buckets: [1] }).labels({});
  assert.deepEqual(registry.collect(), parsePrometheusMetrics(registry.render()));
});

Deno.test("EngineCore.collectMetrics() equals parsing renderMetrics() after traffic", () => {
  const clock = new VirtualClock();
  const engine = new EngineCore(resolveEngineConfig({ model: "m", speedupRatio: 1 }), {
    clock,
    rng: createRng(1),
  });
  const sink = { onToken() {}, onFinish() {} };
  engine.submit({
    id: "a",
    promptTokenIds: tokenize("hello world ".repeat(40)),
    maxTokens: 5,
    ignoreEos: true,
  }, sink);
  engine.submit({
    id: "b",
    promptTokenIds: tokenize("hello world ".repeat(40)),
    maxTokens: 3,
    ignoreEos: true,
  }, sink);
  while (clock.runNext());
  assert.deepEqual(engine.collectMetrics(), parsePrometheusMetrics(engine.renderMetrics()));
  const router = new RouterMetrics();
  router.backendInFlight.labels({ backend: "http://127.0.0.1:1" }).set(2);
  router.decisionSeconds.observe(0.00002);
  assert.deepEqual(router.registry.collect(), parsePrometheusMetrics(router.render()));
});
