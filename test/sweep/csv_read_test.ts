// Goal: readResultsCsv() gives a nodejs-polars DataFrame with the schema's types (also for a column
// that only newer rows fill) and the CSV specials intact; readResultsRows() does the same without polars.
// Method: append rows with appendRow (two schema versions), read them both ways.
import assert from "node:assert/strict";
import { appendRow, readResultsCsv, readResultsRows } from "../../lib/sweep/mod.ts";
import { fixtureRow, payload, TEST_SCHEMA_V1, TEST_SCHEMA_V2 } from "./_csv_fixture.ts";

async function writeFixture(dir: string): Promise<string> {
  const path = `${dir}/serve_test_sweep_results.csv`;
  await appendRow(path, TEST_SCHEMA_V1, fixtureRow("a", 0));
  await appendRow(path, TEST_SCHEMA_V1, { ...fixtureRow("a", 1), mean_ttft_ms: NaN });
  await appendRow(path, TEST_SCHEMA_V2, {
    ...fixtureRow("a", 2),
    mean_ttft_ms: Infinity,
    p99_itl_ms: 3.5,
    note: 'x "y"',
  });
  return path;
}

Deno.test("readResultsCsv() returns a polars DataFrame typed by the schema", async () => {
  const dir = await Deno.makeTempDir({ prefix: "csv_read_test_" });
  try {
    const df = await readResultsCsv(await writeFixture(dir), { schema: TEST_SCHEMA_V2 });
    assert.equal(df.height, 3);
    assert.deepEqual(df.columns, [
      "schema_version",
      "run_id",
      "status",
      "label",
      "index",
      "mean_ttft_ms",
      "stream",
      "p99_itl_ms",
      "note",
    ]);
    const types = Object.fromEntries(df.columns.map((name, i) => [name, String(df.dtypes[i])]));
    assert.match(types.schema_version!, /Int64/);
    assert.match(types.mean_ttft_ms!, /Float64/);
    assert.match(types.p99_itl_ms!, /Float64/, "typed although older rows are empty");
    assert.match(types.stream!, /Bool/);
    assert.match(types.label!, /String|Utf8/);
    assert.deepEqual(df.getColumn("label").toArray(), [payload("a", 0), payload("a", 1), payload("a", 2)]);
    const ttft = df.getColumn("mean_ttft_ms").toArray() as number[];
    assert.equal(ttft[0], 0.25);
    assert.ok(Number.isNaN(ttft[1]));
    assert.equal(ttft[2], Infinity);
    assert.deepEqual(df.getColumn("p99_itl_ms").toArray(), [null, null, 3.5]);
    assert.deepEqual(df.getColumn("stream").toArray(), [true, false, true]);
    assert.deepEqual(df.getColumn("note").toArray(), [null, null, 'x "y"']);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readResultsCsv() without a schema infers types over the whole file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "csv_read_test_" });
  try {
    const df = await readResultsCsv(await writeFixture(dir));
    assert.equal(df.height, 3);
    assert.match(String(df.getColumn("index").dtype), /Int64/);
    assert.deepEqual(df.getColumn("p99_itl_ms").toArray(), [null, null, 3.5]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readResultsRows() returns typed plain objects with the schema, strings without", async () => {
  const dir = await Deno.makeTempDir({ prefix: "csv_read_test_" });
  try {
    const path = await writeFixture(dir);
    const typed = await readResultsRows(path, { schema: TEST_SCHEMA_V2 });
    assert.deepEqual(typed[2], {
      schema_version: 2,
      ...fixtureRow("a", 2),
      mean_ttft_ms: Infinity,
      p99_itl_ms: 3.5,
      note: 'x "y"',
    });
    assert.ok(Number.isNaN(typed[1]!.mean_ttft_ms));
    const plain = await readResultsRows(path);
    assert.equal(plain[0]!.index, "0");
    assert.equal(plain[0]!.p99_itl_ms, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
