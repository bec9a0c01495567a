// Goal: prefix_aware follows Ray's PrefixCacheAffinityRouter: prefix match ≥ threshold → holders
// of the longest match (least loaded among them), below → smallest trees, imbalance → pow2, and
// the eviction loop runs on the injected clock. Method: conformance suite plus constructed states.
import assert from "node:assert/strict";
import { VirtualClock } from "../../../lib/core/clock.ts";
import { createRng } from "../../../lib/core/rng.ts";
import { createRouteRequest, type WorkerView } from "../../../lib/router/strategy.ts";
import { createPrefixAware, PREFIX_AWARE_DEFAULTS } from "../../../lib/router/strategies/prefix_aware.ts";
import { runStrategyConformance } from "../strategy_conformance.ts";

runStrategyConformance({
  name: "prefix_aware",
  create: (deps) => createPrefixAware(PREFIX_AWARE_DEFAULTS, deps),
});
runStrategyConformance({
  name: "prefix_aware(imbalanced_threshold=2, eviction)",
  create: (deps) =>
    createPrefixAware({
      ...PREFIX_AWARE_DEFAULTS,
      imbalancedThreshold: 2,
      doEviction: true,
      evictionThresholdChars: 500,
      evictionTargetChars: 300,
      evictionIntervalS: 0.5,
    }, deps),
});

const worker = (id: string, inFlight = 0): WorkerView => ({ id, inFlight, routedTotal: 0 });
const SYSTEM = "You are a careful assistant. Answer in detail. ".repeat(4);

function setup(config = PREFIX_AWARE_DEFAULTS) {
  const clock = new VirtualClock();
  const strategy = createPrefixAware(config, { clock, rng: createRng(1) });
  for (const id of ["a", "b", "c"]) strategy.onWorkerAdded!(id);
  const route = (text: string, worker: string) => strategy.onRouted!(createRouteRequest("x", text), worker);
  return { clock, strategy, route };
}

Deno.test("createPrefixAware() select() sends a continued conversation to the worker holding its prefix", () => {
  const { strategy, route } = setup();
  route(SYSTEM + "user: first question", "b");
  const selection = strategy.select(
    createRouteRequest("r", SYSTEM + "user: first question\nassistant: answer\nuser: follow-up"),
    [worker("a"), worker("b", 3), worker("c")],
  );
  assert.equal(selection.worker, "b", "affinity wins even at a higher load (imbalance threshold is inf)");
  assert.equal(selection.branch, "prefix_match");
  assert.ok(selection.matchRate! > 0.5);
  assert.equal(
    selection.candidates!.find((c) => c.backend === "b")!.match_chars,
    (SYSTEM + "user: first question").length,
  );
});

Deno.test("createPrefixAware() select() picks the least loaded of several holders", () => {
  const { strategy, route } = setup();
  route(SYSTEM + "user: q1", "a");
  route(SYSTEM + "user: q1", "c");
  const selection = strategy.select(createRouteRequest("r", SYSTEM + "user: q1 more"), [
    worker("a", 4),
    worker("b", 0),
    worker("c", 1),
  ]);
  assert.equal(selection.worker, "c");
});

Deno.test("createPrefixAware() select() sends a low match to the worker with the fewest cached chars", () => {
  const { strategy, route } = setup();
  route("x".repeat(500), "a");
  route("y".repeat(100), "b");
  route("z".repeat(300), "c");
  const selection = strategy.select(createRouteRequest("r", "completely new prompt"), [
    worker("a"),
    worker("b", 7),
    worker("c"),
  ]);
  assert.equal(selection.worker, "b", "smallest tree, regardless of load");
  assert.equal(selection.branch, "smallest_tenant");
  assert.equal(selection.matchRate, 0);
});

Deno.test("createPrefixAware() select() falls back to pow2 when the load spread exceeds the threshold", () => {
  const { strategy, route } = setup({ ...PREFIX_AWARE_DEFAULTS, imbalancedThreshold: 4 });
  route(SYSTEM, "a");
  const request = createRouteRequest("r", SYSTEM + "more");
  assert.equal(strategy.select(request, [worker("a", 4), worker("b", 0)]).branch, "prefix_match");
  const selection = strategy.select(request, [worker("a", 5), worker("b", 0)]);
  assert.equal(selection.branch, "imbalanced_pow2");
  assert.equal(selection.imbalanced, true);
  assert.equal(selection.worker, "b");
});

Deno.test("createPrefixAware() eviction loop trims trees on the clock and stops on dispose", () => {
  const { clock, strategy, route } = setup({
    ...PREFIX_AWARE_DEFAULTS,
    doEviction: true,
    evictionThresholdChars: 1000,
    evictionTargetChars: 800,
    evictionIntervalS: 10,
  });
  clock.runUntil(1000);
  route("p".repeat(800), "a");
  clock.runUntil(2000);
  route("q".repeat(800), "a");
  assert.equal(strategy.treeChars!().get("a"), 1600);
  clock.runUntil(10_000);
  assert.equal(strategy.treeChars!().get("a"), 800, "the older prompt went first");
  strategy.dispose!();
  assert.equal(clock.runNext(), false);
});

Deno.test("createPrefixAware() forgets a removed worker's tree", () => {
  const { strategy, route } = setup();
  route(SYSTEM, "a");
  strategy.onWorkerRemoved!("a");
  strategy.onWorkerAdded!("a");
  const selection = strategy.select(createRouteRequest("r", SYSTEM), [worker("a", 1), worker("b", 0)]);
  assert.equal(selection.branch, "smallest_tenant");
  assert.equal(selection.worker, "b");
});
