// Goal: the issue-8 budget "the default sweep simulated ≥ 100× faster than it runs live". Method: run
// the default routing-strategy sweep (runStrategySweep, every default) in this process, simulated
// `--iterations` times and (with --live) once live, and print the wall time of each and their ratio.
// The in-process figure excludes Deno start-up, module loading and plotting (what `deno task sweep`
// adds); the first simulated iteration also pays JIT warm-up, so min and median are both printed.
// Run: deno run -A test/bench/sim_sweep_bench.ts [--iterations 5] [--live] [--live-s 70]
//   --live-s: a live wall time measured elsewhere (e.g. `time deno task sweep`), for the ratio.
import { runCli } from "../../lib/core/cli.ts";
import { parseStrategySweepConfig, runStrategySweep } from "../../lib/sweep/mod.ts";

await runCli({
  usage: "deno run -A test/bench/sim_sweep_bench.ts [options]",
  summary: "Times the default strategy sweep simulated (in process) and optionally live; prints the ratio.",
  flags: {
    iterations: { type: "number", integer: true, min: 1, default: 5, help: "Simulated sweeps to time" },
    live: { type: "boolean", help: "Also run the default sweep live once (~70 s)" },
    "live-s": { type: "number", help: "Live wall time in seconds measured elsewhere" },
    "keep-out": { type: "boolean", help: "Keep the output folders (printed) instead of deleting them" },
  },
}, async (values) => {
  const simS: number[] = [];
  for (let i = 0; i < values.iterations; i++) {
    const out = await Deno.makeTempDir({ prefix: "routebench_simbench_" });
    const config = parseStrategySweepConfig({ mode: "sim", out });
    const startedMs = performance.now();
    const result = await runStrategySweep(config);
    simS.push((performance.now() - startedMs) / 1000);
    if (result.outcomes.some((outcome) => outcome.status !== "ok")) throw new Error("a simulated run failed");
    if (values["keep-out"]) console.error(`sim out: ${out}`);
    else await Deno.remove(out, { recursive: true });
  }
  let liveS = values["live-s"];
  if (values.live) {
    const out = await Deno.makeTempDir({ prefix: "routebench_livebench_" });
    const startedMs = performance.now();
    await runStrategySweep(parseStrategySweepConfig({ out }));
    liveS = (performance.now() - startedMs) / 1000;
    if (!values["keep-out"]) await Deno.remove(out, { recursive: true });
  }
  const sorted = [...simS].sort((a, b) => a - b);
  const medianS = sorted[Math.floor(sorted.length / 2)]!;
  console.log(JSON.stringify({
    sim_sweep_s: simS.map((s) => +s.toFixed(3)),
    sim_sweep_min_s: +sorted[0]!.toFixed(3),
    sim_sweep_median_s: +medianS.toFixed(3),
    ...(liveS === undefined ? {} : {
      live_sweep_s: +liveS.toFixed(1),
      speedup_vs_median: +(liveS / medianS).toFixed(1),
      speedup_vs_min: +(liveS / sorted[0]!).toFixed(1),
    }),
  }));
});
