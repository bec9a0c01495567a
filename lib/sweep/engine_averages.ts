/**
 * The engine CSV's metric columns from scrapes: per replica, the window between its first and last
 * successful scrape of the run (Δsum/Δcount of each latency histogram, Δ of each counter); then the
 * average over replicas, as the Ray seed averages vLLM's metrics across replicas. The prefix-cache hit
 * rate is Σhits/Σqueries over all replicas (a ratio of sums, not a mean of ratios).
 * @module
 */
import { counterWindow, histogramMean, histogramWindow, type TimeseriesRecord } from "../prom/mod.ts";

/** One replica's scrapes at the start and the end of the run (timeseries `metrics` maps). */
export interface ReplicaWindow {
  first: Readonly<Record<string, number>>;
  last: Readonly<Record<string, number>>;
}

/** The values of `ENGINE_METRIC_COLUMNS`. */
export interface EngineAverages {
  replicas_scraped: number;
  mean_ttft_ms: number;
  mean_tpot_ms: number;
  mean_itl_ms: number;
  mean_e2e_latency_ms: number;
  mean_queue_time_ms: number;
  mean_prefill_time_ms: number;
  mean_decode_time_ms: number;
  mean_inference_time_ms: number;
  prompt_tokens: number;
  generation_tokens: number;
  request_success: number;
  prefix_cache_hit_rate: number;
}

/** Histogram per column; later names are fallbacks for older vLLM versions. */
const HISTOGRAM_COLUMNS: readonly [keyof EngineAverages, readonly string[]][] = [
  ["mean_ttft_ms", ["vllm:time_to_first_token_seconds"]],
  ["mean_tpot_ms", ["vllm:request_time_per_output_token_seconds", "vllm:time_per_output_token_seconds"]],
  ["mean_itl_ms", ["vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"]],
  ["mean_e2e_latency_ms", ["vllm:e2e_request_latency_seconds"]],
  ["mean_queue_time_ms", ["vllm:request_queue_time_seconds"]],
  ["mean_prefill_time_ms", ["vllm:request_prefill_time_seconds"]],
  ["mean_decode_time_ms", ["vllm:request_decode_time_seconds"]],
  ["mean_inference_time_ms", ["vllm:request_inference_time_seconds"]],
];

const COUNTER_COLUMNS: readonly [keyof EngineAverages, string][] = [
  ["prompt_tokens", "vllm:prompt_tokens_total"],
  ["generation_tokens", "vllm:generation_tokens_total"],
  ["request_success", "vllm:request_success_total"],
];

/**
 * Averages the scraped engine metrics over replicas. A latency column is NaN when no replica observed
 * anything in the window; replicas with no observations do not pull the mean down.
 */
export function engineAverages(replicas: readonly ReplicaWindow[]): EngineAverages {
  const row = { replicas_scraped: replicas.length } as EngineAverages;
  for (const [column, families] of HISTOGRAM_COLUMNS) {
    const means: number[] = [];
    for (const { first, last } of replicas) {
      for (const family of families) {
        const window = histogramWindow(first, last, family);
        if (window === undefined) continue;
        if (window.count > 0) means.push(histogramMean(window) * 1000);
        break;
      }
    }
    row[column] = mean(means);
  }
  for (const [column, name] of COUNTER_COLUMNS) {
    row[column] = mean(replicas.map(({ first, last }) => counterWindow(first, last, name)));
  }
  let hits = 0;
  let queries = 0;
  for (const { first, last } of replicas) {
    hits += counterWindow(first, last, "vllm:prefix_cache_hits_total");
    queries += counterWindow(first, last, "vllm:prefix_cache_queries_total");
  }
  row.prefix_cache_hit_rate = queries > 0 ? hits / queries : NaN;
  return row;
}

/**
 * Each target's first and last successful scrape in timeseries records (failed scrapes are skipped).
 * `targets` filters by name (e.g. `(name) => name.startsWith("engine-")`).
 */
export function scrapeWindows(
  records: Iterable<TimeseriesRecord>,
  targets: (name: string) => boolean = () => true,
): Map<string, ReplicaWindow> {
  const windows = new Map<string, ReplicaWindow>();
  for (const record of records) {
    if (record.error !== undefined || !targets(record.target)) continue;
    const window = windows.get(record.target);
    if (window === undefined) windows.set(record.target, { first: record.metrics, last: record.metrics });
    else window.last = record.metrics;
  }
  return windows;
}

/** Replicas scraped both before and after a run (`undefined`: the scrape failed), as windows. */
export function replicaWindows(
  before: ReadonlyArray<Readonly<Record<string, number>> | undefined>,
  after: ReadonlyArray<Readonly<Record<string, number>> | undefined>,
): ReplicaWindow[] {
  return after.flatMap((last, i) => (last && before[i] ? [{ first: before[i]!, last }] : []));
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
