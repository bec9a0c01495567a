// Goal: chooseRuns() (deno task choose) copies the chosen rows into the chosen CSVs without
// duplicates, merging columns, and copies the run folders. Method: fixture results into temp dirs;
// the CLI for the usage-error path.
import assert from "node:assert/strict";
import { join } from "node:path";
import { chooseRuns } from "../../lib/viz/choose.ts";
import { parseCsvText } from "../../lib/viz/csv_text.ts";
import { fixtureDir } from "./_helpers.ts";

Deno.test("chooseRuns() appends rows by label and run id to the chosen CSVs and copies run folders once", async () => {
  const results = await fixtureDir();
  const data = await Deno.makeTempDir({ prefix: "routebench_choose_" });
  try {
    const first = await chooseRuns({ resultsDir: results, dataDir: data, labels: ["fixture"] });
    assert.deepEqual(first.files.map((f) => [f.path.split("/").pop(), f.added]).sort(), [
      ["engine_chosen_sweep_results.csv", 8],
      ["serve_chosen_sweep_results.csv", 8],
    ]);
    assert.deepEqual(first.copiedRuns, ["fixture-pow2-r0", "fixture-prefix_aware-r0"]);
    assert.equal(first.missingRuns.length, 6);
    await Deno.stat(join(data, "runs", "fixture-pow2-r0", "timeseries.jsonl"));

    const second = await chooseRuns({
      resultsDir: results,
      dataDir: data,
      labels: ["fixture"],
      runIds: ["fixture-concurrency-pow2-c4"],
    });
    const serve = second.files.find((f) => f.path.endsWith("serve_chosen_sweep_results.csv"))!;
    assert.equal(serve.added, 1);
    assert.equal(serve.alreadyPresent, 8);
    assert.deepEqual(second.copiedRuns, []);

    const original = parseCsvText(
      await Deno.readTextFile(join(results, "serve_conversations_sweep_results.csv")),
    );
    const chosen = parseCsvText(await Deno.readTextFile(join(data, "serve_chosen_sweep_results.csv")));
    assert.deepEqual(chosen.columns, original.columns);
    assert.equal(chosen.rows.length, 9);
    assert.deepEqual(chosen.rows[0], original.rows.find((r) => r.run_id === chosen.rows[0]!.run_id));
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("chooseRuns() merges new columns into an existing chosen CSV", async () => {
  const results = await Deno.makeTempDir();
  const data = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(results, "serve_x_sweep_results.csv"), "run_id,label,new_metric\nr2,L,5\n");
    await Deno.writeTextFile(join(data, "serve_chosen_sweep_results.csv"), "run_id,label\nr1,old\n");
    await chooseRuns({ resultsDir: results, dataDir: data, labels: ["L"] });
    const merged = parseCsvText(await Deno.readTextFile(join(data, "serve_chosen_sweep_results.csv")));
    assert.deepEqual(merged.columns, ["run_id", "label", "new_metric"]);
    assert.deepEqual(merged.rows, [{ run_id: "r1", label: "old", new_metric: "" }, {
      run_id: "r2",
      label: "L",
      new_metric: "5",
    }]);
    await assert.rejects(
      () => chooseRuns({ resultsDir: results, dataDir: data, labels: ["nope"] }),
      /No rows with label 'nope'/,
    );
    await assert.rejects(
      () => chooseRuns({ resultsDir: results, dataDir: data }),
      /give --label or --run-id/,
    );
  } finally {
    await Deno.remove(results, { recursive: true });
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("deno task choose exits 2 with one error line when nothing matches", async () => {
  const results = await fixtureDir();
  const script = new URL("../../scripts/choose.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      script,
      "--results",
      results,
      "--data",
      join(results, "unused"),
      "--label",
      "missing",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.equal(
    new TextDecoder().decode(out.stderr).trim(),
    `error: No rows with label 'missing' in ${results}/{serve,engine}_*_sweep_results.csv`,
  );
});
