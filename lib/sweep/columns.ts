/**
 * Column order of the sweep CSVs, declared once. Configuration columns come first (the floor set by
 * Ray's sweep CSVs), then metrics. Names carry units; the client's summary JSON keeps sglang's exact
 * key names for drop-in comparison, and {@linkcode serveMetricValues} maps them here.
 * @module
 */
import type { BenchmarkSummary } from "../client/mod.ts";
import { ENGINE_METRIC_COLUMNS } from "./engine_metrics.ts";

/** Bumped whenever columns are added; older rows stay readable. */
export const SWEEP_CSV_SCHEMA_VERSION = 1;

/** Columns every row of both CSVs starts with. */
export const CONFIG_COLUMNS = [
  "schema_version",
  "run_id",
  "status",
  "failure_reason",
  "started_at",
  "mode",
  "gpu_type",
  "model_name",
  "num_servers",
  "enable_prefix_caching",
  "enable_chunked_prefill",
  "label",
  "strategy",
  "strategy_options",
  "dataset_name",
  "min_output_len",
  "max_output_len",
  "max_concurrency",
  "request_rate",
  "with_warmup",
  "ignore_eos",
  "stream",
  "max_conversations",
  "num_prompts",
  "seed",
  "repeat",
  "speedup_ratio",
] as const;

/** CSV column → key of the client summary (sglang names). */
const SERVE_METRICS: ReadonlyArray<readonly [string, string]> = [
  ["completed", "completed"],
  ["failed", "failed"],
  ["duration_s", "duration"],
  ["request_throughput_per_s", "request_throughput"],
  ["request_goodput_per_s", "request_goodput"],
  ["input_throughput_tokens_per_s", "input_throughput"],
  ["output_throughput_tokens_per_s", "output_throughput"],
  ["total_throughput_tokens_per_s", "total_throughput"],
  ["total_input_tokens", "total_input_tokens"],
  ["total_output_tokens", "total_output_tokens"],
  ...["ttft", "tpot", "itl", "e2e_latency"].flatMap((metric) =>
    ["mean", "median", "std", "p90", "p95", "p99"].map((stat) => {
      const key = `${stat}_${metric}_ms`;
      return [key, key] as const;
    })
  ),
  ["concurrency_requests", "concurrency"],
  ["max_output_tokens_per_s", "max_output_tokens_per_s"],
  ["max_concurrent_requests", "max_concurrent_requests"],
  ["total_cached_tokens", "total_cached_tokens"],
  ["cache_hit_rate", "cache_hit_rate"],
  ["send_lag_p50_ms", "send_lag_p50_ms"],
  ["send_lag_p99_ms", "send_lag_p99_ms"],
  ["event_loop_lag_p99_ms", "event_loop_lag_p99_ms"],
  ["client_cpu_percent", "client_cpu_percent"],
  ["valid", "valid"],
];

/** Columns of `serve_<dataset>_sweep_results.csv`. */
export const SERVE_COLUMNS: readonly string[] = [
  ...CONFIG_COLUMNS,
  ...SERVE_METRICS.map(([column]) => column),
  "scrape_interval_error_p99_ms",
];

/** Columns of `engine_<dataset>_sweep_results.csv`. */
export const ENGINE_COLUMNS: readonly string[] = [...CONFIG_COLUMNS, ...ENGINE_METRIC_COLUMNS];

/** A CSV row: column → value; missing columns are written empty. */
export type CsvRow = Record<string, string | number | boolean | null | undefined>;

/** The serve metric columns of a summary (empty values when the run produced none). */
export function serveMetricValues(summary: BenchmarkSummary | undefined): CsvRow {
  const row: CsvRow = {};
  const values = (summary ?? {}) as unknown as Record<string, unknown>;
  for (const [column, key] of SERVE_METRICS) {
    const value = values[key];
    row[column] = typeof value === "number" || typeof value === "boolean" ? value : null;
  }
  return row;
}
