// Goal: appendRow() adds one whole row or nothing: a new file gets its header, rows keep CSV specials,
// two processes appending at once lose nothing, SIGKILL mid-loop leaves only whole rows, and a newer
// schema widens an older file's header without breaking its rows.
// Method: real subprocesses (test/sweep/_csv_appender.ts) appending to one temp file; rows carry a
// payload derived from (writer, index), so every row read back is checked byte for byte.
import assert from "node:assert/strict";
import { appendRow, readResultsRows } from "../../lib/sweep/mod.ts";
import { fixtureRow, payload, TEST_SCHEMA_V1, TEST_SCHEMA_V2 } from "./_csv_fixture.ts";

const APPENDER = new URL("./_csv_appender.ts", import.meta.url).pathname;

function spawnAppender(path: string, tag: string, count: number, padBytes: number): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", APPENDER, path, tag, String(count), String(padBytes)],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "csv_log_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Checks that every row is exactly what its writer appended and that each writer's rows are 0..n-1. */
function assertWholeRows(rows: Record<string, unknown>[], padBytes: number): Map<string, number> {
  const perWriter = new Map<string, number>();
  for (const row of rows) {
    const [tag, index] = String(row.run_id).split("-");
    const expected = perWriter.get(tag!) ?? 0;
    assert.equal(Number(index), expected, `writer ${tag} rows in order without gaps`);
    assert.equal(row.label, payload(tag!, expected, padBytes), `row ${row.run_id} intact`);
    assert.equal(row.index, expected);
    assert.equal(row.mean_ttft_ms, expected + 0.25);
    assert.equal(row.stream, expected % 2 === 0);
    perWriter.set(tag!, expected + 1);
  }
  return perWriter;
}

Deno.test("appendRow() creates the file with the schema header and round-trips CSV specials", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/results.csv`;
    await appendRow(path, TEST_SCHEMA_V1, fixtureRow("a", 0));
    await appendRow(path, TEST_SCHEMA_V1, { run_id: "b-0", status: "failed", label: "" });
    const text = await Deno.readTextFile(path);
    assert.ok(text.startsWith('schema_version,run_id,status,label,index,mean_ttft_ms,stream\n1,a-0,ok,"'));
    const rows = await readResultsRows(path, { schema: TEST_SCHEMA_V1 });
    assert.deepEqual(rows[0], { schema_version: 1, ...fixtureRow("a", 0) });
    assert.deepEqual(rows[1], {
      schema_version: 1,
      run_id: "b-0",
      status: "failed",
      label: "",
      index: null,
      mean_ttft_ms: null,
      stream: null,
    });
  });
});

Deno.test("appendRow() rejects a bad row with a TypeError naming the column and writes nothing", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/results.csv`;
    await assert.rejects(
      () => appendRow(path, TEST_SCHEMA_V1, { run_id: "x", status: "ok", index: 1.5 }),
      /'index'.*an integer/,
    );
    await assert.rejects(
      () => appendRow(path, TEST_SCHEMA_V1, { run_id: "x", status: "ok", typo_ms: 1 }),
      /'typo_ms'/,
    );
    await assert.rejects(() => appendRow(path, TEST_SCHEMA_V1, { run_id: "x" }), /required column 'status'/);
    await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);
    await Deno.writeTextFile(path, "name,value\nx,1\n");
    await assert.rejects(() => appendRow(path, TEST_SCHEMA_V1, fixtureRow("a", 0)), /not a results CSV/);
  });
});

Deno.test("appendRow() from two subprocesses at once keeps all 400 rows intact", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/results.csv`;
    const writers = [spawnAppender(path, "p", 200, 0), spawnAppender(path, "q", 200, 0)];
    for (const writer of writers) {
      const { code, stderr } = await writer.output();
      assert.equal(code, 0, new TextDecoder().decode(stderr));
    }
    const rows = await readResultsRows(path, { schema: TEST_SCHEMA_V1 });
    assert.equal(rows.length, 400);
    assert.deepEqual([...assertWholeRows(rows, 0)].sort(), [["p", 200], ["q", 200]]);
    const leftovers = [...Deno.readDirSync(dir)].map((entry) => entry.name).filter((name) =>
      name !== "results.csv"
    );
    assert.deepEqual(leftovers, [], "no temp files left");
  });
});

Deno.test("appendRow() calls racing in one process lose nothing", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/results.csv`;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => appendRow(path, TEST_SCHEMA_V1, fixtureRow(`w${i}`, 0))),
    );
    const rows = await readResultsRows(path, { schema: TEST_SCHEMA_V1 });
    assert.equal(rows.length, 40);
    assert.equal(new Set(rows.map((row) => row.run_id)).size, 40);
    assertWholeRows(rows, 0);
  });
});

Deno.test("appendRow() killed with SIGKILL mid-loop leaves only whole rows, and appending goes on", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/results.csv`;
    const padBytes = 20_000; // rows span several pages
    for (const [round, waitRows] of [[0, 5], [1, 12], [2, 20]] as const) {
      const writer = spawnAppender(path, `k${round}`, 0, padBytes);
      for (let polls = 0;; polls++) {
        const rows = await readResultsRows(path).catch(() => []);
        if (rows.filter((row) => String(row.run_id).startsWith(`k${round}-`)).length >= waitRows) break;
        assert.ok(polls < 2000, "appender made no progress");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      writer.kill("SIGKILL");
      const status = await writer.status;
      assert.equal(status.signal, "SIGKILL");
      await writer.stderr.cancel();
    }
    const rows = await readResultsRows(path, { schema: TEST_SCHEMA_V1 });
    const perWriter = assertWholeRows(rows, padBytes);
    assert.deepEqual([...perWriter.keys()], ["k0", "k1", "k2"]);
    await appendRow(path, TEST_SCHEMA_V1, fixtureRow("after", 0, padBytes));
    const after = await readResultsRows(path, { schema: TEST_SCHEMA_V1 });
    assert.equal(after.length, rows.length + 1);
    const leftovers = [...Deno.readDirSync(dir)].map((entry) => entry.name).filter((name) =>
      name !== "results.csv"
    );
    assert.deepEqual(leftovers, [], "temp files of killed appenders are cleaned up");
  });
});

Deno.test("appendRow() with a newer schema appends its columns to an older header; old rows stay readable", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/results.csv`;
    await appendRow(path, TEST_SCHEMA_V1, fixtureRow("old", 0));
    await appendRow(path, TEST_SCHEMA_V1, { run_id: "old-1", status: "ok" });
    await appendRow(path, TEST_SCHEMA_V2, { ...fixtureRow("new", 0), p99_itl_ms: 12.5, note: "a,b" });
    await appendRow(path, TEST_SCHEMA_V1, fixtureRow("old", 2)); // an older writer still appends
    const text = await Deno.readTextFile(path);
    assert.ok(
      text.startsWith("schema_version,run_id,status,label,index,mean_ttft_ms,stream,p99_itl_ms,note\n"),
    );
    const rows = await readResultsRows(path, { schema: TEST_SCHEMA_V2 });
    assert.deepEqual(rows.map((row) => [row.schema_version, row.run_id, row.p99_itl_ms, row.note]), [
      [1, "old-0", null, null],
      [1, "old-1", null, null],
      [2, "new-0", 12.5, "a,b"],
      [1, "old-2", null, null],
    ]);
    assert.equal(rows[0]!.label, payload("old", 0));
    assert.equal(rows[2]!.label, payload("new", 0));
  });
});

Deno.test("appendRow() after a hand edit that dropped the final newline starts the row on its own line", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/results.csv`;
    await Deno.writeTextFile(path, "schema_version,run_id,status\n1,hand-0,ok");
    await appendRow(path, TEST_SCHEMA_V1, fixtureRow("a", 0));
    const rows = await readResultsRows(path, { schema: TEST_SCHEMA_V1 });
    assert.deepEqual(rows.map((row) => [row.run_id, row.label]), [["hand-0", null], [
      "a-0",
      payload("a", 0),
    ]]);
  });
});
