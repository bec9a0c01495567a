// Goal: results_csv.ts reads sweep CSVs via polars, filters rows and names series. Method: the
// fixture CSVs plus in-memory rows.
import assert from "node:assert/strict";
import {
  concurrencySweepRows,
  loadResults,
  resultRows,
  seriesNamer,
  strategySweepRows,
} from "../../lib/viz/results_csv.ts";
import { fixturePaths } from "./_helpers.ts";

Deno.test("loadResults() reads a sweep CSV and resultRows() types numbers and booleans", async () => {
  const { serveCsv } = await fixturePaths();
  const frame = loadResults(serveCsv);
  assert.ok(frame.height > 10);
  const rows = resultRows(serveCsv);
  assert.equal(typeof rows[0]!.mean_ttft_ms, "number");
  assert.equal(rows[0]!.stream, true);
  assert.throws(() => loadResults("/nonexistent.csv"), /file not found/);
});

Deno.test("resultRows() drops failed runs unless asked and applies where filters", () => {
  const rows = [
    { status: "ok", strategy: "pow2", label: "a", x: "1" },
    { status: "failed", strategy: "pow2", label: "a", x: "2" },
    { status: "ok", strategy: "kv_aware", label: "b", x: "3" },
  ];
  assert.equal(resultRows(rows).length, 2);
  assert.equal(resultRows(rows, { includeFailed: true }).length, 3);
  assert.deepEqual(resultRows(rows, { where: { label: ["b"] } }).map((r) => r.x), [3]);
  assert.deepEqual(resultRows(rows, { where: { x: (v: unknown) => (v as number) < 3 } }).map((r) => r.x), [
    1,
  ]);
});

Deno.test("seriesNamer() adds the label only when a strategy ran under several labels", () => {
  const one = [{ strategy: "pow2", label: "a" }, { strategy: "kv_aware", label: "a" }];
  assert.equal(seriesNamer(one)(one[0]!), "pow2");
  const two = [{ strategy: "pow2", label: "a" }, { strategy: "pow2", label: "b" }];
  assert.equal(seriesNamer(two)(two[1]!), "pow2 · b");
  assert.equal(seriesNamer(two, "label")(two[1]!), "b");
});

Deno.test("concurrencySweepRows() and strategySweepRows() split a CSV by concurrency levels per series", async () => {
  const { serveCsv } = await fixturePaths();
  const concurrency = concurrencySweepRows(serveCsv);
  const strategy = strategySweepRows(serveCsv);
  assert.equal(concurrency.length, 14);
  assert.equal(strategy.length, 8);
  assert.ok(concurrency.every((row) => row.label === "fixture-concurrency"));
});
