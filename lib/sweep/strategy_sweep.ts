/**
 * The routing-strategy sweep (Ray's sweep_strategies.py without its manual steps): for each strategy
 * and repeat, bring up a fresh fleet, run the workload, scrape, tear down, and append one row to the
 * serve CSV and one to the engine CSV. A failed run is recorded and the sweep goes on.
 * @module
 */
import type { CsvRow } from "./csv_schema.ts";
import { UsageError } from "../core/cli.ts";
import { memoizedTokenize } from "../core/tokens.ts";
import { ENGINE_RESULTS_SCHEMA, SERVE_RESULTS_SCHEMA, serveRowValues } from "./results_schemas.ts";
import type { StrategySweepConfig } from "./config.ts";
import { memoizedWorkload, type RunOutcome, runPoint, type RunProgress } from "./run_point.ts";
import { appendRow } from "./csv_log.ts";

/** Where a sweep's outputs went. */
export interface StrategySweepResult {
  outcomes: RunOutcome[];
  serveCsvPath: string;
  engineCsvPath: string;
}

/** Progress of the whole sweep. */
export interface SweepProgress {
  runsDone: number;
  runsTotal: number;
  strategy: string;
  run: RunProgress;
  elapsedMs: number;
  /** Estimated time left, from the runs done so far; undefined before the first run ends. */
  etaMs: number | undefined;
}

/** Options for {@linkcode runStrategySweep}. */
export interface StrategySweepOptions {
  signal?: AbortSignal;
  onProgress?: (progress: SweepProgress) => void;
  /** Called after each run with its outcome (rows are already appended). */
  onRunDone?: (outcome: RunOutcome) => void;
  gitSha?: string;
}

/** Runs every strategy × repeat of `config`; returns the outcomes and the CSV paths. */
export async function runStrategySweep(
  config: StrategySweepConfig,
  options: StrategySweepOptions = {},
): Promise<StrategySweepResult> {
  const requestsFor = memoizedWorkload(config);
  checkWorkload(() => requestsFor(config.seed));
  // Simulated runs of one sweep send the same prompts: each is tokenized once for all strategies.
  const tokenize = memoizedTokenize();
  await Deno.mkdir(config.out, { recursive: true });
  const dataset = config.workload.name;
  const serveCsvPath = `${config.out}/serve_${dataset}_sweep_results.csv`;
  const engineCsvPath = `${config.out}/engine_${dataset}_sweep_results.csv`;
  const points = config.strategies.flatMap((strategy) =>
    Array.from({ length: config.repeats }, (_, repeat) => ({ strategy, repeat }))
  );
  const outcomes: RunOutcome[] = [];
  const startMs = performance.now();
  for (const [index, point] of points.entries()) {
    options.signal?.throwIfAborted();
    const report = (run: RunProgress) => {
      const elapsedMs = performance.now() - startMs;
      options.onProgress?.({
        runsDone: index,
        runsTotal: points.length,
        strategy: point.strategy,
        run,
        elapsedMs,
        etaMs: index === 0 ? undefined : (elapsedMs / index) * (points.length - index),
      });
    };
    report({ completed: 0, total: config.workload.numPrompts });
    const outcome = await runPoint(config, point.strategy, point.repeat, {
      onProgress: report,
      requestsFor,
      tokenize,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.gitSha ? { gitSha: options.gitSha } : {}),
    });
    const configValues = configColumns(config, outcome, options.gitSha ?? "");
    await appendRow(serveCsvPath, SERVE_RESULTS_SCHEMA, {
      ...configValues,
      ...serveRowValues(outcome.summary),
      scrape_interval_error_p99_ms: outcome.scraper?.intervalErrorMs.p99 ?? null,
    });
    await appendRow(engineCsvPath, ENGINE_RESULTS_SCHEMA, { ...configValues, ...outcome.engineMetrics });
    outcomes.push(outcome);
    options.onRunDone?.(outcome);
  }
  return { outcomes, serveCsvPath, engineCsvPath };
}

/** Builds the workload once before anything starts: a bad workload is a usage error, not N failed runs. */
function checkWorkload(build: () => unknown): void {
  try {
    build();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) {
      throw new UsageError(`workload: ${error.message}`);
    }
    if (error instanceof Deno.errors.NotFound) throw new UsageError(`workload: ${error.message}`);
    throw error;
  }
}

function configColumns(config: StrategySweepConfig, outcome: RunOutcome, gitSha: string): CsvRow {
  const strategyOptions = { ...config.router.options, ...config.router.strategyOptions[outcome.strategy] };
  return {
    run_id: outcome.runId,
    status: outcome.status,
    status_reason: outcome.reason,
    started_at: outcome.startedAt,
    git_sha: gitSha,
    dataset: config.workload.name,
    gpu: config.fleet.profile,
    model: config.fleet.model,
    num_servers: config.fleet.numServers,
    enable_prefix_caching: config.fleet.enablePrefixCaching,
    enable_chunked_prefill: true,
    label: config.label,
    strategy: outcome.strategy,
    min_output_len: config.workload.minOutputLen,
    max_output_len: config.workload.maxOutputLen,
    max_concurrency: config.client.maxConcurrency,
    request_rate: config.client.requestRate,
    with_warmup: config.withWarmup,
    ignore_eos: config.client.ignoreEos,
    stream: config.client.stream,
    max_conversations: config.workload.maxConversations,
    num_prompts: config.workload.numPrompts,
    seed: config.seed + outcome.repeat,
    mode: config.mode,
    repeat: outcome.repeat,
    strategy_options: Object.keys(strategyOptions).length === 0 ? "" : JSON.stringify(strategyOptions),
    speedup_ratio: config.fleet.speedupRatio,
  };
}
