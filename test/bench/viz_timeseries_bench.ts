// Goal: a 1,000,000-point timeseries renders to SVG in ≤ 5 s (issue 7). Method: deno bench over
// (a) an in-memory run with 1M gauge samples across 8 replicas → engineMetricTimeseries → toSvg, and
// (b) the same from a timeseries.jsonl file on disk (loadRun included).
// Run: deno bench -A test/bench/viz_timeseries_bench.ts
import { join } from "node:path";
import { engineMetricTimeseries } from "../../lib/viz/engine_metric_timeseries.ts";
import { loadDistribution } from "../../lib/viz/load_distribution.ts";
import { loadRun, runFromParts } from "../../lib/viz/run_folder.ts";

const POINTS = 1_000_000;
const REPLICAS = 8;

function* lines() {
  for (let i = 0; i < POINTS; i++) {
    const replica = i % REPLICAS;
    const tick = Math.floor(i / REPLICAS);
    yield {
      t_ms: 1_700_000_000_000 + tick * 100 + replica,
      target: `engine-${replica}`,
      metrics: { [`vllm:num_requests_running{engine="0",model_name="m"}`]: (tick * 31 + replica * 7) % 17 },
    };
  }
}

const dir = await Deno.makeTempDir({ prefix: "routebench_viz_bench_" });
await Deno.writeTextFile(
  join(dir, "timeseries.jsonl"),
  [...lines()].map((l) => JSON.stringify(l)).join("\n") + "\n",
);
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.bench({ name: "1M-point gauge, in memory: engineMetricTimeseries → SVG", n: 5, warmup: 1 }, () => {
  const run = runFromParts({ id: "bench", lines: lines() });
  const svg = engineMetricTimeseries(run, "vllm:num_requests_running").toSvg();
  if (!svg.includes("Downsampled for display: 1,000,000")) throw new Error("missing downsampling note");
});

Deno.bench({
  name: "1M-point gauge, from timeseries.jsonl: loadRun + engineMetricTimeseries → SVG",
  n: 3,
  warmup: 1,
}, () => {
  const run = loadRun(dir);
  engineMetricTimeseries(run, "vllm:num_requests_running").toSvg();
});

Deno.bench({
  name: "1M-point gauge, in memory: loadDistribution fallback (running + waiting) → SVG",
  n: 3,
  warmup: 1,
}, () => {
  loadDistribution(runFromParts({ id: "bench", lines: lines() })).toSvg();
});
