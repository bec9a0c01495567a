// Goal: run_folder.ts reads the contract's run folder and names replicas. Method: load the seeded
// fixture runs; feed malformed files and keys.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  backendNamer,
  listRuns,
  loadRun,
  parseSeriesKey,
  runFromParts,
  seriesNamed,
} from "../../lib/viz/run_folder.ts";
import { fixturePaths } from "./_helpers.ts";

Deno.test("parseSeriesKey() splits a vLLM series key into name and labels, with escapes", () => {
  assert.deepEqual(
    parseSeriesKey('vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen2.5-1.5B-Instruct"}'),
    {
      name: "vllm:kv_cache_usage_perc",
      labels: { engine: "0", model_name: "Qwen/Qwen2.5-1.5B-Instruct" },
    },
  );
  assert.deepEqual(parseSeriesKey('x{a="q\\"uote",b="new\\nline"}').labels, { a: 'q"uote', b: "new\nline" });
  assert.deepEqual(parseSeriesKey("plain"), { name: "plain", labels: {} });
  assert.throws(() => parseSeriesKey("x{a=1}"), TypeError);
});

Deno.test("loadRun() indexes the timeseries per series and reads config, status and decisions", async () => {
  const paths = await fixturePaths();
  const run = loadRun(paths.pow2Run);
  assert.equal(run.id, "fixture-pow2-r0");
  assert.equal(run.status?.status, "ok");
  assert.equal(seriesNamed(run, "vllm:kv_cache_usage_perc").length, 4);
  assert.equal(seriesNamed(run, "routebench_router_backend_in_flight").length, 4);
  assert.ok(run.decisions.length > 10);
  assert.ok(run.pointCount > 1000);
  const name = backendNamer(run);
  assert.equal(name("http://127.0.0.1:8101"), "engine-1");
  assert.equal(name("http://127.0.0.1:9999/"), ":9999");
  assert.deepEqual(listRuns(join(paths.dir, "runs")), [
    "fixture-8x-prefix_aware",
    "fixture-pow2-r0",
    "fixture-prefix_aware-r0",
  ]);
});

Deno.test("loadRun() names the file and line of a malformed timeseries line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "timeseries.jsonl"),
      '{"t_ms":1,"target":"router","metrics":{}}\nnot json\n',
    );
    assert.throws(() => loadRun(dir), /timeseries\.jsonl line 2: not JSON/);
    assert.throws(() => loadRun(join(dir, "missing")), /not a directory/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runFromParts() builds a run from in-memory lines", () => {
  const run = runFromParts({
    id: "m",
    lines: [{ t_ms: 5, target: "engine-0", metrics: { 'g{engine="0"}': 1 } }],
  });
  assert.equal(run.startMs, 5);
  assert.equal(seriesNamed(run, "g")[0]!.values[0], 1);
});
