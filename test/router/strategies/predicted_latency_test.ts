// Goal: predicted_latency picks the worker with the lowest predicted TTFT and learns per-worker
// coefficients online from observed TTFT and the engine's cached_tokens. Method: conformance suite
// plus a synthetic fleet on a virtual clock where the ground-truth TTFT of each worker is known.
import assert from "node:assert/strict";
import { VirtualClock } from "../../../lib/core/clock.ts";
import { createRng } from "../../../lib/core/rng.ts";
import { createRouteRequest, type WorkerView } from "../../../lib/router/strategy.ts";
import {
  createPredictedLatency,
  PREDICTED_LATENCY_DEFAULTS,
} from "../../../lib/router/strategies/predicted_latency.ts";
import { runStrategyConformance } from "../strategy_conformance.ts";

runStrategyConformance({
  name: "predicted_latency",
  create: (deps) => createPredictedLatency(PREDICTED_LATENCY_DEFAULTS, deps),
});

const worker = (id: string, inFlight = 0): WorkerView => ({ id, inFlight, routedTotal: 0 });

function words(count: number, seed: string): string {
  return Array.from({ length: count }, (_, i) => `${seed}${i}`).join(" ");
}

Deno.test("createPredictedLatency() learns that one worker is slower and avoids it", () => {
  const strategy = createPredictedLatency(PREDICTED_LATENCY_DEFAULTS, {
    clock: new VirtualClock(),
    rng: createRng(1),
  });
  const truthMs = (id: string, tokens: number) => (id === "slow" ? 200 : 20) + 0.05 * tokens;
  for (let i = 0; i < 60; i++) {
    const id = i % 2 === 0 ? "slow" : "fast";
    const request = createRouteRequest(`r${i}`, words(50 + (i % 7) * 30, `q${i}x`));
    const tokens = request.tokens().length;
    strategy.onRouted!(request, id);
    strategy.onFirstToken!(request, id, truthMs(id, tokens));
    strategy.onFinished!(request, id, { ok: true, promptTokens: tokens, cachedTokens: 0 });
  }
  const selection = strategy.select(createRouteRequest("new", words(100, "new")), [
    worker("slow"),
    worker("fast"),
  ]);
  assert.equal(selection.worker, "fast");
  const scores = new Map(selection.candidates!.map((c) => [c.backend, c.score!]));
  assert.ok(scores.get("slow")! > scores.get("fast")! + 100, `${[...scores]}`);
});

Deno.test("createPredictedLatency() prefers the worker predicted to hold the prompt when prefill is costly", () => {
  const strategy = createPredictedLatency(PREDICTED_LATENCY_DEFAULTS, {
    clock: new VirtualClock(),
    rng: createRng(1),
  });
  // Teach both workers a steep per-uncached-token cost.
  for (let i = 0; i < 60; i++) {
    const id = i % 2 === 0 ? "a" : "b";
    const request = createRouteRequest(`t${i}`, words(40 + (i % 9) * 40, `t${i}y`));
    const tokens = request.tokens().length;
    strategy.onRouted!(request, id);
    strategy.onFirstToken!(request, id, 10 + 0.5 * tokens);
    strategy.onFinished!(request, id, { ok: true, promptTokens: tokens, cachedTokens: 0 });
  }
  const shared = words(300, "shared");
  const warm = createRouteRequest("warm", shared);
  strategy.onRouted!(warm, "b");
  strategy.onFirstToken!(warm, "b", 10);
  strategy.onFinished!(warm, "b", { ok: true });
  const selection = strategy.select(createRouteRequest("next", shared + " and a follow-up"), [
    worker("a"),
    worker("b"),
  ]);
  assert.equal(selection.worker, "b");
  assert.ok(selection.matchRate! > 0.8);
});

Deno.test("createPredictedLatency() spreads load when queued prefill makes the cache holder slower", () => {
  const strategy = createPredictedLatency(
    { ...PREDICTED_LATENCY_DEFAULTS, minSamples: 0 },
    { clock: new VirtualClock(), rng: createRng(1) },
  );
  const shared = words(300, "shared");
  const warm = createRouteRequest("warm", shared);
  strategy.onRouted!(warm, "a");
  strategy.onFirstToken!(warm, "a", 10);
  strategy.onFinished!(warm, "a", { ok: true });
  // Pile uncached prefill work (no first token yet) onto a.
  for (let i = 0; i < 20; i++) strategy.onRouted!(createRouteRequest(`q${i}`, words(500, `q${i}z`)), "a");
  const selection = strategy.select(createRouteRequest("next", shared + " more"), [
    worker("a", 20),
    worker("b"),
  ]);
  assert.equal(selection.worker, "b");
});
