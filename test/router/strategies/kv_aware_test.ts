// Goal: kv_aware reproduces Dynamo's KV router: the documented cost example (18 / 10 / 11 → worker
// 2), ties to the smallest tree, overlap from KV events, approximate mode with TTL, active-load
// bookkeeping back to zero, softmax sampling at temperature > 0. Method: conformance suite plus
// the pure cost/pick functions and constructed states.
import assert from "node:assert/strict";
import { blockHashes } from "../../../lib/core/block_hash.ts";
import { VirtualClock } from "../../../lib/core/clock.ts";
import { createRng } from "../../../lib/core/rng.ts";
import { tokenize } from "../../../lib/core/tokens.ts";
import { createRouteRequest, type WorkerView } from "../../../lib/router/strategy.ts";
import {
  createKvAware,
  KV_AWARE_DEFAULTS,
  kvCost,
  pickByCost,
} from "../../../lib/router/strategies/kv_aware.ts";
import { runStrategyConformance } from "../strategy_conformance.ts";

runStrategyConformance({ name: "kv_aware", create: (deps) => createKvAware(KV_AWARE_DEFAULTS, deps) });
runStrategyConformance({
  name: "kv_aware(no events)",
  create: (deps) => createKvAware({ ...KV_AWARE_DEFAULTS, useKvEvents: false }, deps),
});
runStrategyConformance({
  name: "kv_aware(no events, temperature 0.5)",
  create: (deps) => createKvAware({ ...KV_AWARE_DEFAULTS, useKvEvents: false, temperature: 0.5 }, deps),
});

const worker = (id: string, inFlight = 0): WorkerView => ({ id, inFlight, routedTotal: 0 });
const TEXT = "user: tell me everything about caches and routing in large language model serving systems. "
  .repeat(4);

Deno.test("kvCost() and pickByCost() reproduce Dynamo's worked example (18 / 10 / 11 → worker 2)", () => {
  // block size 1 so tokens and blocks coincide; weight 1.
  const base = { blockSize: 1, overlapScoreWeight: 1 };
  const w1 = kvCost({
    ...base,
    isl: 10,
    overlapBlocks: 2,
    activePrefillTokens: 0,
    activeBlocks: 0,
    blocksAlreadyActive: 0,
  });
  const w2 = kvCost({
    ...base,
    isl: 10,
    overlapBlocks: 5,
    activePrefillTokens: 0,
    activeBlocks: 0,
    blocksAlreadyActive: 5,
  });
  const w3 = kvCost({
    ...base,
    isl: 10,
    overlapBlocks: 8,
    activePrefillTokens: 0,
    activeBlocks: 4,
    blocksAlreadyActive: 5,
  });
  assert.deepEqual([w1.prefillBlocks, w1.decodeBlocks, w1.logit], [8, 10, 18]);
  assert.deepEqual([w2.prefillBlocks, w2.decodeBlocks, w2.logit], [5, 5, 10]);
  assert.deepEqual([w3.prefillBlocks, w3.decodeBlocks, w3.logit], [2, 9, 11]);
  assert.equal(pickByCost([w1.logit, w2.logit, w3.logit], [0, 0, 0], 0, createRng(1)), 1);
});

Deno.test("pickByCost() breaks ties by the smallest tree and samples a softmax above temperature 0", () => {
  assert.equal(pickByCost([5, 5, 7], [30, 10, 0], 0, createRng(1)), 1);
  const rng = createRng(2);
  const counts = [0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[pickByCost([0, 5, 10], [0, 0, 0], 0.5, rng)]!++;
  // weights e^0, e^-1, e^-2 → about 66%, 24%, 9%
  assert.ok(counts[0]! > 2400 && counts[0]! < 2900, `${counts}`);
  assert.ok(counts[2]! > 200 && counts[2]! < 500, `${counts}`);
  const uniform = [0, 0];
  for (let i = 0; i < 2000; i++) uniform[pickByCost([3, 3], [1, 9], 1, rng)]!++;
  assert.ok(uniform[0]! > 850 && uniform[0]! < 1150, "equal costs sample uniformly");
});

Deno.test("createKvAware() select() routes to the worker whose KV events hold the prompt's blocks", () => {
  const strategy = createKvAware(KV_AWARE_DEFAULTS, { clock: new VirtualClock(), rng: createRng(1) });
  const hashes = blockHashes(tokenize(TEXT), 16);
  assert.ok(hashes.length >= 4);
  strategy.onKvEvent!("b", { type: "stored", block_hashes: hashes, parent_hash: null });
  strategy.onKvEvent!("c", { type: "stored", block_hashes: hashes.slice(0, 1), parent_hash: null });
  const request = createRouteRequest("r", TEXT);
  const selection = strategy.select(request, [worker("a"), worker("b"), worker("c")]);
  assert.equal(selection.worker, "b");
  assert.equal(selection.branch, "kv_overlap");
  assert.equal(selection.candidates!.find((c) => c.backend === "b")!.match_blocks, hashes.length);
  assert.equal(selection.candidates!.find((c) => c.backend === "c")!.match_blocks, 1);
  strategy.onKvEvent!("b", { type: "removed", block_hashes: hashes.slice(1) });
  strategy.onKvEvent!("c", { type: "cleared" });
  const after = strategy.select(request, [worker("a"), worker("b"), worker("c")]);
  assert.equal(after.candidates!.find((c) => c.backend === "b")!.match_blocks, 1);
  assert.equal(after.candidates!.find((c) => c.backend === "c")!.match_blocks, 0);
});

Deno.test("createKvAware() without events learns from its own decisions and forgets after the TTL", () => {
  const clock = new VirtualClock();
  const strategy = createKvAware({ ...KV_AWARE_DEFAULTS, useKvEvents: false }, { clock, rng: createRng(1) });
  const first = createRouteRequest("r1", TEXT);
  strategy.onRouted!(first, "c");
  strategy.onFirstToken!(first, "c", 5);
  strategy.onFinished!(first, "c", { ok: true });
  clock.runUntil(119_000);
  assert.equal(
    strategy.select(createRouteRequest("r2", TEXT + "more"), [worker("a"), worker("c")]).worker,
    "c",
  );
  clock.runUntil(120_001);
  const late = strategy.select(createRouteRequest("r3", TEXT + "more"), [worker("a"), worker("c")]);
  assert.equal(late.branch, "kv_no_overlap");
});

Deno.test("createKvAware() counts active prefill and blocks until the first token and the finish", () => {
  const strategy = createKvAware({ ...KV_AWARE_DEFAULTS, useKvEvents: false }, {
    clock: new VirtualClock(),
    rng: createRng(1),
  });
  const busy = createRouteRequest("busy", "x ".repeat(400));
  strategy.onRouted!(busy, "a");
  const probe = createRouteRequest("probe", "something unrelated entirely");
  const scoreOf = (id: string) =>
    strategy.select(probe, [worker("a"), worker("b")]).candidates!.find((c) => c.backend === id)!.score!;
  const withPrefill = scoreOf("a");
  strategy.onFirstToken!(busy, "a", 10);
  const decodeOnly = scoreOf("a");
  strategy.onFinished!(busy, "a", { ok: true });
  const idle = scoreOf("a");
  assert.ok(withPrefill > decodeOnly && decodeOnly > idle, `${withPrefill} > ${decodeOnly} > ${idle}`);
  assert.equal(idle, scoreOf("b"));
});
