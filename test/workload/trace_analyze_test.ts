/**
 * Goal: analyzeTrace's hit rates are right. Method: hand cases; on ../shared/data/mooncake the
 * unbounded hit rate is recomputed another way — a set of whole prefixes as strings ("1,2,3")
 * instead of a set of ids — and the LRU rate with an unbounded cache size must equal it.
 */
import assert from "node:assert/strict";
import { analyzeTrace } from "../../lib/workload/trace_analyze.ts";
import { loadMooncakeTrace, type TraceRow } from "../../lib/workload/mooncake_trace.ts";
import { SHARED_DATA, sharedData } from "./_data.ts";

const row = (
  timestamp: number,
  hash_ids: number[],
  input_length = hash_ids.length * 512,
  output_length = 10,
): TraceRow => ({
  timestamp,
  input_length,
  output_length,
  hash_ids,
});

Deno.test("analyzeTrace() counts prefix hits with unbounded and LRU caches", () => {
  const rows = [row(0, [1, 2, 3]), row(1000, [1, 2, 4]), row(2000, [5]), row(3000, [1, 2, 3])];
  const a = analyzeTrace(rows, { cacheBlocks: 3 });
  assert.equal(a.num_requests, 4);
  assert.equal(a.duration_s, 3);
  assert.equal(a.total_blocks, 10);
  assert.equal(a.unique_blocks, 5);
  // hits: 0 + 2 + 0 + 3 = 5 of 10
  assert.equal(a.cache_hit_rate_unbounded, 0.5);
  assert.equal(a.mean_request_hit_rate_unbounded, (0 + 2 / 3 + 0 + 1) / 4);
  // LRU(3): after r0 {1,2,3}; r1 hits 1,2 → {3,1,2,4} → evict 3 → {1,2,4}; r2 → {2,4,5}; r3 hits none.
  assert.equal(a.cache_hit_rate_lru, 0.2);
  assert.equal(a.isl.median, 1536);
  assert.equal(analyzeTrace(rows).cache_hit_rate_lru, null);
});

Deno.test({
  name: "analyzeTrace() on ../shared/data/mooncake agrees with a prefix-string count",
  ignore: SHARED_DATA === undefined,
  fn() {
    const rows = loadMooncakeTrace(sharedData("mooncake/synthetic_trace.jsonl"));
    const prefixes = new Set<string>();
    let hits = 0;
    let total = 0;
    for (const r of rows) {
      let key = "";
      let missed = false;
      for (const id of r.hash_ids) {
        key += `${id},`;
        if (!missed && prefixes.has(key)) hits++;
        else missed = true;
        prefixes.add(key);
        total++;
      }
    }
    const analysis = analyzeTrace(rows, { cacheBlocks: 1e9 });
    assert.equal(analysis.num_requests, 3993);
    assert.equal(analysis.total_blocks, total);
    assert.equal(analysis.cache_hit_rate_unbounded, hits / total);
    assert.equal(analysis.cache_hit_rate_lru, hits / total);
    const small = analyzeTrace(rows, { cacheBlocks: 1000 });
    assert.ok(small.cache_hit_rate_lru! < analysis.cache_hit_rate_unbounded);
  },
});
