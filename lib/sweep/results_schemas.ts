/**
 * The schemas of the two results CSVs a run appends to (CONTRACTS.md "Run folder"):
 * `serve_<dataset>_sweep_results.csv` (client summary) and `engine_<dataset>_sweep_results.csv`
 * (per-replica averages of scraped engine metrics). Columns: identity, then the run configuration
 * (the Ray seed's columns are the floor), then metrics. Every numeric column names its unit
 * (`duration_s`, `request_throughput_per_s`, `mean_ttft_ms`); {@linkcode serveRowValues} maps the
 * client summary's sglang key names onto them. Add columns only at the end and bump the version.
 * @module
 */
import type { CsvValue } from "./csv_format.ts";
import { type CsvColumn, defineCsvSchema } from "./csv_schema.ts";

/** Identity and configuration columns shared by both results files. */
export const RUN_CONFIG_COLUMNS: readonly CsvColumn[] = [
  { name: "run_id", type: "string", required: true, description: "Names the run folder runs/<run_id>/" },
  { name: "status", type: "string", required: true, description: "ok | failed" },
  { name: "status_reason", type: "string", description: "Why the run failed (empty when ok)" },
  { name: "started_at", type: "string", description: "ISO 8601 wall time of the run start" },
  { name: "git_sha", type: "string" },
  { name: "dataset", type: "string", description: "Workload name, e.g. conversations, sharegpt" },
  { name: "gpu", type: "string", description: "Engine profile (mock) or GPU type (real engines)" },
  { name: "model", type: "string" },
  { name: "num_servers", type: "integer" },
  { name: "enable_prefix_caching", type: "boolean" },
  { name: "enable_chunked_prefill", type: "boolean" },
  { name: "label", type: "string", description: "Free-form benchmark label" },
  { name: "strategy", type: "string", description: "Router strategy" },
  { name: "min_output_len", type: "integer", description: "tokens" },
  { name: "max_output_len", type: "integer", description: "tokens" },
  { name: "max_concurrency", type: "integer" },
  { name: "request_rate", type: "number", description: "requests/s offered; inf = all at once" },
  { name: "with_warmup", type: "boolean" },
  { name: "ignore_eos", type: "boolean" },
  { name: "stream", type: "boolean" },
  { name: "max_conversations", type: "integer" },
  { name: "num_prompts", type: "integer" },
  { name: "seed", type: "integer" },
  { name: "mode", type: "string", description: "live | sim" },
  { name: "repeat", type: "integer", description: "Repeat number of the sweep point, from 0" },
  {
    name: "strategy_options",
    type: "string",
    description: "JSON object of the strategy's non-default flags",
  },
  { name: "speedup_ratio", type: "number", description: "Mock engines' speedup ratio (1 = real time)" },
];

const LATENCY_STATS = ["mean", "median", "std", "p90", "p95", "p99"] as const;
const LATENCIES = ["ttft", "tpot", "itl", "e2e_latency"] as const;

/** Serve metric column → the client summary (BenchmarkSummary) key it comes from. */
const SERVE_SUMMARY_KEYS: readonly (readonly [string, string])[] = [
  ["completed", "completed"],
  ["failed", "failed"],
  ["duration_s", "duration"],
  ["request_throughput_per_s", "request_throughput"],
  ["input_throughput_tokens_per_s", "input_throughput"],
  ["output_throughput_tokens_per_s", "output_throughput"],
  ["total_throughput_tokens_per_s", "total_throughput"],
  ["total_input_tokens", "total_input_tokens"],
  ["total_output_tokens", "total_output_tokens"],
  ...LATENCIES.flatMap((latency) =>
    LATENCY_STATS.map((stat) => [`${stat}_${latency}_ms`, `${stat}_${latency}_ms`] as const)
  ),
  ["mean_concurrency_requests", "concurrency"],
  ["max_output_tokens_per_s", "max_output_tokens_per_s"],
  ["max_concurrent_requests", "max_concurrent_requests"],
  ["request_goodput_per_s", "request_goodput"],
  ["errors_by_class", "errors_by_class"],
  ["send_lag_p50_ms", "send_lag_p50_ms"],
  ["send_lag_p99_ms", "send_lag_p99_ms"],
  ["event_loop_lag_p99_ms", "event_loop_lag_p99_ms"],
  ["client_cpu_percent", "client_cpu_percent"],
  ["valid", "valid"],
  ["invalid_reason", "invalid_reason"],
  ["total_cached_tokens", "total_cached_tokens"],
  ["cache_hit_rate", "cache_hit_rate"],
];

/** Client summary columns. */
export const SERVE_METRIC_COLUMNS: readonly CsvColumn[] = [
  { name: "completed", type: "integer", description: "requests" },
  { name: "failed", type: "integer", description: "requests" },
  { name: "duration_s", type: "number", description: "sglang 'duration'" },
  {
    name: "request_throughput_per_s",
    type: "number",
    description: "requests/s (sglang 'request_throughput')",
  },
  { name: "input_throughput_tokens_per_s", type: "number" },
  { name: "output_throughput_tokens_per_s", type: "number" },
  { name: "total_throughput_tokens_per_s", type: "number" },
  { name: "total_input_tokens", type: "integer" },
  { name: "total_output_tokens", type: "integer" },
  ...LATENCIES.flatMap((latency) =>
    LATENCY_STATS.map((stat): CsvColumn => ({ name: `${stat}_${latency}_ms`, type: "number" }))
  ),
  {
    name: "mean_concurrency_requests",
    type: "number",
    description: "ΣE2E / duration (sglang 'concurrency')",
  },
  { name: "max_output_tokens_per_s", type: "number" },
  { name: "max_concurrent_requests", type: "integer" },
  { name: "request_goodput_per_s", type: "number", description: "requests/s meeting the SLOs" },
  { name: "errors_by_class", type: "string", description: "JSON object {class: count}" },
  { name: "send_lag_p50_ms", type: "number" },
  { name: "send_lag_p99_ms", type: "number" },
  { name: "event_loop_lag_p99_ms", type: "number" },
  { name: "client_cpu_percent", type: "number" },
  { name: "valid", type: "boolean" },
  { name: "invalid_reason", type: "string" },
  { name: "total_cached_tokens", type: "integer" },
  { name: "cache_hit_rate", type: "number", description: "Σcached_tokens / Σprompt_tokens, 0..1" },
  { name: "scrape_interval_error_p99_ms", type: "number", description: "The 100 ms scraper's own lateness" },
];

/** The serve metric columns of a client summary (nothing when the run produced none). */
export function serveRowValues(summary: object | undefined): Record<string, CsvValue> {
  const row: Record<string, CsvValue> = {};
  if (summary === undefined) return row;
  const values = summary as Record<string, unknown>;
  for (const [column, key] of SERVE_SUMMARY_KEYS) {
    const value = values[key];
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") {
      row[column] = value;
    } else if (value !== null && typeof value === "object") row[column] = JSON.stringify(value);
  }
  return row;
}

/** Engine metric columns: per-replica averages of the run's window (last scrape − first scrape). */
export const ENGINE_METRIC_COLUMNS: readonly CsvColumn[] = [
  { name: "replicas_scraped", type: "integer", description: "Engines whose metrics the averages cover" },
  { name: "mean_ttft_ms", type: "number", description: "vllm:time_to_first_token_seconds" },
  { name: "mean_tpot_ms", type: "number", description: "vllm:request_time_per_output_token_seconds" },
  { name: "mean_itl_ms", type: "number", description: "vllm:inter_token_latency_seconds" },
  { name: "mean_e2e_latency_ms", type: "number", description: "vllm:e2e_request_latency_seconds" },
  { name: "mean_queue_time_ms", type: "number", description: "vllm:request_queue_time_seconds" },
  { name: "mean_prefill_time_ms", type: "number", description: "vllm:request_prefill_time_seconds" },
  { name: "mean_decode_time_ms", type: "number", description: "vllm:request_decode_time_seconds" },
  { name: "mean_inference_time_ms", type: "number", description: "vllm:request_inference_time_seconds" },
  { name: "prompt_tokens", type: "number", description: "vllm:prompt_tokens_total per replica" },
  { name: "generation_tokens", type: "number", description: "vllm:generation_tokens_total per replica" },
  { name: "request_success", type: "number", description: "vllm:request_success_total per replica" },
  {
    name: "prefix_cache_hit_rate",
    type: "number",
    description: "Σprefix_cache_hits / Σprefix_cache_queries, 0..1",
  },
];

/** `serve_<dataset>_sweep_results.csv`. */
export const SERVE_RESULTS_SCHEMA = defineCsvSchema({
  name: "serve_results",
  version: 1,
  columns: [...RUN_CONFIG_COLUMNS, ...SERVE_METRIC_COLUMNS],
});

/** `engine_<dataset>_sweep_results.csv`. */
export const ENGINE_RESULTS_SCHEMA = defineCsvSchema({
  name: "engine_results",
  version: 1,
  columns: [...RUN_CONFIG_COLUMNS, ...ENGINE_METRIC_COLUMNS],
});
