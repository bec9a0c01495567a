// Goal: block hashes are chained (equal hash ⇔ equal prefix), cover full blocks only, and reject a
// bad block size. Method: hash constructed id lists.
import assert from "node:assert/strict";
import { blockHashes } from "../../lib/core/block_hash.ts";

Deno.test("blockHashes() hashes full blocks only", () => {
  const ids = Array.from({ length: 35 }, (_, i) => i + 1000);
  assert.equal(blockHashes(ids, 16).length, 2);
  assert.equal(blockHashes(ids.slice(0, 15), 16).length, 0);
});

Deno.test("blockHashes() are chained: a change in block 0 changes every later hash", () => {
  const a = Array.from({ length: 48 }, (_, i) => i + 300);
  const b = [...a];
  b[3] = 9999;
  const ha = blockHashes(a, 16);
  const hb = blockHashes(b, 16);
  for (let i = 0; i < 3; i++) assert.notEqual(ha[i], hb[i]);
  const c = [...a];
  c[40] = 9999;
  const hc = blockHashes(c, 16);
  assert.deepEqual(hc.slice(0, 2), ha.slice(0, 2));
  assert.notEqual(hc[2], ha[2]);
});

Deno.test("blockHashes() depend on position: equal blocks at different depths differ", () => {
  const block = Array.from({ length: 16 }, (_, i) => i + 500);
  const hashes = blockHashes([...block, ...block], 16);
  assert.notEqual(hashes[0], hashes[1]);
  assert.ok(hashes.every((hash) => Number.isSafeInteger(hash) && hash >= 0));
});

Deno.test("blockHashes() rejects a non-positive block size", () => {
  assert.throws(() => blockHashes([1, 2, 3], 0), RangeError);
});
