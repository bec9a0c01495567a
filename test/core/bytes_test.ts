// Goal: concatBytes joins pieces in order into a new array (empty pieces and no pieces included).
import assert from "node:assert/strict";
import { concatBytes } from "../../lib/core/bytes.ts";

Deno.test("concatBytes() joins pieces in order into a fresh array", () => {
  const a = new Uint8Array([1, 2]);
  const joined = concatBytes([a, new Uint8Array(0), new Uint8Array([3])]);
  assert.deepEqual(joined, new Uint8Array([1, 2, 3]));
  a[0] = 9;
  assert.equal(joined[0], 1, "a copy, not a view");
  assert.deepEqual(concatBytes([]), new Uint8Array(0));
});
