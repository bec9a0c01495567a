/**
 * Round robin: cycle through the healthy workers in order. The counter advances per request, so
 * with a changing healthy set the cycle continues from the same position modulo the new size
 * (SGLang's `round_robin`).
 * @module
 */
import type { RoutingStrategy, StrategyDeps } from "../strategy.ts";
import { invariant } from "../../core/invariant.ts";

/** round_robin has no parameters. */
export type RoundRobinConfig = Record<string, never>;

/** Creates the round_robin strategy. */
export function createRoundRobin(_config: RoundRobinConfig, _deps: StrategyDeps): RoutingStrategy {
  let counter = 0;
  return {
    name: "round_robin",
    select(_request, workers) {
      invariant(workers.length > 0, "select() called with no workers");
      const worker = workers[counter % workers.length]!;
      counter = (counter + 1) % 1_000_000_007;
      return { worker: worker.id, branch: "round_robin" };
    },
  };
}
