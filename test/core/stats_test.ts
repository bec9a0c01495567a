/**
 * Goal: the statistics match numpy (mean, median, population std, linear percentiles).
 * Method: hand-computed cases, including numpy's documented interpolation examples.
 */
import assert from "node:assert/strict";
import { mean, metricStats, percentile, populationStd } from "../../lib/core/stats.ts";

Deno.test("percentile() interpolates linearly like numpy", () => {
  // numpy.percentile([10, 7, 4, 3, 2, 1], 50) = 3.5; h = 5 * 0.9 = 4.5 → 7 + 0.5 * (10 - 7) = 8.5
  assert.equal(percentile([10, 7, 4, 3, 2, 1], 50), 3.5);
  assert.equal(percentile([10, 7, 4, 3, 2, 1], 90), 8.5);
  // h = 3 * 0.99 = 2.97 → 3 + 0.97 * (4 - 3)
  assert.ok(Math.abs(percentile([1, 2, 3, 4], 99) - 3.97) < 1e-12);
  assert.equal(percentile([5], 99), 5);
  assert.equal(percentile([], 50), 0);
  assert.equal(percentile([1, 2], 0), 1);
  assert.equal(percentile([1, 2], 100), 2);
  assert.throws(() => percentile([1], 101), RangeError);
});

Deno.test("populationStd() divides by n (numpy ddof=0)", () => {
  // mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, /8 = 4 → std 2
  assert.equal(populationStd([2, 4, 4, 4, 5, 5, 7, 9]), 2);
  assert.equal(populationStd([]), 0);
  assert.equal(mean([1, 2, 3, 4]), 2.5);
});

Deno.test("metricStats() returns the sglang set and 0 for an empty list", () => {
  const stats = metricStats([4, 1, 3, 2]);
  assert.equal(stats.mean, 2.5);
  assert.equal(stats.median, 2.5);
  assert.ok(Math.abs(stats.std - Math.sqrt(1.25)) < 1e-12);
  assert.ok(Math.abs(stats.p90 - 3.7) < 1e-12);
  assert.ok(Math.abs(stats.p95 - 3.85) < 1e-12);
  assert.ok(Math.abs(stats.p99 - 3.97) < 1e-12);
  assert.deepEqual(metricStats([]), { mean: 0, median: 0, std: 0, p90: 0, p95: 0, p99: 0 });
});
