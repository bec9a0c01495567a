// Goal: prefix lookups and slot allocation follow vLLM V1 (block-aligned hits, capped at
// num_tokens − 1; allocation fails without side effects). Method: KvCacheManager over a small pool.
import assert from "node:assert/strict";
import { blockHashes } from "../../lib/core/block_hash.ts";
import { BlockPool } from "../../lib/engine/block_pool.ts";
import { KvCacheManager } from "../../lib/engine/kv_cache_manager.ts";
import { KvEventCollector } from "../../lib/engine/kv_events.ts";
import { EngineRequest, type RequestSink } from "../../lib/engine/request.ts";
import { promptIds } from "./_virtual.ts";

const sink: RequestSink = { onToken() {}, onFinish() {} };

function request(ids: number[], id = "r"): EngineRequest {
  return new EngineRequest({ id, promptTokenIds: ids, maxTokens: 4, ignoreEos: true }, sink, 0, 0, {
    medianTokens: 10,
    sigma: 0,
  });
}

function manager(blocks: number) {
  const events = new KvEventCollector(16);
  events.enabled = true;
  const pool = new BlockPool(blocks, events);
  return { kv: new KvCacheManager(pool, 16, true), pool, events };
}

function computeAll(kv: KvCacheManager, r: EngineRequest): void {
  const hit = kv.findCachedPrefix(r);
  assert.ok(kv.allocateSlots(r, r.numTokens - hit.tokens, hit));
  r.numComputedTokens = r.numTokens;
  kv.cacheComputedBlocks(r);
}

Deno.test("KvCacheManager findCachedPrefix() hits whole blocks and recomputes at least one token", () => {
  const { kv, events } = manager(100);
  const ids = promptIds(50);
  const first = request(ids, "a");
  computeAll(kv, first);
  const stored = events.drain(0);
  assert.deepEqual(stored, [{
    type: "stored",
    block_hashes: blockHashes(ids, 16),
    parent_hash: null,
    token_count: 48,
    engine_time_ms: 0,
  }]);
  kv.free(first);
  assert.equal(kv.findCachedPrefix(request(ids)).tokens, 48);
  assert.equal(kv.findCachedPrefix(request(ids.slice(0, 40))).tokens, 32);
  // Exactly 48 tokens, all cached: the last block is recomputed.
  const exact = kv.findCachedPrefix(request(ids.slice(0, 48)));
  assert.equal(exact.tokens, 32);
  assert.equal(exact.recomputedTokens, 16);
  const diverging = ids.slice();
  diverging[20] = 99_999;
  assert.equal(kv.findCachedPrefix(request(diverging)).tokens, 16);
});

Deno.test("KvCacheManager allocateSlots() fails without side effects when blocks run out", () => {
  const { kv, pool } = manager(5); // 4 usable blocks = 64 tokens
  const a = request(promptIds(40, 1), "a");
  assert.ok(kv.allocateSlots(a, 40));
  assert.equal(a.blocks.length, 3);
  const b = request(promptIds(40, 2), "b");
  assert.equal(kv.allocateSlots(b, 40), false);
  assert.equal(b.blocks.length, 0);
  assert.equal(pool.numFreeBlocks, 1);
  kv.free(a);
  assert.equal(pool.numFreeBlocks, 4);
  assert.ok(kv.allocateSlots(b, 40));
  pool.checkInvariants();
});

Deno.test("KvCacheManager free() releases the tail first so it is evicted first", () => {
  const { kv, pool } = manager(4); // 3 usable blocks
  const ids = promptIds(48, 3);
  const a = request(ids, "a");
  computeAll(kv, a);
  const hashes = blockHashes(ids, 16);
  kv.free(a);
  pool.allocate();
  assert.equal(pool.lookup(hashes[2]!), -1, "the tail block is evicted first");
  assert.notEqual(pool.lookup(hashes[0]!), -1);
});
