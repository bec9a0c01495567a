/**
 * `deno task sweep:prefix-ratio`: Dynamo's prefix-ratio benchmark on one fleet. Writes per-ratio
 * client outputs, results_summary.json and prefix_ratio_performance.{svg,png}.
 * @module
 */
import { runCli } from "../lib/core/cli.ts";
import { installSignalTeardown, loadFleetSpec } from "../lib/cluster/mod.ts";
import { readStructuredFile } from "../lib/cluster/fleet_spec.ts";
import { mergeConfig, parsePrefixRatioSweepConfig, runPrefixRatioSweep } from "../lib/sweep/mod.ts";
import { prefixRatio } from "../lib/viz/mod.ts";

await runCli({
  usage: "deno task sweep:prefix-ratio [options]",
  summary:
    "Sweeps the shared-prefix ratio of a fixed-length workload on one fleet (default: 4 mock engines behind the kv_aware router) and plots TTFT and throughput per ratio.",
  flags: {
    config: { type: "string", help: "JSON or YAML config; flags override it" },
    fleet: { type: "string", help: "Fleet spec file (JSON or YAML)" },
    "prefix-ratios": {
      type: "string",
      help: "Comma-separated ratios in [0, 1) (default 0.1,0.3,0.5,0.7,0.9)",
    },
    isl: { type: "number", integer: true, min: 1, help: "Input sequence length in tokens (default 14000)" },
    osl: { type: "number", integer: true, min: 1, help: "Output sequence length in tokens (default 200)" },
    requests: { type: "number", integer: true, min: 1, help: "Requests per ratio (default 200)" },
    concurrency: { type: "number", integer: true, min: 1, help: "Client concurrency (default 20)" },
    "num-prefix-groups": {
      type: "number",
      integer: true,
      min: 1,
      help: "Distinct shared prefixes (default 20)",
    },
    seed: { type: "number", integer: true, help: "Seed (incremented per ratio)" },
    out: { type: "string", help: "Output folder (default data/results/prefix_ratio/<timestamp>)" },
  },
}, async (values) => {
  let input: Record<string, unknown> = values.config
    ? (await readStructuredFile(values.config)) as Record<string, unknown>
    : {};
  const overrides: Record<string, unknown> = {};
  if (values.fleet) overrides.fleet = await loadFleetSpec(values.fleet);
  if (values["prefix-ratios"]) overrides.prefixRatios = values["prefix-ratios"].split(",").map(Number);
  if (values.isl !== undefined) overrides.isl = values.isl;
  if (values.osl !== undefined) overrides.osl = values.osl;
  if (values.requests !== undefined) overrides.requests = values.requests;
  if (values.concurrency !== undefined) overrides.concurrency = values.concurrency;
  if (values["num-prefix-groups"] !== undefined) overrides.numPrefixGroups = values["num-prefix-groups"];
  if (values.seed !== undefined) overrides.seed = values.seed;
  overrides.out = values.out ?? input.out ??
    `data/results/prefix_ratio/${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}`;
  input = mergeConfig(input, overrides);
  const config = parsePrefixRatioSweepConfig(input, values.config ?? "flags");
  installSignalTeardown(() => console.error("routebench: interrupted; stopping the fleet"));
  console.log(
    `routebench prefix-ratio sweep: ratios ${
      config.prefixRatios.join(", ")
    }, ISL ${config.isl}, OSL ${config.osl}`,
  );
  const summary = await runPrefixRatioSweep(config, {
    onRatioDone: (ratio, s) =>
      console.log(
        `  ratio ${ratio}: mean TTFT ${s.mean_ttft_ms.toFixed(1)} ms, output ${
          s.output_throughput.toFixed(0)
        } tokens/s, cache hit ${((s.cache_hit_rate ?? 0) * 100).toFixed(1)}%`,
      ),
  });
  const saved = await prefixRatio(summary, { throughputColumn: "output_throughput_tokens_per_s" }).save(
    `${config.out}/prefix_ratio_performance`,
  );
  console.log(`results: ${config.out}/results_summary.json`);
  console.log(`plot:    ${saved.svg}`);
});
