// Goal: the simulated sweep (mode "sim") is deterministic for a seed, and agrees with the live sweep
// on the default configuration: per strategy, mean TTFT, mean TPOT and request throughput within 5%,
// and the same order of strategies by mean TTFT wherever two strategies differ by more than that.
// Method: run the sweep driver in both modes into temporary folders and compare the serve CSV rows.
import assert from "node:assert/strict";
import { readTimeseriesRecords } from "../../lib/prom/timeseries.ts";
import { parseStrategySweepConfig, readResultsRows, runStrategySweep } from "../../lib/sweep/mod.ts";

const VARYING_COLUMNS = new Set(["run_id", "started_at"]);

async function simulatedRows(out: string, seed: number): Promise<Record<string, unknown>[]> {
  const config = parseStrategySweepConfig({
    out,
    mode: "sim",
    seed,
    strategies: ["pow2", "prefix_aware", "kv_aware"],
    workload: { numPrompts: 120, maxConversations: 40 },
  });
  const result = await runStrategySweep(config);
  return [
    ...(await readResultsRows(result.serveCsvPath)),
    ...(await readResultsRows(result.engineCsvPath)),
  ].map((row) => Object.fromEntries(Object.entries(row).filter(([name]) => !VARYING_COLUMNS.has(name))));
}

Deno.test("simulated sweep: two runs with one seed give identical rows", async () => {
  const a = await Deno.makeTempDir({ prefix: "routebench-sim-a-" });
  const b = await Deno.makeTempDir({ prefix: "routebench-sim-b-" });
  try {
    const first = await simulatedRows(a, 7);
    const second = await simulatedRows(b, 7);
    assert.equal(first.length, 6);
    assert.ok(first.every((row) => row.status === "ok" && row.mode === "sim"));
    assert.deepEqual(second, first);
    const other = await simulatedRows(b, 8);
    assert.notDeepEqual(other, first, "a different seed gives a different workload");
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("simulated sweep writes the run folder files a live run writes", async () => {
  const out = await Deno.makeTempDir({ prefix: "routebench-sim-" });
  try {
    const config = parseStrategySweepConfig({
      out,
      mode: "sim",
      strategies: ["prefix_aware"],
      workload: { numPrompts: 30 },
    });
    const result = await runStrategySweep(config);
    const runDir = result.outcomes[0]!.runDir;
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
      assert.ok((await Deno.stat(`${runDir}/${file}`)).size > 0, file);
    }
    const timeseries = readTimeseriesRecords(`${runDir}/timeseries.jsonl`);
    const targets = new Set(timeseries.map((record) => record.target));
    assert.deepEqual([...targets].sort(), ["engine-0", "engine-1", "engine-2", "engine-3", "router"]);
    const engineTimes = timeseries.filter((record) => record.target === "engine-0").map((record) =>
      record.t_ms
    );
    for (let i = 1; i < engineTimes.length; i++) assert.equal(engineTimes[i]! - engineTimes[i - 1]!, 100);
    const decisions = (await Deno.readTextFile(`${runDir}/decisions.jsonl`)).trim().split("\n");
    assert.equal(decisions.length, 30);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test({
  name: "default sweep: simulated agrees with live within 5% per strategy, same ranking",
  // The live half runs the full default sweep (about 45 s); set ROUTEBENCH_SKIP_LIVE_SIM=1 to skip.
  ignore: Deno.env.get("ROUTEBENCH_SKIP_LIVE_SIM") === "1",
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "routebench-live-sim-" });
    try {
      const live = await runStrategySweep(parseStrategySweepConfig({ out: `${out}/live` }));
      const sim = await runStrategySweep(parseStrategySweepConfig({ out: `${out}/sim`, mode: "sim" }));
      const liveRows = await readResultsRows(live.serveCsvPath);
      const simRows = await readResultsRows(sim.serveCsvPath);
      const report: string[] = [];
      const metrics = ["mean_ttft_ms", "mean_tpot_ms", "request_throughput_per_s"];
      for (const liveRow of liveRows) {
        const simRow = simRows.find((row) => row.strategy === liveRow.strategy)!;
        for (const metric of metrics) {
          const a = Number(liveRow[metric]);
          const b = Number(simRow[metric]);
          const error = Math.abs(b - a) / a;
          const mark = error <= 0.05 ? "  " : "✗ ";
          report.push(
            `${mark}${liveRow.strategy} ${metric}: live ${a.toFixed(3)} sim ${b.toFixed(3)} (${
              (error * 100).toFixed(1)
            }%)`,
          );
        }
      }
      assert.ok(!report.some((line) => line.startsWith("✗")), report.join("\n"));
      for (const x of liveRows) {
        for (const y of liveRows) {
          const liveX = Number(x.mean_ttft_ms);
          const liveY = Number(y.mean_ttft_ms);
          if (!(liveX < liveY * 0.95)) continue;
          const simX = Number(simRows.find((row) => row.strategy === x.strategy)!.mean_ttft_ms);
          const simY = Number(simRows.find((row) => row.strategy === y.strategy)!.mean_ttft_ms);
          assert.ok(
            simX < simY,
            `live ranks ${x.strategy} before ${y.strategy}, simulation does not\n${report.join("\n")}`,
          );
        }
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
