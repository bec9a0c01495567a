/**
 * Power of two choices: draw two distinct healthy workers uniformly and route to the one with
 * fewer in-flight requests (Ray's `PowerOfTwoChoicesRequestRouter`, SGLang's `power_of_two`).
 * Near least-loaded balance at O(1) cost, without herding onto one worker.
 * @module
 */
import type { RoutingStrategy, StrategyDeps } from "../strategy.ts";
import { invariant } from "../../core/invariant.ts";
import { drawTwo, loadCandidates } from "./_load.ts";

/** pow2 has no parameters. */
export type Pow2Config = Record<string, never>;

/** Creates the pow2 strategy. */
export function createPow2(_config: Pow2Config, deps: StrategyDeps): RoutingStrategy {
  return {
    name: "pow2",
    select(_request, workers) {
      invariant(workers.length > 0, "select() called with no workers");
      const drawn = drawTwo(workers, deps.rng);
      const [a, b] = drawn;
      const chosen = b === undefined || a!.inFlight <= b.inFlight ? a! : b;
      return { worker: chosen.id, branch: "pow2", candidates: loadCandidates(drawn) };
    },
  };
}
