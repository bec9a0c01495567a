// Goal: cache_aware follows SGLang's cache-aware policy: abs AND rel imbalance → least loaded,
// match rate above cache_threshold → the most recent holder, miss → least loaded; the tree is
// warmed in every branch and bounded by max_tree_size on the clock. Method: conformance suite
// plus constructed states.
import assert from "node:assert/strict";
import { VirtualClock } from "../../../lib/core/clock.ts";
import { createRng } from "../../../lib/core/rng.ts";
import { createRouteRequest, type WorkerView } from "../../../lib/router/strategy.ts";
import { CACHE_AWARE_DEFAULTS, createCacheAware } from "../../../lib/router/strategies/cache_aware.ts";
import { runStrategyConformance } from "../strategy_conformance.ts";

runStrategyConformance({
  name: "cache_aware",
  create: (deps) => createCacheAware(CACHE_AWARE_DEFAULTS, deps),
});
runStrategyConformance({
  name: "cache_aware(abs=2, rel=1.1)",
  create: (deps) =>
    createCacheAware({ ...CACHE_AWARE_DEFAULTS, balanceAbsThreshold: 2, balanceRelThreshold: 1.1 }, deps),
});

const worker = (id: string, inFlight = 0, routedTotal = 0): WorkerView => ({ id, inFlight, routedTotal });
const PROMPT = "system: be precise and thorough in every answer you give.\nuser: what is a radix tree?";

function setup(config = CACHE_AWARE_DEFAULTS) {
  const clock = new VirtualClock();
  const strategy = createCacheAware(config, { clock, rng: createRng(1) });
  for (const id of ["a", "b", "c"]) strategy.onWorkerAdded!(id);
  const route = (text: string, id: string) => strategy.onRouted!(createRouteRequest("x", text), id);
  return { clock, strategy, route };
}

Deno.test("createCacheAware() select() sends a hit to the most recent holder of the deepest match", () => {
  const { clock, strategy, route } = setup();
  route(PROMPT, "a");
  clock.runUntil(1000);
  route(PROMPT, "c");
  const selection = strategy.select(createRouteRequest("r", PROMPT + " and a trie?"), [
    worker("a"),
    worker("b"),
    worker("c", 5),
  ]);
  assert.equal(selection.branch, "cache_hit");
  assert.equal(selection.worker, "c");
  strategy.dispose!();
});

Deno.test("createCacheAware() select() sends a miss (rate ≤ 0.3) to the least loaded worker", () => {
  const { strategy, route } = setup();
  route("system: short", "a");
  const selection = strategy.select(
    createRouteRequest("r", "system: something entirely different and long"),
    [
      worker("a", 0),
      worker("b", 2),
      worker("c", 0, 5),
    ],
  );
  assert.equal(selection.branch, "cache_miss_min_load");
  assert.equal(selection.worker, "a", "ties on load go to the worker routed fewer requests");
  strategy.dispose!();
});

Deno.test("createCacheAware() select() needs both abs and rel imbalance to ignore the cache", () => {
  const { strategy, route } = setup({
    ...CACHE_AWARE_DEFAULTS,
    balanceAbsThreshold: 4,
    balanceRelThreshold: 1.5,
  });
  route(PROMPT, "a");
  const request = createRouteRequest("r", PROMPT + "!");
  // abs 5 > 4 but 15 ≤ 10 × 1.5: not imbalanced.
  assert.equal(strategy.select(request, [worker("a", 15), worker("b", 10)]).branch, "cache_hit");
  // abs 5 > 4 and 6 > 1 × 1.5: imbalanced.
  const selection = strategy.select(request, [worker("a", 6), worker("b", 1)]);
  assert.equal(selection.branch, "imbalanced_min_load");
  assert.equal(selection.worker, "b");
  assert.equal(selection.imbalanced, true);
  strategy.dispose!();
});

Deno.test("createCacheAware() evicts each worker's tree down to max_tree_size every interval", () => {
  const { clock, strategy, route } = setup({
    ...CACHE_AWARE_DEFAULTS,
    maxTreeSize: 100,
    evictionIntervalS: 60,
  });
  route("a".repeat(80), "a");
  clock.runUntil(1000);
  route("b".repeat(80), "a");
  assert.equal(strategy.treeChars!().get("a"), 160);
  clock.runUntil(60_000);
  assert.equal(strategy.treeChars!().get("a"), 80);
  strategy.dispose!();
});
