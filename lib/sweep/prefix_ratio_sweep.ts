/**
 * The prefix-ratio sweep (Dynamo's benchmarks/router/prefix_ratio_benchmark.py): one fleet, and for
 * each prefix ratio a `prefix-ratio` workload (ISL tokens of which `ratio` is a prefix shared within
 * a group) at a fixed concurrency. Writes each ratio's client outputs, `results_summary.json` with
 * TTFT and throughput per ratio, and returns them for plotting.
 * @module
 */
import { z } from "zod";
import { UsageError } from "../core/cli.ts";
import { createRng } from "../core/rng.ts";
import { formatZodIssue } from "../cluster/fleet_spec.ts";
import { startFleet } from "../cluster/fleet.ts";
import { type BenchmarkSummary, runBenchmark, writeRecordsJsonl, writeSummaryJson } from "../client/mod.ts";
import { createWorkload } from "../workload/mod.ts";
import { serveRowValues } from "./results_schemas.ts";
import type { CsvValue } from "./csv_format.ts";

/** Schema of a prefix-ratio sweep; Dynamo's defaults except a mock speedup to keep it short. */
export const prefixRatioSweepConfigSchema = z.object({
  prefixRatios: z.array(z.number().min(0).lt(1)).min(1).default([0.1, 0.3, 0.5, 0.7, 0.9]),
  isl: z.number().int().min(1).default(14000),
  osl: z.number().int().min(1).default(200),
  requests: z.number().int().min(1).default(200),
  concurrency: z.number().int().min(1).default(20),
  numPrefixGroups: z.number().int().min(1).default(20),
  seed: z.number().int().default(0),
  out: z.string().default("data/results/prefix_ratio"),
  /** The fleet (see lib/cluster fleet spec); default: 4 mock engines behind the kv_aware router. */
  fleet: z.record(z.string(), z.unknown()).default({
    engines: [{ kind: "mock", count: 4, speedupRatio: 10 }],
    router: { kind: "routebench", strategy: "kv_aware" },
  }),
}).strict();

/** A resolved prefix-ratio sweep config. */
export type PrefixRatioSweepConfig = z.infer<typeof prefixRatioSweepConfigSchema>;

/** `results_summary.json`, as Dynamo's script writes it (plus our per-ratio summaries' folders). */
export interface PrefixRatioSummary {
  prefix_ratios: number[];
  ttft_values: number[];
  throughput_values: number[];
  /** Output tokens per second, per ratio. */
  throughput_unit: "output_tokens_per_s";
  ttft_unit: "ms";
  run_dirs: string[];
  /** One row per ratio, for plotting: strategy, prefix_ratio, mean_ttft_ms, output_throughput_tokens_per_s, ... */
  results: Array<Record<string, CsvValue>>;
  config: PrefixRatioSweepConfig;
}

/** Validates a config; throws UsageError naming the first bad field. */
export function parsePrefixRatioSweepConfig(
  input: unknown,
  source = "prefix-ratio config",
): PrefixRatioSweepConfig {
  const result = prefixRatioSweepConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new UsageError(`${source}: ${formatZodIssue(result.error.issues[0]!)}`);
  return result.data;
}

/** Runs every ratio on one fleet and writes `<out>/results_summary.json`. */
export async function runPrefixRatioSweep(
  config: PrefixRatioSweepConfig,
  options: { signal?: AbortSignal; onRatioDone?: (ratio: number, summary: BenchmarkSummary) => void } = {},
): Promise<PrefixRatioSummary> {
  await Deno.mkdir(`${config.out}/logs`, { recursive: true });
  const fleet = await startFleet(config.fleet as never, {
    runDir: config.out,
    decisionLogPath: `${config.out}/decisions.jsonl`,
  });
  const summary: PrefixRatioSummary = {
    prefix_ratios: [],
    ttft_values: [],
    throughput_values: [],
    throughput_unit: "output_tokens_per_s",
    ttft_unit: "ms",
    run_dirs: [],
    results: [],
    config,
  };
  try {
    for (const [index, ratio] of config.prefixRatios.entries()) {
      options.signal?.throwIfAborted();
      const seed = config.seed + index;
      const workload = createWorkload({
        name: "prefix-ratio",
        numPrompts: config.requests,
        isl: config.isl,
        osl: config.osl,
        prefixRatio: ratio,
        numPrefixGroups: config.numPrefixGroups,
      }, createRng(seed).fork("workload"));
      const result = await runBenchmark({
        baseUrl: fleet.targetUrl,
        model: fleet.spec.model,
        requests: workload.requests,
        maxConcurrency: config.concurrency,
        requestRate: Infinity,
        ignoreEos: true,
        seed,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const dir = `${config.out}/ratio_${ratio}`;
      await Deno.mkdir(dir, { recursive: true });
      await writeSummaryJson(`${dir}/summary.json`, result.summary);
      await writeRecordsJsonl(`${dir}/requests.jsonl`, result.records);
      summary.prefix_ratios.push(ratio);
      summary.ttft_values.push(result.summary.mean_ttft_ms);
      summary.throughput_values.push(result.summary.output_throughput);
      summary.run_dirs.push(dir);
      summary.results.push({
        strategy: fleet.spec.router.kind === "routebench"
          ? fleet.spec.router.strategy
          : fleet.spec.router.kind,
        prefix_ratio: ratio,
        ...serveRowValues(result.summary),
      });
      options.onRatioDone?.(ratio, result.summary);
    }
  } finally {
    await fleet.stop();
  }
  await Deno.writeTextFile(`${config.out}/results_summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
