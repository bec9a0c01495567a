// Goal: deltas between two scrapes are what a run's window saw: counter increases (with restarts),
// histogram windows and their means, filtered by labels; gauges are left out.
// Method: scrape a Registry (render + parse) before and after known observations.
import assert from "node:assert/strict";
import {
  counterDelta,
  counterWindow,
  foldHistograms,
  histogramDelta,
  histogramMean,
  histogramWindow,
  metricsDelta,
  parsePrometheusMetrics,
  Registry,
} from "../../lib/prom/mod.ts";

function fleet() {
  const registry = new Registry();
  const tokens = registry.counter({ name: "vllm:prompt_tokens", help: "t", labelNames: ["engine"] });
  const running = registry.gauge({ name: "vllm:num_requests_running", help: "r" });
  const ttft = registry.histogram({
    name: "vllm:time_to_first_token_seconds",
    help: "h",
    labelNames: ["engine"],
    buckets: [0.1, 1],
  });
  return { registry, tokens, running, ttft };
}

Deno.test("metricsDelta() returns increases of cumulative series only", () => {
  const { registry, tokens, running, ttft } = fleet();
  tokens.labels({ engine: "0" }).inc(100);
  running.labels({}).set(5);
  ttft.labels({ engine: "0" }).observe(0.05);
  const before = parsePrometheusMetrics(registry.render());
  tokens.labels({ engine: "0" }).inc(20);
  tokens.labels({ engine: "1" }).inc(7);
  running.labels({}).set(9);
  ttft.labels({ engine: "0" }).observe(0.5);
  const delta = metricsDelta(before, parsePrometheusMetrics(registry.render()));
  assert.equal(delta['vllm:prompt_tokens_total{engine="0"}'], 20);
  assert.equal(delta['vllm:prompt_tokens_total{engine="1"}'], 7, "a new series started at 0");
  assert.equal(delta['vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1"}'], 0);
  assert.equal(delta['vllm:time_to_first_token_seconds_bucket{engine="0",le="1"}'], 1);
  assert.equal(delta['vllm:time_to_first_token_seconds_count{engine="0"}'], 1);
  assert.ok(!("vllm:num_requests_running" in delta), "gauges are not deltas");
  assert.ok(!Object.keys(delta).some((key) => key.includes("_created")));
});

Deno.test("counterDelta() treats a drop as a restart", () => {
  assert.equal(counterDelta(10, 15), 5);
  assert.equal(counterDelta(10, 3), 3);
  assert.equal(counterDelta(undefined, 4), 4);
  assert.equal(counterDelta(NaN, 4), 4);
});

Deno.test("histogramWindow() gives the window's mean TTFT per engine and across engines", () => {
  const { registry, ttft } = fleet();
  ttft.labels({ engine: "0" }).observe(10); // before the window: must not count
  const before = parsePrometheusMetrics(registry.render());
  ttft.labels({ engine: "0" }).observe(0.2);
  ttft.labels({ engine: "0" }).observe(0.4);
  ttft.labels({ engine: "1" }).observe(0.9);
  const after = parsePrometheusMetrics(registry.render());
  const family = "vllm:time_to_first_token_seconds";
  const zero = histogramWindow(before, after, family, { engine: "0" });
  assert.equal(zero?.count, 2);
  assert.ok(Math.abs(histogramMean(zero!) - 0.3) < 1e-12);
  const all = histogramWindow(before, after, family);
  assert.equal(all?.count, 3);
  assert.deepEqual(all?.buckets, [{ le: 0.1, count: 0 }, { le: 1, count: 3 }, { le: Infinity, count: 3 }]);
  assert.ok(Math.abs(histogramMean(all!) - 0.5) < 1e-12);
  assert.equal(histogramWindow(before, after, "vllm:nothing"), undefined);
});

Deno.test("histogramDelta() treats a smaller count as a restart and keeps the new histogram", () => {
  const { registry, ttft } = fleet();
  ttft.labels({ engine: "0" }).observe(0.5);
  ttft.labels({ engine: "0" }).observe(0.5);
  const [before] = foldHistograms(parsePrometheusMetrics(registry.render()));
  const restarted = fleet();
  restarted.ttft.labels({ engine: "0" }).observe(0.05);
  const [after] = foldHistograms(parsePrometheusMetrics(restarted.registry.render()));
  const delta = histogramDelta(before, after!);
  assert.equal(delta.count, 1);
  assert.equal(delta.sum, 0.05);
});

Deno.test("counterWindow() sums a counter's increases over the label sets that match", () => {
  const { registry, tokens } = fleet();
  tokens.labels({ engine: "0" }).inc(1);
  const before = parsePrometheusMetrics(registry.render());
  tokens.labels({ engine: "0" }).inc(10);
  tokens.labels({ engine: "1" }).inc(5);
  const after = parsePrometheusMetrics(registry.render());
  assert.equal(counterWindow(before, after, "vllm:prompt_tokens_total"), 15);
  assert.equal(counterWindow(before, after, "vllm:prompt_tokens_total", { engine: "1" }), 5);
  assert.equal(counterWindow(before, after, "vllm:prompt_tokens"), 0, "the exposed name has _total");
});
