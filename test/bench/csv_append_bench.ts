/**
 * Cost of appendRow() (lock + copy + fsync + rename) on a serve results CSV that already holds 100 and
 * 1000 rows of SERVE_RESULTS_SCHEMA, and of reading it back.
 *
 *   deno bench -A test/bench/csv_append_bench.ts
 *
 * @module
 */
import { appendRow, readResultsCsv, readResultsRows, SERVE_RESULTS_SCHEMA } from "../../lib/sweep/mod.ts";

const dir = await Deno.makeTempDir({ prefix: "csv_append_bench_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

function serveRow(index: number): Record<string, string | number | boolean> {
  const row: Record<string, string | number | boolean> = {
    run_id: `20261123-000000-prefix_aware-${index}`,
    status: "ok",
    label: 'prefix_aware_with_eviction, "quoted"',
    strategy: "prefix_aware",
    model: "Qwen/Qwen2.5-1.5B-Instruct",
    num_servers: 4,
    stream: true,
  };
  for (const column of SERVE_RESULTS_SCHEMA.columns) {
    if (column.name in row || column.name === "schema_version") continue;
    if (column.type === "number") row[column.name] = 1234.5678 + index;
    if (column.type === "integer") row[column.name] = index;
  }
  return row;
}

for (const rows of [100, 1000]) {
  const path = `${dir}/serve_${rows}.csv`;
  for (let i = 0; i < rows; i++) await appendRow(path, SERVE_RESULTS_SCHEMA, serveRow(i));
  let next = rows;
  Deno.bench(`appendRow() to a file of ${rows} rows`, { group: "append" }, async () => {
    await appendRow(path, SERVE_RESULTS_SCHEMA, serveRow(next++));
  });
  Deno.bench(`readResultsRows() of ${rows} rows`, { group: "read" }, async () => {
    await readResultsRows(path, { schema: SERVE_RESULTS_SCHEMA });
  });
  Deno.bench(`readResultsCsv() (polars) of ${rows} rows`, { group: "read" }, async () => {
    await readResultsCsv(path, { schema: SERVE_RESULTS_SCHEMA });
  });
}
