// Goal: KvIndex gives Dynamo-style overlaps (leading blocks only), follows stored/removed/cleared
// events, expires routed blocks after the TTL, and prunes earliest-expiry/deepest first when over
// its bound. Method: hand-built hash sequences.
import assert from "node:assert/strict";
import { KvIndex } from "../../lib/router/kv_index.ts";

const options = { ttlMs: 1000, maxBlocks: 100, pruneTargetRatio: 0.8 };

Deno.test("KvIndex.overlap() counts only the leading blocks each worker holds", () => {
  const index = new KvIndex(options);
  index.store("a", [1, 2, 3, 4]);
  index.store("b", [1, 2]);
  index.store("c", [2, 3, 4]); // no first block: no overlap
  assert.deepEqual([...index.overlap([1, 2, 3, 9])], [["a", 3], ["b", 2]]);
  assert.deepEqual([...index.overlap([7, 1])], []);
  assert.equal(index.treeSize("a"), 4);
  assert.equal(index.size, 9);
});

Deno.test("KvIndex.remove() and clearWorker() follow removed and cleared events", () => {
  const index = new KvIndex(options);
  index.store("a", [1, 2, 3]);
  index.store("b", [1, 2, 3]);
  index.remove("a", [2]);
  assert.deepEqual([...index.overlap([1, 2, 3])], [["a", 1], ["b", 3]]);
  index.clearWorker("b");
  assert.deepEqual([...index.overlap([1, 2, 3])], [["a", 1]]);
  assert.equal(index.size, 2);
  index.remove("ghost", [1]);
  index.clearWorker("ghost");
});

Deno.test("KvIndex.storeRouted() entries expire after the TTL unless routed again", () => {
  const index = new KvIndex(options);
  index.storeRouted("a", [1, 2, 3], 0);
  index.storeRouted("b", [1, 2], 0);
  index.storeRouted("a", [1, 2], 500); // refresh a's first two blocks
  index.expire(999);
  assert.deepEqual([...index.overlap([1, 2, 3])], [["a", 3], ["b", 2]]);
  index.expire(1000);
  assert.deepEqual([...index.overlap([1, 2, 3])], [["a", 2]]);
  index.expire(1500);
  assert.equal(index.size, 0);
});

Deno.test("KvIndex prunes to the target ratio, earliest expiry and deepest blocks first", () => {
  const index = new KvIndex({ ttlMs: 1000, maxBlocks: 10, pruneTargetRatio: 0.5 });
  index.storeRouted("a", [1, 2, 3, 4], 0);
  index.storeRouted("b", [5, 6, 7, 8], 1);
  index.storeRouted("c", [9, 10, 11], 2); // 11 entries > 10: prune to ≤ 5
  assert.ok(index.size <= 5, `size ${index.size}`);
  assert.equal(index.treeSize("a"), 0, "the earliest record goes first");
  assert.equal(index.treeSize("c"), 3);
});
