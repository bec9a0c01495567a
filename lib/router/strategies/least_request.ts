/**
 * Least request: the healthy worker with the fewest in-flight requests; ties go to the worker
 * routed fewer requests so far, then to a seeded random pick (AIBrix `least-request`, with the
 * tie-break SGLang added in PR #27547 so equal loads do not all land on the first worker).
 * @module
 */
import type { RoutingStrategy, StrategyDeps } from "../strategy.ts";
import { invariant } from "../../core/invariant.ts";
import { leastLoaded, loadCandidates } from "./_load.ts";

/** least_request has no parameters. */
export type LeastRequestConfig = Record<string, never>;

/** Creates the least_request strategy. */
export function createLeastRequest(_config: LeastRequestConfig, deps: StrategyDeps): RoutingStrategy {
  return {
    name: "least_request",
    select(_request, workers) {
      invariant(workers.length > 0, "select() called with no workers");
      const chosen = leastLoaded(workers, deps.rng);
      return { worker: chosen.id, branch: "least_request", candidates: loadCandidates(workers) };
    },
  };
}
