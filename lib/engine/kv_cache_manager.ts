/**
 * Per-request KV operations on the {@linkcode BlockPool}, as vLLM V1's KVCacheManager: the longest
 * cached prefix (block-aligned, capped at num_tokens − 1 so the last token is recomputed), slot
 * allocation that fails without side effects when blocks run out (the scheduler then preempts),
 * caching of newly full computed blocks, and freeing in reverse order (tails are evicted first).
 * @module
 */
import { hashBlock, ROOT_BLOCK_HASH } from "../core/block_hash.ts";
import { invariant } from "../core/invariant.ts";
import type { BlockPool } from "./block_pool.ts";
import type { EngineRequest } from "./request.ts";

/** Result of a prefix lookup. */
export interface PrefixHit {
  /** Cached blocks usable by the request (after the num_tokens − 1 cap). */
  blocks: number[];
  /** `blocks.length · blockSize`. */
  tokens: number;
  /** Tokens that were cached but must be recomputed because of the cap. */
  recomputedTokens: number;
}

const NO_HIT: PrefixHit = { blocks: [], tokens: 0, recomputedTokens: 0 };

/** KV cache manager for one engine. */
export class KvCacheManager {
  readonly pool: BlockPool;
  readonly blockSize: number;
  readonly enablePrefixCaching: boolean;

  constructor(pool: BlockPool, blockSize: number, enablePrefixCaching: boolean) {
    this.pool = pool;
    this.blockSize = blockSize;
    this.enablePrefixCaching = enablePrefixCaching;
  }

  /** Longest run of cached blocks from the start of the request's tokens, capped at num_tokens − 1. */
  findCachedPrefix(request: EngineRequest): PrefixHit {
    if (!this.enablePrefixCaching) return NO_HIT;
    const fullBlocks = Math.floor(request.numTokens / this.blockSize);
    this.#ensureHashes(request, fullBlocks);
    const blocks: number[] = [];
    for (let i = 0; i < fullBlocks; i++) {
      const block = this.pool.lookup(request.blockHashes[i]!);
      if (block < 0) break;
      blocks.push(block);
    }
    const uncappedTokens = blocks.length * this.blockSize;
    const maxBlocks = Math.floor((request.numTokens - 1) / this.blockSize);
    if (blocks.length > maxBlocks) blocks.length = maxBlocks;
    const tokens = blocks.length * this.blockSize;
    return { blocks, tokens, recomputedTokens: uncappedTokens - tokens };
  }

  /**
   * Makes room for `numNewTokens` more tokens after the computed ones (and after `hit`, for a request
   * being admitted). Returns false, changing nothing, when too few blocks are free.
   */
  allocateSlots(request: EngineRequest, numNewTokens: number, hit: PrefixHit = NO_HIT): boolean {
    const pool = this.pool;
    const required = Math.ceil((request.numComputedTokens + hit.tokens + numNewTokens) / this.blockSize);
    const toAllocate = required - request.blocks.length - hit.blocks.length;
    let evictableHits = 0;
    for (const block of hit.blocks) if (pool.refCount(block) === 0) evictableHits++;
    if (toAllocate > pool.numFreeBlocks - evictableHits) return false;
    for (const block of hit.blocks) {
      pool.touch(block);
      request.blocks.push(block);
    }
    if (hit.blocks.length > 0) request.numCachedBlocks = request.blocks.length;
    for (let i = 0; i < toAllocate; i++) {
      const block = pool.allocate();
      invariant(block >= 0, "allocate() failed after the free-block check");
      request.blocks.push(block);
    }
    return true;
  }

  /** Registers the request's newly full computed blocks in the prefix cache. */
  cacheComputedBlocks(request: EngineRequest): void {
    if (!this.enablePrefixCaching) return;
    const fullBlocks = Math.floor(request.numComputedTokens / this.blockSize);
    if (fullBlocks <= request.numCachedBlocks) return;
    this.#ensureHashes(request, fullBlocks);
    for (let i = request.numCachedBlocks; i < fullBlocks; i++) {
      this.pool.cacheBlock(
        request.blocks[i]!,
        request.blockHashes[i]!,
        i === 0 ? null : request.blockHashes[i - 1]!,
      );
    }
    request.numCachedBlocks = fullBlocks;
  }

  /** Releases the request's blocks, last block first, and forgets them. */
  free(request: EngineRequest): void {
    const blocks = request.blocks;
    for (let i = blocks.length - 1; i >= 0; i--) this.pool.release(blocks[i]!);
    blocks.length = 0;
    request.numCachedBlocks = 0;
  }

  #ensureHashes(request: EngineRequest, numBlocks: number): void {
    const hashes = request.blockHashes;
    const bs = this.blockSize;
    while (hashes.length < numBlocks) {
      const parent = hashes.length === 0 ? ROOT_BLOCK_HASH : hashes[hashes.length - 1]!;
      hashes.push(hashBlock(parent, request.tokenIds, hashes.length * bs, bs));
    }
  }
}
