/**
 * KV cache events (the `/kv_events` NDJSON stream), so a KV-aware router can mirror the engine's
 * prefix cache exactly. Consecutive stores of one parent chain and consecutive removals within a
 * step are merged into one event, as vLLM batches them per request.
 * @module
 */

/** Blocks newly entered in the prefix cache; `parent_hash` is null for a prompt's first block. */
export interface KvStoredEvent {
  type: "stored";
  block_hashes: number[];
  parent_hash: number | null;
  token_count: number;
  engine_time_ms: number;
}

/** Blocks evicted from the prefix cache. */
export interface KvRemovedEvent {
  type: "removed";
  block_hashes: number[];
  engine_time_ms: number;
}

/** Every cached block dropped (`POST /reset_prefix_cache`). */
export interface KvClearedEvent {
  type: "cleared";
  engine_time_ms: number;
}

/** One KV cache event. */
export type KvEvent = KvStoredEvent | KvRemovedEvent | KvClearedEvent;

/** Collects events between flushes, merging chains; does nothing while disabled (no listener). */
export class KvEventCollector {
  enabled = false;
  #pending: KvEvent[] = [];
  readonly #blockSize: number;

  constructor(blockSize: number) {
    this.#blockSize = blockSize;
  }

  /** A block with `hash` (child of `parentHash`, or null for a first block) entered the cache. */
  stored(hash: number, parentHash: number | null): void {
    if (!this.enabled) return;
    const last = this.#pending[this.#pending.length - 1];
    if (last?.type === "stored" && last.block_hashes[last.block_hashes.length - 1] === parentHash) {
      last.block_hashes.push(hash);
      last.token_count += this.#blockSize;
      return;
    }
    this.#pending.push({
      type: "stored",
      block_hashes: [hash],
      parent_hash: parentHash,
      token_count: this.#blockSize,
      engine_time_ms: 0,
    });
  }

  /** A block with `hash` left the cache. */
  removed(hash: number): void {
    if (!this.enabled) return;
    const last = this.#pending[this.#pending.length - 1];
    if (last?.type === "removed") {
      last.block_hashes.push(hash);
      return;
    }
    this.#pending.push({ type: "removed", block_hashes: [hash], engine_time_ms: 0 });
  }

  /** The whole cache was dropped. */
  cleared(): void {
    if (!this.enabled) return;
    this.#pending.length = 0;
    this.#pending.push({ type: "cleared", engine_time_ms: 0 });
  }

  /** Returns the pending events stamped with `engineTimeMs` and forgets them. */
  drain(engineTimeMs: number): KvEvent[] {
    if (this.#pending.length === 0) return EMPTY;
    const events = this.#pending;
    this.#pending = [];
    for (const event of events) event.engine_time_ms = engineTimeMs;
    return events;
  }
}

const EMPTY: KvEvent[] = [];
