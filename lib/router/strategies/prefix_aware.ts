/**
 * prefix_aware: Ray Serve's `PrefixCacheAffinityRouter` (routers.md §1.2–1.3) over
 * {@linkcode PrefixTree}. If the in-flight spread across the candidates exceeds
 * `imbalancedThreshold`, power of two choices decides. Otherwise the prompt is matched against the
 * tree: a match rate ≥ `matchRateThreshold` sends it to the workers holding the longest match,
 * else to the workers with the fewest cached characters; the least loaded of those wins (ties:
 * seeded random). The routed prompt is inserted for the chosen worker (responses never are).
 * With `doEviction`, every `evictionIntervalS` each worker above `evictionThresholdChars` is
 * evicted (LRU) down to `evictionTargetChars`.
 *
 * Differences from Ray, on purpose: the load is the router's own in-flight count (Ray probes
 * replica queue lengths); an empty prompt counts as match rate 0 (Ray divides by zero); the
 * smallest-tenant branch is restricted to the candidates (Ray's older code was not).
 * @module
 */
import type { RoutingStrategy, StrategyDeps, WorkerView } from "../strategy.ts";
import { PrefixTree } from "../prefix_tree.ts";
import { prefixTreeHooks } from "./_tree_hooks.ts";
import { invariant } from "../../core/invariant.ts";
import { leastLoaded, powerOfTwo } from "./_load.ts";

/** prefix_aware parameters (Ray's `initialize_state` defaults). */
export interface PrefixAwareConfig {
  /** Below this matched fraction of the prompt, route to the smallest tenants. */
  matchRateThreshold: number;
  /** Use pow2 when max − min in-flight exceeds this (Ray default: inf, i.e. never). */
  imbalancedThreshold: number;
  /** Run the eviction loop. */
  doEviction: boolean;
  /** Evict a worker's tree above this many characters... */
  evictionThresholdChars: number;
  /** ...down to this many. */
  evictionTargetChars: number;
  /** Eviction loop period. */
  evictionIntervalS: number;
}

/** Ray's defaults. */
export const PREFIX_AWARE_DEFAULTS: PrefixAwareConfig = {
  matchRateThreshold: 0.1,
  imbalancedThreshold: Infinity,
  doEviction: false,
  evictionThresholdChars: 400_000,
  evictionTargetChars: 360_000,
  evictionIntervalS: 10,
};

/** Creates the prefix_aware strategy. */
export function createPrefixAware(config: PrefixAwareConfig, deps: StrategyDeps): RoutingStrategy {
  const { clock, rng } = deps;
  const tree = new PrefixTree({ clock });
  const nowS = (): number => clock.nowMs() / 1000;
  if (config.doEviction) {
    tree.startEvictionLoop(
      config.evictionThresholdChars,
      config.evictionTargetChars,
      config.evictionIntervalS,
    );
  }
  return {
    name: "prefix_aware",
    select(request, workers) {
      invariant(workers.length > 0, "select() called with no workers");
      const ids = workers.map((worker) => worker.id);
      tree.addTenants(ids, nowS()); // workers the tree has not seen yet start empty
      let min = Infinity;
      let max = -Infinity;
      for (const worker of workers) {
        min = Math.min(min, worker.inFlight);
        max = Math.max(max, worker.inFlight);
      }
      if (max - min > config.imbalancedThreshold) {
        return { worker: powerOfTwo(workers, rng).id, branch: "imbalanced_pow2", imbalanced: true };
      }
      const { matchedText, tenants } = tree.prefixMatch(request.text, ids);
      const matchRate = request.text.length === 0 ? 0 : matchedText.length / request.text.length;
      const prefixBranch = matchRate >= config.matchRateThreshold;
      const chosen = prefixBranch ? tenants : tree.getSmallestTenants(ids);
      const candidates = workers.map((worker) => ({
        backend: worker.id,
        in_flight: worker.inFlight,
        match_chars: tenants?.includes(worker.id) ? matchedText.length : 0,
      }));
      if (chosen === null) {
        return { worker: powerOfTwo(workers, rng).id, branch: "pow2_fallback", candidates, matchRate };
      }
      const pool: WorkerView[] = workers.filter((worker) => chosen.includes(worker.id));
      return {
        worker: leastLoaded(pool, rng).id,
        branch: prefixBranch ? "prefix_match" : "smallest_tenant",
        candidates,
        matchRate,
      };
    },
    ...prefixTreeHooks(tree, nowS),
  };
}
