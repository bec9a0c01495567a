/**
 * `datagen analyze`: facts about a Mooncake trace's load and prefix structure. A block counts as a
 * cache hit when it and every block before it in the request were seen earlier (prefix caching
 * stops at the first miss; equal ids mean equal prefixes). The unbounded rate has an infinite cache
 * filled in trace order; the LRU rate a cache of `cacheBlocks` blocks where each request touches
 * its blocks in order and the least recently used are evicted.
 * @module
 */
import { percentileSorted } from "../core/stats.ts";
import type { TraceRow } from "./mooncake_trace.ts";

/** mean, median, p99 (numpy linear) of a length distribution. */
export interface LengthStats {
  mean: number;
  median: number;
  p99: number;
  min: number;
  max: number;
}

/** What {@linkcode analyzeTrace} returns (printed as JSON by `datagen analyze`). */
export interface TraceAnalysis {
  num_requests: number;
  /** Last minus first timestamp, seconds. */
  duration_s: number;
  request_rate_per_s: number;
  isl: LengthStats;
  osl: LengthStats;
  block_size: number;
  total_blocks: number;
  unique_blocks: number;
  /** Σ prefix-hit blocks / Σ blocks with an unbounded cache. */
  cache_hit_rate_unbounded: number;
  /** Mean over requests of hit blocks / blocks (Dynamo's per-row theoretical hit rate). */
  mean_request_hit_rate_unbounded: number;
  /** Cache size of the LRU figure; null when not asked. */
  cache_blocks: number | null;
  cache_hit_rate_lru: number | null;
}

/** Analyzes rows in trace order. */
export function analyzeTrace(
  rows: readonly TraceRow[],
  options: { blockSize?: number; cacheBlocks?: number } = {},
): TraceAnalysis {
  const blockSize = options.blockSize ?? 512;
  const cacheBlocks = options.cacheBlocks;
  if (cacheBlocks !== undefined && !(Number.isInteger(cacheBlocks) && cacheBlocks >= 1)) {
    throw new RangeError(`Cannot analyze: 'cacheBlocks' must be a positive integer: got ${cacheBlocks}`);
  }
  const seen = new Set<number>();
  const lru = new LruSet(cacheBlocks ?? 1);
  let totalBlocks = 0;
  let hits = 0;
  let lruHits = 0;
  let rateSum = 0;
  let first = Infinity;
  let last = -Infinity;
  const isl = new Float64Array(rows.length);
  const osl = new Float64Array(rows.length);
  rows.forEach((row, r) => {
    isl[r] = row.input_length;
    osl[r] = row.output_length;
    if (row.timestamp < first) first = row.timestamp;
    if (row.timestamp > last) last = row.timestamp;
    const ids = row.hash_ids;
    let hit = 0;
    while (hit < ids.length && seen.has(ids[hit]!)) hit++;
    for (let i = hit; i < ids.length; i++) seen.add(ids[i]!);
    hits += hit;
    totalBlocks += ids.length;
    rateSum += ids.length === 0 ? 0 : hit / ids.length;
    if (cacheBlocks !== undefined) {
      let prefix = 0;
      while (prefix < ids.length && lru.has(ids[prefix]!)) prefix++;
      lruHits += prefix;
      for (const id of ids) lru.touch(id);
    }
  });
  const durationS = rows.length > 1 ? (last - first) / 1000 : 0;
  return {
    num_requests: rows.length,
    duration_s: durationS,
    request_rate_per_s: durationS > 0 ? rows.length / durationS : 0,
    isl: lengthStats(isl),
    osl: lengthStats(osl),
    block_size: blockSize,
    total_blocks: totalBlocks,
    unique_blocks: seen.size,
    cache_hit_rate_unbounded: totalBlocks === 0 ? 0 : hits / totalBlocks,
    mean_request_hit_rate_unbounded: rows.length === 0 ? 0 : rateSum / rows.length,
    cache_blocks: cacheBlocks ?? null,
    cache_hit_rate_lru: cacheBlocks === undefined ? null : totalBlocks === 0 ? 0 : lruHits / totalBlocks,
  };
}

function lengthStats(values: Float64Array): LengthStats {
  const sorted = values.slice().sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: sorted.length === 0 ? 0 : sum / sorted.length,
    median: percentileSorted(sorted, 50),
    p99: percentileSorted(sorted, 99),
    min: sorted.length === 0 ? 0 : sorted[0]!,
    max: sorted.length === 0 ? 0 : sorted[sorted.length - 1]!,
  };
}

/**
 * A fixed-capacity LRU set: a doubly linked list over slot arrays plus an id → slot map. (Evicting
 * through `Map.keys().next()` degrades to O(n) per eviction because V8 leaves deleted holes.)
 */
class LruSet {
  readonly #capacity: number;
  readonly #slotOf = new Map<number, number>();
  readonly #ids: Float64Array;
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  #head = -1; // least recently used
  #tail = -1; // most recently used
  #size = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
    // Slots are preallocated; capacities beyond 4M blocks are capped there (far above real traces).
    const slots = Math.min(capacity, 1 << 22);
    this.#ids = new Float64Array(slots);
    this.#prev = new Int32Array(slots);
    this.#next = new Int32Array(slots);
  }

  has(id: number): boolean {
    return this.#slotOf.has(id);
  }

  /** Marks `id` most recently used, inserting it and evicting the least recently used when full. */
  touch(id: number): void {
    let slot = this.#slotOf.get(id);
    if (slot !== undefined) {
      this.#unlink(slot);
    } else if (this.#size < Math.min(this.#capacity, this.#ids.length)) {
      slot = this.#size++;
    } else {
      slot = this.#head;
      this.#unlink(slot);
      this.#slotOf.delete(this.#ids[slot]!);
    }
    this.#ids[slot] = id;
    this.#slotOf.set(id, slot);
    this.#prev[slot] = this.#tail;
    this.#next[slot] = -1;
    if (this.#tail >= 0) this.#next[this.#tail] = slot;
    this.#tail = slot;
    if (this.#head < 0) this.#head = slot;
  }

  #unlink(slot: number): void {
    const prev = this.#prev[slot]!;
    const next = this.#next[slot]!;
    if (prev >= 0) this.#next[prev] = next;
    else this.#head = next;
    if (next >= 0) this.#prev[next] = prev;
    else this.#tail = prev;
  }
}
