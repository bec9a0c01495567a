/**
 * cache_aware: SGLang's cache-aware policy (routers.md §2.2–2.3) with the CLI defaults
 * (0.3 / 64 / 1.5 / 120 s / 2^26). When the load is imbalanced — max − min in-flight >
 * `balanceAbsThreshold` AND max > min × `balanceRelThreshold` — the least loaded worker wins.
 * Otherwise the prompt is matched against the approximate character tree: a match rate above
 * `cacheThreshold` sends it to the worker that touched the deepest matched node most recently
 * (SGLang's `last_tenant`); a miss goes to the least loaded worker (the current gateway; the
 * original router used the smallest tree, which caused the "death spiral", sglang PR #14305).
 * The prompt is inserted for the chosen worker in every branch, keeping the tree warm. Every
 * `evictionIntervalS`, each worker's tree above `maxTreeSize` characters is LRU-evicted down to it.
 *
 * Differences from SGLang: the tree is {@linkcode PrefixTree} (Ray's per-tenant LRU by timestamp)
 * rather than SGLang's leaf-epoch heap; both evict least recently used leaves first. Load ties go
 * to the worker routed fewer requests (SGLang PR #27547's fix).
 * @module
 */
import type { RoutingStrategy, StrategyDeps } from "../strategy.ts";
import { PrefixTree } from "../prefix_tree.ts";
import { prefixTreeHooks } from "./_tree_hooks.ts";
import { invariant } from "../../core/invariant.ts";
import { leastLoaded } from "./_load.ts";

/** cache_aware parameters (SGLang router CLI defaults). */
export interface CacheAwareConfig {
  /** Match rate above which the cached worker wins. */
  cacheThreshold: number;
  /** Imbalance needs max − min in-flight above this... */
  balanceAbsThreshold: number;
  /** ...and max above min × this. */
  balanceRelThreshold: number;
  /** Eviction period. */
  evictionIntervalS: number;
  /** Per-worker tree size bound, characters. */
  maxTreeSize: number;
}

/** SGLang CLI defaults. */
export const CACHE_AWARE_DEFAULTS: CacheAwareConfig = {
  cacheThreshold: 0.3,
  balanceAbsThreshold: 64,
  balanceRelThreshold: 1.5,
  evictionIntervalS: 120,
  maxTreeSize: 2 ** 26,
};

/** Creates the cache_aware strategy. */
export function createCacheAware(config: CacheAwareConfig, deps: StrategyDeps): RoutingStrategy {
  const { clock, rng } = deps;
  const tree = new PrefixTree({ clock });
  const nowS = (): number => clock.nowMs() / 1000;
  tree.startEvictionLoop(config.maxTreeSize, config.maxTreeSize, config.evictionIntervalS);
  return {
    name: "cache_aware",
    select(request, workers) {
      invariant(workers.length > 0, "select() called with no workers");
      let min = Infinity;
      let max = -Infinity;
      for (const worker of workers) {
        min = Math.min(min, worker.inFlight);
        max = Math.max(max, worker.inFlight);
      }
      const candidates = workers.map((worker) => ({ backend: worker.id, in_flight: worker.inFlight }));
      if (max - min > config.balanceAbsThreshold && max > min * config.balanceRelThreshold) {
        return {
          worker: leastLoaded(workers, rng).id,
          branch: "imbalanced_min_load",
          candidates,
          imbalanced: true,
        };
      }
      const ids = workers.map((worker) => worker.id);
      tree.addTenants(ids, nowS());
      const { matchedText, tenant } = tree.prefixMatchMostRecent(request.text, ids);
      const matchRate = request.text.length === 0 ? 0 : matchedText.length / request.text.length;
      if (tenant !== null && matchRate > config.cacheThreshold) {
        for (const candidate of candidates) {
          if (candidate.backend === tenant) Object.assign(candidate, { match_chars: matchedText.length });
        }
        return { worker: tenant, branch: "cache_hit", candidates, matchRate };
      }
      return { worker: leastLoaded(workers, rng).id, branch: "cache_miss_min_load", candidates, matchRate };
    },
    ...prefixTreeHooks(tree, nowS),
  };
}
