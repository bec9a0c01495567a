/**
 * The lifecycle hooks every prefix-tree strategy shares (prefix_aware, cache_aware): a routed
 * request's prompt text is inserted for its worker, workers join and leave the tree as tenants, the
 * tree's per-tenant size is reported, and its eviction loop stops on dispose.
 * @module
 */
import type { PrefixTree } from "../prefix_tree.ts";
import type { RoutingStrategy } from "../strategy.ts";

/** The hooks of a strategy over `tree`, stamping with `nowS()` (seconds, from the strategy's clock). */
export function prefixTreeHooks(
  tree: PrefixTree,
  nowS: () => number,
): Pick<RoutingStrategy, "onRouted" | "onWorkerAdded" | "onWorkerRemoved" | "treeChars" | "dispose"> {
  return {
    onRouted(request, worker) {
      tree.addTenants([worker], nowS());
      tree.insert(request.text, worker, nowS());
    },
    onWorkerAdded(worker) {
      tree.addTenants([worker], nowS());
    },
    onWorkerRemoved(worker) {
      tree.removeTenants([worker]);
    },
    treeChars: () => tree.tenantToCharCount,
    dispose() {
      tree.stopEvictionLoop();
    },
  };
}
