/**
 * `deno task sweep:concurrency`: Dynamo's concurrency benchmark across named deployments. Writes
 * `<out>/<deployment>/c<N>/`, serve_concurrency_sweep_results.csv, SUMMARY.txt and the plots.
 * @module
 */
import { runCli, UsageError } from "../lib/core/cli.ts";
import { installSignalTeardown, loadFleetSpec } from "../lib/cluster/mod.ts";
import { readStructuredFile } from "../lib/cluster/fleet_spec.ts";
import { mergeConfig, parseConcurrencySweepConfig, runConcurrencySweep } from "../lib/sweep/mod.ts";
import {
  efficiencyPareto,
  itlVsConcurrency,
  throughputVsConcurrency,
  ttftVsConcurrency,
} from "../lib/viz/mod.ts";

await runCli({
  usage: "deno task sweep:concurrency [--deployment NAME=FLEET_FILE ...] [options]",
  summary:
    "Runs a fixed ISL/OSL workload at concurrencies 1..128 against each named deployment (default: 4 mock engines behind round_robin, and behind kv_aware) and plots latency, throughput and tokens/s/GPU vs tokens/s/user.",
  flags: {
    config: { type: "string", help: "JSON or YAML config; flags override it" },
    deployment: {
      type: "list",
      help: "NAME=FLEET_FILE (JSON or YAML fleet spec); repeat for each deployment",
    },
    concurrencies: { type: "string", help: "Comma-separated levels (default 1,2,4,8,16,32,64,128)" },
    isl: { type: "number", integer: true, min: 1, help: "Input sequence length in tokens (default 200)" },
    osl: { type: "number", integer: true, min: 1, help: "Output sequence length in tokens (default 200)" },
    seed: { type: "number", integer: true, help: "Seed" },
    out: { type: "string", help: "Output folder (default data/results/concurrency/<timestamp>)" },
  },
}, async (values) => {
  let input: Record<string, unknown> = values.config
    ? (await readStructuredFile(values.config)) as Record<string, unknown>
    : {};
  const overrides: Record<string, unknown> = {};
  if (values.deployment.length > 0) {
    const deployments: Record<string, unknown> = {};
    for (const entry of values.deployment) {
      const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(entry);
      if (!match) throw new UsageError(`--deployment expects NAME=FLEET_FILE: got '${entry}'`);
      deployments[match[1]!] = await loadFleetSpec(match[2]!);
    }
    overrides.deployments = deployments;
  }
  if (values.concurrencies) overrides.concurrencies = values.concurrencies.split(",").map(Number);
  if (values.isl !== undefined) overrides.isl = values.isl;
  if (values.osl !== undefined) overrides.osl = values.osl;
  if (values.seed !== undefined) overrides.seed = values.seed;
  overrides.out = values.out ?? input.out ??
    `data/results/concurrency/${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}`;
  input = mergeConfig(input, overrides);
  const config = parseConcurrencySweepConfig(input, values.config ?? "flags");
  installSignalTeardown(() => console.error("routebench: interrupted; stopping the fleet"));
  console.log(
    `routebench concurrency sweep: ${Object.keys(config.deployments).join(", ")} at concurrency ${
      config.concurrencies.join(", ")
    }`,
  );
  await runConcurrencySweep(config, {
    onPointDone: (point) =>
      console.log(
        `  ${point.deployment} c${point.concurrency}: ${
          point.summary.request_throughput.toFixed(2)
        } req/s, p50 TTFT ${point.summary.median_ttft_ms.toFixed(1)} ms, p50 ITL ${
          point.summary.median_itl_ms.toFixed(2)
        } ms`,
      ),
  });
  const csv = `${config.out}/serve_concurrency_sweep_results.csv`;
  await Deno.mkdir(`${config.out}/plots`, { recursive: true });
  for (
    const [name, figure] of Object.entries({
      p50_inter_token_latency_vs_concurrency: itlVsConcurrency(csv),
      avg_time_to_first_token_vs_concurrency: ttftVsConcurrency(csv),
      request_throughput_vs_concurrency: throughputVsConcurrency(csv),
      efficiency_tok_s_gpu_vs_user: efficiencyPareto(csv),
    })
  ) {
    await figure.save(`${config.out}/plots/${name}`);
  }
  console.log(await Deno.readTextFile(`${config.out}/SUMMARY.txt`));
  console.log(`results: ${csv}`);
  console.log(`plots:   ${config.out}/plots/`);
});
