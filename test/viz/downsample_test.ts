// Goal: downsampleMinMax() bounds the point count and keeps extremes. Method: synthetic series.
import assert from "node:assert/strict";
import { downsampleMinMax, downsampleNote } from "../../lib/viz/downsample.ts";

Deno.test("downsampleMinMax() keeps at most maxPoints, in time order, including the global min and max", () => {
  const n = 100_000;
  const t = Float64Array.from({ length: n }, (_, i) => i);
  const v = Float64Array.from(
    { length: n },
    (_, i) => Math.sin(i / 500) + (i === 77_777 ? 50 : 0) - (i === 12_345 ? 40 : 0),
  );
  const out = downsampleMinMax(t, v, 1000);
  assert.ok(out.t.length <= 1000);
  assert.ok(out.downsampled);
  assert.ok(out.t.every((x, i) => i === 0 || x >= out.t[i - 1]!));
  assert.ok(out.v.includes(v[77_777]!));
  assert.ok(out.v.includes(v[12_345]!));
});

Deno.test("downsampleMinMax() returns small inputs unchanged and rejects mismatched lengths", () => {
  const out = downsampleMinMax([1, 2, 3], [4, 5, 6], 1000);
  assert.deepEqual(out, { t: [1, 2, 3], v: [4, 5, 6], inputPoints: 3, downsampled: false });
  assert.throws(() => downsampleMinMax([1], [1, 2], 10), RangeError);
  assert.equal(downsampleNote(10, 10), undefined);
  assert.match(downsampleNote(1_000_000, 8000)!, /1,000,000 → 8,000/);
});
