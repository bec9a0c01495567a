/**
 * The schemas of the two results CSVs a run appends to (CONTRACTS.md "Run folder"):
 * `serve_<dataset>_sweep_results.csv` (client summary) and `engine_<dataset>_sweep_results.csv`
 * (per-replica averages of scraped engine metrics). Columns: identity, then the run configuration
 * (the Ray seed's columns are the floor), then metrics. Metric names are sglang's summary keys, so
 * plotting code written for the seed's CSVs keeps working; units are in the name or the description.
 * Add columns only at the end and bump the version.
 * @module
 */
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
];

const LATENCY_STATS = ["mean", "median", "std", "p90", "p95", "p99"] as const;
const LATENCIES = ["ttft", "tpot", "itl", "e2e_latency"] as const;

/** Client summary columns (BenchmarkSummary keys). */
export const SERVE_METRIC_COLUMNS: readonly CsvColumn[] = [
  { name: "completed", type: "integer", description: "requests" },
  { name: "failed", type: "integer", description: "requests" },
  { name: "duration", type: "number", description: "s" },
  { name: "request_throughput", type: "number", description: "requests/s" },
  { name: "input_throughput", type: "number", description: "tokens/s" },
  { name: "output_throughput", type: "number", description: "tokens/s" },
  { name: "total_throughput", type: "number", description: "tokens/s" },
  { name: "total_input_tokens", type: "integer" },
  { name: "total_output_tokens", type: "integer" },
  ...LATENCIES.flatMap((latency) =>
    LATENCY_STATS.map((stat): CsvColumn => ({ name: `${stat}_${latency}_ms`, type: "number" }))
  ),
  { name: "concurrency", type: "number", description: "mean requests in flight" },
  { name: "max_output_tokens_per_s", type: "number" },
  { name: "max_concurrent_requests", type: "integer" },
  { name: "request_goodput", type: "number", description: "requests/s meeting the SLOs" },
  { name: "errors_by_class", type: "string", description: "JSON object {class: count}" },
  { name: "send_lag_p50_ms", type: "number" },
  { name: "send_lag_p99_ms", type: "number" },
  { name: "event_loop_lag_p99_ms", type: "number" },
  { name: "client_cpu_percent", type: "number" },
  { name: "valid", type: "boolean" },
  { name: "invalid_reason", type: "string" },
  { name: "total_cached_tokens", type: "integer" },
  { name: "cache_hit_rate", type: "number", description: "Σcached_tokens / Σprompt_tokens, 0..1" },
];

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
