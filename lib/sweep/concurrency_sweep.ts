/**
 * The concurrency sweep (Dynamo's benchmarks/benchmark.sh): for each named deployment, bring it up
 * once and run a fixed ISL/OSL workload at concurrencies 1, 2, 4, ... 128, writing
 * `<out>/<name>/c<N>/` (the client's summary and per-request records), one row per point in
 * `serve_concurrency_sweep_results.csv`, and
 * `SUMMARY.txt`.
 * @module
 */
import { z } from "zod";
import { UsageError } from "../core/cli.ts";
import { createRng } from "../core/rng.ts";
import { type FleetSpecInput, formatZodIssue, parseFleetSpec } from "../cluster/fleet_spec.ts";
import { startFleet } from "../cluster/fleet.ts";
import { type BenchmarkSummary, runBenchmark, writeRecordsJsonl, writeSummaryJson } from "../client/mod.ts";
import { createWorkload } from "../workload/mod.ts";
import { appendRow } from "./csv_log.ts";
import { SERVE_RESULTS_SCHEMA, serveRowValues } from "./results_schemas.ts";

function mockDeployment(strategy: string): FleetSpecInput {
  return { engines: [{ kind: "mock", count: 4, speedupRatio: 4 }], router: { kind: "routebench", strategy } };
}

/** Schema of a concurrency sweep. */
export const concurrencySweepConfigSchema = z.object({
  /** Deployment name → fleet spec. */
  deployments: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.unknown()).default({
    round_robin: mockDeployment("round_robin"),
    kv_aware: mockDeployment("kv_aware"),
  }),
  concurrencies: z.array(z.number().int().min(1)).min(1).default([1, 2, 4, 8, 16, 32, 64, 128]),
  isl: z.number().int().min(1).default(200),
  osl: z.number().int().min(1).default(200),
  /** sglang range ratio: lengths uniform in [ratio·L, L]. */
  rangeRatio: z.number().min(0).max(1).default(0.9),
  /** Requests per point = max(minRequests, requestsPerConcurrency × concurrency). */
  requestsPerConcurrency: z.number().int().min(1).default(8),
  minRequests: z.number().int().min(1).default(32),
  seed: z.number().int().default(0),
  out: z.string().default("data/results/concurrency"),
}).strict();

/** A resolved concurrency sweep config. */
export type ConcurrencySweepConfig = z.infer<typeof concurrencySweepConfigSchema>;

/** One measured point. */
export interface ConcurrencyPoint {
  deployment: string;
  concurrency: number;
  numGpus: number;
  dir: string;
  summary: BenchmarkSummary;
}

/** Validates a config (every deployment's fleet spec too); throws UsageError naming the field. */
export function parseConcurrencySweepConfig(
  input: unknown,
  source = "concurrency config",
): ConcurrencySweepConfig {
  const result = concurrencySweepConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new UsageError(`${source}: ${formatZodIssue(result.error.issues[0]!)}`);
  for (const [name, spec] of Object.entries(result.data.deployments)) {
    parseFleetSpec(spec, `${source}: deployment '${name}'`);
  }
  return result.data;
}

/** Runs every deployment × concurrency; returns the points and writes SUMMARY.txt. */
export async function runConcurrencySweep(
  config: ConcurrencySweepConfig,
  options: { signal?: AbortSignal; onPointDone?: (point: ConcurrencyPoint) => void } = {},
): Promise<ConcurrencyPoint[]> {
  const points: ConcurrencyPoint[] = [];
  // A serve-schema CSV named like the strategy sweep's, so `deno task choose` and the plots read it.
  const csvPath = `${config.out}/serve_concurrency_sweep_results.csv`;
  for (const [deployment, specInput] of Object.entries(config.deployments)) {
    const spec = parseFleetSpec(specInput, `deployment '${deployment}'`);
    const numGpus = spec.engines.reduce(
      (sum, group) => sum + (group.kind === "external" ? group.urls.length : group.count),
      0,
    );
    await Deno.mkdir(`${config.out}/${deployment}`, { recursive: true });
    const fleet = await startFleet(spec, { runDir: `${config.out}/${deployment}` });
    try {
      for (const concurrency of config.concurrencies) {
        options.signal?.throwIfAborted();
        const seed = config.seed + concurrency;
        const workload = createWorkload({
          name: "random",
          numPrompts: Math.max(config.minRequests, config.requestsPerConcurrency * concurrency),
          inputLen: config.isl,
          outputLen: config.osl,
          rangeRatio: config.rangeRatio,
        }, createRng(seed).fork("workload"));
        const result = await runBenchmark({
          baseUrl: fleet.targetUrl,
          model: spec.model,
          requests: workload.requests,
          maxConcurrency: concurrency,
          requestRate: Infinity,
          ignoreEos: true,
          seed,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const dir = `${config.out}/${deployment}/c${concurrency}`;
        await Deno.mkdir(dir, { recursive: true });
        await writeSummaryJson(`${dir}/summary.json`, result.summary);
        await writeRecordsJsonl(`${dir}/requests.jsonl`, result.records);
        // The serve schema, with the deployment as the label: the concurrency plots group by it.
        await appendRow(csvPath, SERVE_RESULTS_SCHEMA, {
          run_id: `${deployment}-c${concurrency}`,
          status: "ok",
          dataset: "random",
          model: spec.model,
          num_servers: numGpus,
          label: deployment,
          strategy: spec.router.kind === "routebench" ? spec.router.strategy : spec.router.kind,
          min_output_len: config.osl,
          max_output_len: config.osl,
          max_concurrency: concurrency,
          request_rate: Infinity,
          ignore_eos: true,
          stream: true,
          num_prompts: workload.requests.length,
          seed,
          mode: "live",
          ...serveRowValues(result.summary),
        });
        const point = { deployment, concurrency, numGpus, dir, summary: result.summary };
        points.push(point);
        options.onPointDone?.(point);
      }
    } finally {
      await fleet.stop();
    }
  }
  await Deno.writeTextFile(`${config.out}/SUMMARY.txt`, formatConcurrencySummary(points));
  return points;
}

/** SUMMARY.txt: per deployment, the max request throughput and p50 TTFT/ITL at that point. */
export function formatConcurrencySummary(points: readonly ConcurrencyPoint[]): string {
  const lines = ["Benchmark Results Summary", "========================="];
  const byDeployment = Map.groupBy(points, (point) => point.deployment);
  for (const [deployment, group] of byDeployment) {
    const best = group.reduce((
      a,
      b,
    ) => (b.summary.request_throughput > a.summary.request_throughput ? b : a));
    lines.push(
      `${deployment}:`,
      `  Max throughput: ${
        best.summary.request_throughput.toFixed(2)
      } req/s (at concurrency ${best.concurrency})`,
      `  P50 TTFT: ${best.summary.median_ttft_ms.toFixed(1)} ms`,
      `  P50 ITL: ${best.summary.median_itl_ms.toFixed(2)} ms`,
      `  Output throughput: ${best.summary.output_throughput.toFixed(1)} tokens/s (${
        (best.summary.output_throughput / best.numGpus).toFixed(1)
      } tokens/s/GPU)`,
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}
