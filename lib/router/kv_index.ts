/**
 * Which workers hold which KV blocks, keyed by the chained block hashes of lib/core/block_hash.ts
 * (Dynamo's KV indexer, routers.md §3.2). Because hashes are chained, a request's overlap with a
 * worker is the number of its leading blocks the worker holds, found by walking the hashes in
 * order while the set of holders shrinks.
 *
 * Two ways to fill it: from the engines' KV events (exact; entries never expire), or, for engines
 * without events, from the router's own decisions (Dynamo `--no-kv-events`): each (worker, block)
 * expires `ttlMs` after it was last routed, and when the index holds more than `maxBlocks`
 * entries it is pruned to `pruneTargetRatio × maxBlocks`, earliest expiry first and, among equal
 * expiry, deepest block first (suffixes go before their prefixes).
 * @module
 */
import { invariant } from "../core/invariant.ts";
import type { WorkerId } from "./strategy.ts";

/** Options for {@linkcode KvIndex}. */
export interface KvIndexOptions {
  /** Approximate-mode TTL of a routed block. */
  ttlMs: number;
  /** Approximate-mode bound on (worker, block) entries. */
  maxBlocks: number;
  /** Pruning goes down to this fraction of `maxBlocks`. */
  pruneTargetRatio: number;
}

interface ExpiryRecord {
  worker: WorkerId;
  hashes: readonly number[];
  expiryMs: number;
}

const NEVER = Infinity;

/** Block-hash → holders index with per-worker block sets. */
export class KvIndex {
  readonly #holders = new Map<number, Set<WorkerId>>();
  /** Per worker: block hash → expiry ms (Infinity for event-fed blocks). */
  readonly #blocks = new Map<WorkerId, Map<number, number>>();
  readonly #options: KvIndexOptions;
  #queue: ExpiryRecord[] = [];
  #queueHead = 0;
  #size = 0;

  constructor(options: KvIndexOptions) {
    this.#options = options;
  }

  /** Total (worker, block) entries. */
  get size(): number {
    return this.#size;
  }

  /** Blocks `worker` holds (Dynamo's `tree_size`). */
  treeSize(worker: WorkerId): number {
    return this.#blocks.get(worker)?.size ?? 0;
  }

  /** Records that `worker` holds `hashes` (a KV `stored` event): never expires. */
  store(worker: WorkerId, hashes: readonly number[]): void {
    for (const hash of hashes) this.#set(worker, hash, NEVER);
  }

  /** Records a routing decision (approximate mode): the blocks expire `ttlMs` after `nowMs`. */
  storeRouted(worker: WorkerId, hashes: readonly number[], nowMs: number): void {
    if (hashes.length === 0) return;
    const expiryMs = nowMs + this.#options.ttlMs;
    for (const hash of hashes) this.#set(worker, hash, expiryMs);
    this.#queue.push({ worker, hashes, expiryMs });
    if (this.#size > this.#options.maxBlocks) {
      this.#prune(Math.floor(this.#options.maxBlocks * this.#options.pruneTargetRatio));
    }
  }

  /** A KV `removed` event. */
  remove(worker: WorkerId, hashes: readonly number[]): void {
    for (const hash of hashes) this.#delete(worker, hash);
  }

  /** A KV `cleared` event, or a worker leaving: forget all of `worker`'s blocks. */
  clearWorker(worker: WorkerId): void {
    const blocks = this.#blocks.get(worker);
    if (blocks === undefined) return;
    for (const hash of blocks.keys()) {
      const holders = this.#holders.get(hash)!;
      holders.delete(worker);
      if (holders.size === 0) this.#holders.delete(hash);
    }
    this.#size -= blocks.size;
    this.#blocks.delete(worker);
  }

  /** Drops approximate entries whose expiry is at or before `nowMs`. */
  expire(nowMs: number): void {
    while (this.#queueHead < this.#queue.length && this.#queue[this.#queueHead]!.expiryMs <= nowMs) {
      this.#dropRecord(this.#queue[this.#queueHead++]!);
    }
    this.#compactQueue();
  }

  /**
   * Leading blocks of `hashes` each worker holds (only workers with at least one appear). Stops
   * as soon as no worker holds the next block.
   */
  overlap(hashes: readonly number[]): Map<WorkerId, number> {
    const overlaps = new Map<WorkerId, number>();
    let active: WorkerId[] | undefined;
    for (let i = 0; i < hashes.length; i++) {
      const holders = this.#holders.get(hashes[i]!);
      if (holders === undefined) break;
      const next: WorkerId[] = [];
      for (const worker of active ?? holders) if (holders.has(worker)) next.push(worker);
      if (next.length === 0) break;
      for (const worker of next) overlaps.set(worker, i + 1);
      active = next;
    }
    return overlaps;
  }

  #set(worker: WorkerId, hash: number, expiryMs: number): void {
    let blocks = this.#blocks.get(worker);
    if (blocks === undefined) {
      blocks = new Map();
      this.#blocks.set(worker, blocks);
    }
    if (!blocks.has(hash)) {
      this.#size++;
      let holders = this.#holders.get(hash);
      if (holders === undefined) {
        holders = new Set();
        this.#holders.set(hash, holders);
      }
      holders.add(worker);
    }
    blocks.set(hash, expiryMs);
  }

  #delete(worker: WorkerId, hash: number): void {
    const blocks = this.#blocks.get(worker);
    if (blocks === undefined || !blocks.delete(hash)) return;
    this.#size--;
    const holders = this.#holders.get(hash);
    invariant(holders !== undefined, "a held block has a holder set");
    holders.delete(worker);
    if (holders.size === 0) this.#holders.delete(hash);
  }

  /** Removes the record's entries still carrying its expiry (later routing refreshed the others), deepest first. */
  #dropRecord(record: ExpiryRecord): void {
    const blocks = this.#blocks.get(record.worker);
    if (blocks === undefined) return;
    for (let i = record.hashes.length - 1; i >= 0; i--) {
      const hash = record.hashes[i]!;
      if (blocks.get(hash) === record.expiryMs) this.#delete(record.worker, hash);
    }
  }

  #prune(targetBlocks: number): void {
    while (this.#size > targetBlocks && this.#queueHead < this.#queue.length) {
      this.#dropRecord(this.#queue[this.#queueHead++]!);
    }
    this.#compactQueue();
  }

  #compactQueue(): void {
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }
}
