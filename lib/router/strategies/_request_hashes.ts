/**
 * Block hashes of a request's prompt tokens, computed once per request however often a strategy
 * asks (select, onRouted and onFinished all need them).
 * @module
 */
import { blockHashes } from "../../core/block_hash.ts";
import type { RouteRequest } from "../strategy.ts";

/** A memoizing `request → chained block hashes` function for one block size. */
export function requestBlockHashes(blockSize: number): (request: RouteRequest) => number[] {
  const cache = new WeakMap<RouteRequest, number[]>();
  return (request) => {
    let hashes = cache.get(request);
    if (hashes === undefined) {
      hashes = blockHashes(request.tokens(), blockSize);
      cache.set(request, hashes);
    }
    return hashes;
  };
}
