/**
 * Paged KV blocks as vLLM V1's BlockPool keeps them. Block 0 is the reserved null block. A block
 * with no references sits in the free queue (least recently freed at the head) but keeps its hash,
 * so it remains a prefix-cache candidate until allocation pops it from the head and evicts the hash.
 * A cache hit on a free block takes it out of the queue in O(1) (doubly linked list over typed
 * arrays, no per-block objects).
 * @module
 */
import { invariant } from "../core/invariant.ts";
import type { KvEventCollector } from "./kv_events.ts";

const NO_HASH = -1;

/** The block pool and its hash → block map. */
export class BlockPool {
  /** Blocks including the null block. */
  readonly numBlocks: number;
  readonly #refCount: Int32Array;
  readonly #hash: Float64Array;
  readonly #parentHash: Float64Array;
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  /** Sentinel index of the circular free list. */
  readonly #sentinel: number;
  #numFree = 0;
  readonly #cached = new Map<number, number>();
  readonly #events: KvEventCollector;

  constructor(numBlocks: number, events: KvEventCollector) {
    invariant(Number.isInteger(numBlocks) && numBlocks >= 2, "BlockPool needs at least 2 blocks");
    this.numBlocks = numBlocks;
    this.#events = events;
    this.#refCount = new Int32Array(numBlocks);
    this.#hash = new Float64Array(numBlocks).fill(NO_HASH);
    this.#parentHash = new Float64Array(numBlocks).fill(NO_HASH);
    this.#prev = new Int32Array(numBlocks + 1);
    this.#next = new Int32Array(numBlocks + 1);
    this.#sentinel = numBlocks;
    this.#prev[this.#sentinel] = this.#sentinel;
    this.#next[this.#sentinel] = this.#sentinel;
    this.#refCount[0] = 1; // the null block is never free
    for (let block = 1; block < numBlocks; block++) this.#append(block);
  }

  /** Blocks with no reference (cached or not). */
  get numFreeBlocks(): number {
    return this.#numFree;
  }

  /** Blocks currently holding a prefix-cache hash. */
  get numCachedBlocks(): number {
    return this.#cached.size;
  }

  /** vLLM's `kv_cache_usage_perc`: 1 − free/(blocks − 1); cached idle blocks count as free. */
  usage(): number {
    return 1 - this.#numFree / (this.numBlocks - 1);
  }

  /** The block caching `hash`, or -1. */
  lookup(hash: number): number {
    return this.#cached.get(hash) ?? -1;
  }

  /** Reference count of `block`. */
  refCount(block: number): number {
    return this.#refCount[block]!;
  }

  /** Pops the least recently freed block (evicting its hash) with one reference, or -1 when none is free. */
  allocate(): number {
    const block = this.#next[this.#sentinel]!;
    if (block === this.#sentinel) return -1;
    this.#unlink(block);
    this.#evictHash(block);
    this.#refCount[block] = 1;
    return block;
  }

  /** Adds a reference to a cached block found by {@linkcode lookup}, taking it out of the free queue. */
  touch(block: number): void {
    if (this.#refCount[block] === 0) this.#unlink(block);
    this.#refCount[block]!++;
  }

  /** Drops a reference; at zero the block joins the free queue's tail, keeping its hash. */
  release(block: number): void {
    invariant(this.#refCount[block]! > 0, `release() of block ${block} with no reference`);
    if (--this.#refCount[block]! === 0) this.#append(block);
  }

  /**
   * Registers a full, computed block under `hash`. When another block already caches the same hash
   * this one stays unhashed, so every hash maps to one block and events mirror the map exactly.
   */
  cacheBlock(block: number, hash: number, parentHash: number | null): void {
    if (this.#hash[block] !== NO_HASH || this.#cached.has(hash)) return;
    this.#hash[block] = hash;
    this.#parentHash[block] = parentHash ?? NO_HASH;
    this.#cached.set(hash, block);
    this.#events.stored(hash, parentHash);
  }

  /** Forgets every hash (in-use blocks stay allocated but will not be cache hits). */
  resetPrefixCache(): void {
    for (const block of this.#cached.values()) {
      this.#hash[block] = NO_HASH;
      this.#parentHash[block] = NO_HASH;
    }
    this.#cached.clear();
    this.#events.cleared();
  }

  /** Every cached (hash, parent hash or null) pair, parents before children where both are cached. */
  cachedEntries(): Array<[number, number | null]> {
    const entries: Array<[number, number | null]> = [];
    for (const [hash, block] of this.#cached) {
      const parent = this.#parentHash[block]!;
      entries.push([hash, parent === NO_HASH ? null : parent]);
    }
    return entries;
  }

  /** Checks internal consistency (tests). */
  checkInvariants(): void {
    let count = 0;
    for (let block = this.#next[this.#sentinel]!; block !== this.#sentinel; block = this.#next[block]!) {
      invariant(this.#refCount[block] === 0, `free block ${block} has references`);
      count++;
    }
    invariant(count === this.#numFree, `free count ${this.#numFree} but ${count} blocks in the queue`);
    for (const [hash, block] of this.#cached) {
      invariant(this.#hash[block] === hash, `hash map entry ${hash} → ${block} is stale`);
    }
  }

  #evictHash(block: number): void {
    const hash = this.#hash[block]!;
    if (hash === NO_HASH) return;
    this.#cached.delete(hash);
    this.#hash[block] = NO_HASH;
    this.#parentHash[block] = NO_HASH;
    this.#events.removed(hash);
  }

  #append(block: number): void {
    const tail = this.#prev[this.#sentinel]!;
    this.#next[tail] = block;
    this.#prev[block] = tail;
    this.#next[block] = this.#sentinel;
    this.#prev[this.#sentinel] = block;
    this.#numFree++;
  }

  #unlink(block: number): void {
    const prev = this.#prev[block]!;
    const next = this.#next[block]!;
    this.#next[prev] = next;
    this.#prev[next] = prev;
    this.#numFree--;
  }
}
