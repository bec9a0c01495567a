/**
 * Random: a uniform seeded pick among the healthy workers (SGLang's `random`).
 * @module
 */
import type { RoutingStrategy, StrategyDeps } from "../strategy.ts";
import { invariant } from "../../core/invariant.ts";

/** random has no parameters. */
export type RandomConfig = Record<string, never>;

/** Creates the random strategy. */
export function createRandom(_config: RandomConfig, deps: StrategyDeps): RoutingStrategy {
  return {
    name: "random",
    select(_request, workers) {
      invariant(workers.length > 0, "select() called with no workers");
      return { worker: deps.rng.pick(workers).id, branch: "random" };
    },
  };
}
