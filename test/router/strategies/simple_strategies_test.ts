// Goal: round_robin, random, pow2 and least_request meet the shared strategy contract and make
// their defining choice on constructed loads. Method: the conformance suite plus direct select()
// calls on hand-built worker views with a seeded Rng.
import assert from "node:assert/strict";
import { VirtualClock } from "../../../lib/core/clock.ts";
import { createRng } from "../../../lib/core/rng.ts";
import { createRouteRequest, type WorkerView } from "../../../lib/router/strategy.ts";
import { createRoundRobin } from "../../../lib/router/strategies/round_robin.ts";
import { createRandom } from "../../../lib/router/strategies/random.ts";
import { createPow2 } from "../../../lib/router/strategies/pow2.ts";
import { createLeastRequest } from "../../../lib/router/strategies/least_request.ts";
import { runStrategyConformance } from "../strategy_conformance.ts";

runStrategyConformance({ name: "round_robin", create: (deps) => createRoundRobin({}, deps) });
runStrategyConformance({ name: "random", create: (deps) => createRandom({}, deps) });
runStrategyConformance({ name: "pow2", create: (deps) => createPow2({}, deps) });
runStrategyConformance({ name: "least_request", create: (deps) => createLeastRequest({}, deps) });

const deps = () => ({ clock: new VirtualClock(), rng: createRng(1) });
const request = createRouteRequest("r", "hello");
const worker = (id: string, inFlight: number, routedTotal = 0): WorkerView => ({ id, inFlight, routedTotal });

Deno.test("createRoundRobin() select() cycles through the workers in order", () => {
  const strategy = createRoundRobin({}, deps());
  const workers = [worker("a", 5), worker("b", 0), worker("c", 9)];
  const picks = Array.from({ length: 6 }, () => strategy.select(request, workers).worker);
  assert.deepEqual(picks, ["a", "b", "c", "a", "b", "c"]);
});

Deno.test("createRandom() select() spreads picks over every worker", () => {
  const strategy = createRandom({}, deps());
  const workers = [worker("a", 0), worker("b", 0), worker("c", 0)];
  const counts = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const id = strategy.select(request, workers).worker;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  for (const id of ["a", "b", "c"]) assert.ok(counts.get(id)! > 850, `${id}: ${counts.get(id)}`);
});

Deno.test("createPow2() select() with two workers always picks the less loaded", () => {
  const strategy = createPow2({}, deps());
  for (let i = 0; i < 50; i++) {
    assert.equal(strategy.select(request, [worker("busy", 10), worker("idle", 0)]).worker, "idle");
  }
});

Deno.test("createPow2() select() never picks the single most loaded of many workers", () => {
  const strategy = createPow2({}, deps());
  const workers = [worker("a", 1), worker("b", 2), worker("c", 3), worker("hot", 50)];
  for (let i = 0; i < 200; i++) assert.notEqual(strategy.select(request, workers).worker, "hot");
});

Deno.test("createLeastRequest() select() picks the fewest in flight, ties by fewer routed", () => {
  const strategy = createLeastRequest({}, deps());
  assert.equal(strategy.select(request, [worker("a", 3), worker("b", 1), worker("c", 2)]).worker, "b");
  assert.equal(
    strategy.select(request, [worker("a", 1, 9), worker("b", 1, 4), worker("c", 2, 0)]).worker,
    "b",
  );
});
