// Goal: windows.ts computes windowed histogram means, counter rates (through resets) and bucket
// quantiles correctly. Method: hand-made series with known answers.
import assert from "node:assert/strict";
import { counterWindowRates, histogramQuantile, histogramWindowMeans } from "../../lib/viz/windows.ts";
import type { Series } from "../../lib/viz/run_folder.ts";

function series(tMs: number[], values: number[]): Series {
  return { target: "engine-0", key: "x", name: "x", labels: {}, tMs, values };
}

Deno.test("histogramWindowMeans() gives Δsum/Δcount per window and skips empty windows", () => {
  const sum = series([0, 500, 1000, 1500, 2000, 3000], [0, 1, 2, 2, 2, 5]);
  const count = series([0, 500, 1000, 1500, 2000, 3000], [0, 2, 4, 4, 4, 5]);
  const points = histogramWindowMeans(sum, count, 0, 3000, 1000);
  assert.deepEqual(points, [{ tS: 1, value: 0.5 }, { tS: 3, value: 3 }]);
});

Deno.test("counterWindowRates() treats a decrease as a counter reset", () => {
  const counter = series([0, 1000, 2000, 3000], [0, 10, 4, 10]);
  assert.deepEqual(counterWindowRates(counter, 0, 3000, 1000).map((p) => p.value), [10, 4, 6]);
});

Deno.test("histogramQuantile() interpolates inside the bucket like Prometheus", () => {
  const buckets = [{ le: 0.1, count: 50 }, { le: 0.2, count: 100 }, { le: Infinity, count: 100 }];
  assert.equal(histogramQuantile(buckets, 0.5), 0.1);
  assert.ok(Math.abs(histogramQuantile(buckets, 0.75)! - 0.15) < 1e-12);
  assert.equal(histogramQuantile([{ le: Infinity, count: 0 }], 0.5), undefined);
});
