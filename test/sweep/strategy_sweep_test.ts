// Goal: the strategy sweep runs real fleets on loopback and leaves exactly one whole CSV row per
// run in each CSV, the run folders the rows name, and a plot; a crashed engine gives a failed row
// and no orphans; SIGINT leaves no processes and no partial row. Method: run scripts/sweep.ts as a
// subprocess with a tiny, sped-up config and inspect its outputs and the process table.
import assert from "node:assert/strict";
import { readResultsRows } from "../../lib/sweep/csv_read.ts";
import { isAlive, livingChildren } from "../cluster/process_helpers.ts";

const SWEEP_SCRIPT = new URL("../../scripts/sweep.ts", import.meta.url).pathname;
const TINY = [
  "--num-servers",
  "2",
  "--num-prompts",
  "16",
  "--max-conversations",
  "6",
  "--max-output-len",
  "24",
  "--speedup-ratio",
  "20",
  "--max-concurrency",
  "8",
  "--request-rate",
  "inf",
];

function sweepCommand(out: string, extra: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SWEEP_SCRIPT, "--out", out, ...TINY, ...extra],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

Deno.test("sweep: two strategies write two whole rows per CSV, their run folders and a plot", async () => {
  const out = await Deno.makeTempDir({ prefix: "routebench-sweep-test-" });
  const output = await sweepCommand(out, ["--strategies", "round_robin,pow2", "--label", "test"]).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, `${stdout}\n${new TextDecoder().decode(output.stderr)}`);
  const serve = await readResultsRows(`${out}/serve_conversations_sweep_results.csv`);
  const engine = await readResultsRows(`${out}/engine_conversations_sweep_results.csv`);
  assert.deepEqual(serve.map((row) => row.strategy), ["round_robin", "pow2"]);
  assert.deepEqual(engine.map((row) => row.strategy), ["round_robin", "pow2"]);
  for (const row of serve) {
    assert.equal(row.status, "ok", String(row.status_reason));
    assert.equal(row.label, "test");
    assert.equal(Number(row.completed), 16);
    assert.ok(Number(row.mean_ttft_ms) > 0 && Number(row.request_throughput_per_s) > 0);
    const runDir = `${out}/runs/${row.run_id}`;
    for (
      const file of [
        "config.json",
        "summary.json",
        "requests.jsonl",
        "timeseries.jsonl.gz",
        "decisions.jsonl",
        "status.json",
      ]
    ) {
      assert.ok((await Deno.stat(`${runDir}/${file}`)).size > 0, `${runDir}/${file}`);
    }
    const requests = (await Deno.readTextFile(`${runDir}/requests.jsonl`)).trim().split("\n");
    assert.equal(requests.length, 16);
    assert.ok((await Deno.stat(`${runDir}/logs/engine-0.stdout.log`)).isFile);
  }
  for (const row of engine) {
    assert.ok(Number(row.mean_ttft_ms) > 0, "engine TTFT from the scraped histograms");
    assert.equal(Number(row.request_success), 8, "16 requests over 2 replicas");
  }
  const svg = await Deno.readTextFile(`${out}/serve_conversations_sweep_results_mean_ttft_ms.svg`);
  assert.match(svg, /<svg/);
  assert.match(svg, /round_robin/);
  assert.match(svg, /pow2/);
  assert.match(stdout, /mean TTFT ms/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("sweep: an engine killed mid-run gives a failed row, the sweep goes on, no orphans", async () => {
  const out = await Deno.makeTempDir({ prefix: "routebench-sweep-test-" });
  const child = sweepCommand(out, [
    "--strategies",
    "round_robin,pow2",
    "--min-output-len",
    "150",
    "--max-output-len",
    "150",
    "--speedup-ratio",
    "4",
    "--max-concurrency",
    "4",
  ]).spawn();
  const engines = await waitForChildren(child.pid, "scripts/engine.ts", 2);
  await waitForFile(out, "timeseries.jsonl");
  Deno.kill(engines[1]!, "SIGKILL");
  const status = await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  assert.equal(status.code, 1, "a failed run makes the sweep exit 1");
  const serve = await readResultsRows(`${out}/serve_conversations_sweep_results.csv`);
  assert.deepEqual(serve.map((row) => row.status), ["failed", "ok"]);
  assert.match(String(serve[0]!.status_reason), /engine-\d exited/);
  for (const pid of engines) assert.ok(!isAlive(pid), `engine ${pid} still alive`);
  assert.deepEqual(await livingChildren(child.pid), []);
  await Deno.remove(out, { recursive: true });
});

Deno.test("sweep: SIGINT stops the fleet, exits 130 and leaves no partial row", async () => {
  const out = await Deno.makeTempDir({ prefix: "routebench-sweep-test-" });
  const child = sweepCommand(out, [
    "--strategies",
    "round_robin",
    "--num-prompts",
    "400",
    "--max-output-len",
    "200",
    "--speedup-ratio",
    "2",
  ]).spawn();
  const children = await waitForChildren(child.pid, "scripts/", 3);
  Deno.kill(child.pid, "SIGINT");
  const status = await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  assert.equal(status.code, 130);
  for (const pid of children) assert.ok(!isAlive(pid), `child ${pid} still alive`);
  const csvPath = `${out}/serve_conversations_sweep_results.csv`;
  const text = await Deno.readTextFile(csvPath).catch(() => "");
  assert.ok(text === "" || text.endsWith("\n"), "no partial row");
  await Deno.remove(out, { recursive: true });
});

async function waitForFile(out: string, name: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const runs = await Array.fromAsync(Deno.readDir(`${out}/runs`)).catch(() => []);
    for (const run of runs) {
      if (await Deno.stat(`${out}/runs/${run.name}/${name}`).then(() => true, () => false)) return;
    }
    if (performance.now() > deadline) throw new Error(`no run folder got ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitForChildren(parentPid: number, needle: string, count: number): Promise<number[]> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const pids = await livingChildren(parentPid, needle);
    if (pids.length >= count) return pids;
    if (performance.now() > deadline) {
      throw new Error(`only ${pids.length} children matching '${needle}' appeared`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("sweep: a bad workload is one error line, exit 2, and nothing is started or written", async () => {
  const parent = await Deno.makeTempDir({ prefix: "routebench-sweep-test-" });
  const out = `${parent}/out`;
  for (const args of [["--dataset-name", "nope"], ["--dataset-name", "sharegpt"], ["--num-servers", "0"]]) {
    const output = await sweepCommand(out, args).output();
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n");
    assert.equal(output.code, 2, stderr.join("\n"));
    assert.equal(stderr.length, 1, stderr.join("\n"));
    assert.match(stderr[0]!, /^error: /);
    assert.equal(await Deno.stat(out).then(() => true, () => false), false, "the out folder was created");
  }
  await Deno.remove(parent, { recursive: true });
});
