// Goal: the block pool keeps vLLM V1's accounting: freed blocks keep their hash until reallocated,
// eviction is least-recently-freed first, cached idle blocks count as free, events mirror the map.
// Method: drive BlockPool directly with a collector that records events.
import assert from "node:assert/strict";
import { BlockPool } from "../../lib/engine/block_pool.ts";
import { KvEventCollector } from "../../lib/engine/kv_events.ts";

function newPool(blocks: number) {
  const events = new KvEventCollector(16);
  events.enabled = true;
  return { pool: new BlockPool(blocks, events), events };
}

Deno.test("BlockPool usage() excludes the null block and counts cached idle blocks as free", () => {
  const { pool } = newPool(11);
  assert.equal(pool.numFreeBlocks, 10);
  assert.equal(pool.usage(), 0);
  const a = pool.allocate();
  const b = pool.allocate();
  assert.notEqual(a, 0);
  assert.notEqual(b, 0);
  assert.ok(Math.abs(pool.usage() - 0.2) < 1e-12);
  pool.cacheBlock(a, 111, null);
  pool.release(a);
  assert.ok(Math.abs(pool.usage() - 0.1) < 1e-12);
  assert.equal(pool.lookup(111), a);
  pool.checkInvariants();
});

Deno.test("BlockPool allocate() evicts the least recently freed block and reports the removal", () => {
  const { pool, events } = newPool(4); // 3 usable
  const blocks = [pool.allocate(), pool.allocate(), pool.allocate()];
  assert.equal(pool.allocate(), -1);
  blocks.forEach((block, i) => pool.cacheBlock(block, 100 + i, i === 0 ? null : 99 + i));
  assert.deepEqual(events.drain(1).map((e) => e.type), ["stored"]);
  pool.release(blocks[1]!);
  pool.release(blocks[0]!);
  pool.release(blocks[2]!);
  const reused = pool.allocate();
  assert.equal(reused, blocks[1]);
  assert.equal(pool.lookup(101), -1);
  assert.equal(pool.lookup(100), blocks[0]);
  assert.deepEqual(events.drain(2), [{ type: "removed", block_hashes: [101], engine_time_ms: 2 }]);
  pool.checkInvariants();
});

Deno.test("BlockPool touch() takes a cached free block out of the eviction queue", () => {
  const { pool } = newPool(3); // 2 usable
  const a = pool.allocate();
  const b = pool.allocate();
  pool.cacheBlock(a, 7, null);
  pool.release(a);
  pool.release(b);
  pool.touch(a);
  assert.equal(pool.refCount(a), 1);
  assert.equal(pool.numFreeBlocks, 1);
  assert.equal(pool.allocate(), b);
  assert.equal(pool.allocate(), -1);
  assert.equal(pool.lookup(7), a);
  pool.checkInvariants();
});

Deno.test("BlockPool cacheBlock() keeps one block per hash and resetPrefixCache() clears all", () => {
  const { pool, events } = newPool(5);
  const a = pool.allocate();
  const b = pool.allocate();
  pool.cacheBlock(a, 5, null);
  pool.cacheBlock(b, 5, null);
  assert.equal(pool.lookup(5), a);
  assert.equal(pool.numCachedBlocks, 1);
  pool.resetPrefixCache();
  assert.equal(pool.lookup(5), -1);
  assert.deepEqual(events.drain(3), [{ type: "cleared", engine_time_ms: 3 }]);
  pool.release(a);
  pool.release(b);
  pool.checkInvariants();
});
