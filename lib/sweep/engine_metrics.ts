/**
 * The engine CSV row: per-replica averages of the engines' own Prometheus metrics over the measured
 * run (the difference between a scrape just before and one just after it), as Ray's sweep wrote
 * `vllm_*_sweep_results.csv`.
 * @module
 */
import { parsePrometheusText } from "../prom/parse.ts";

/** Sums of the series we need from one engine's /metrics, keyed by metric name. */
export type EngineTotals = Map<string, number>;

const HISTOGRAMS_MS = {
  mean_ttft_ms: "vllm:time_to_first_token_seconds",
  mean_itl_ms: "vllm:inter_token_latency_seconds",
  mean_tpot_ms: "vllm:request_time_per_output_token_seconds",
  mean_e2e_latency_ms: "vllm:e2e_request_latency_seconds",
  mean_queue_time_ms: "vllm:request_queue_time_seconds",
  mean_prefill_time_ms: "vllm:request_prefill_time_seconds",
  mean_decode_time_ms: "vllm:request_decode_time_seconds",
  mean_inference_time_ms: "vllm:request_inference_time_seconds",
} as const;

const COUNTERS = {
  prompt_tokens: "vllm:prompt_tokens_total",
  generation_tokens: "vllm:generation_tokens_total",
  request_success: "vllm:request_success_total",
  num_preemptions: "vllm:num_preemptions_total",
  prefix_cache_queries_tokens: "vllm:prefix_cache_queries_total",
  prefix_cache_hits_tokens: "vllm:prefix_cache_hits_total",
} as const;

/** Column names of the engine metrics, in CSV order. */
export const ENGINE_METRIC_COLUMNS = [
  ...Object.keys(HISTOGRAMS_MS),
  ...Object.keys(COUNTERS),
  "prefix_cache_hit_rate",
] as const;

/** One engine-metrics row: column → value (null when no replica observed it). */
export type EngineMetricsRow = Record<(typeof ENGINE_METRIC_COLUMNS)[number], number | null>;

/** Sums every sample of the series we use (over all label sets) from exposition text. */
export function engineTotals(text: string): EngineTotals {
  const wanted = new Set<string>();
  for (const name of Object.values(HISTOGRAMS_MS)) wanted.add(`${name}_sum`).add(`${name}_count`);
  for (const name of Object.values(COUNTERS)) wanted.add(name);
  const totals: EngineTotals = new Map();
  for (const sample of parsePrometheusText(text)) {
    if (wanted.has(sample.name)) totals.set(sample.name, (totals.get(sample.name) ?? 0) + sample.value);
  }
  return totals;
}

/** Fetches and sums one engine's metrics; undefined when the engine does not answer. */
export async function scrapeEngineTotals(metricsUrl: string): Promise<EngineTotals | undefined> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return engineTotals(await response.text());
  } catch {
    return undefined;
  }
}

/**
 * Per-replica averages over the run. `before[i]` and `after[i]` are replica i's totals; a replica
 * missing either scrape is left out.
 */
export function engineMetricsRow(
  before: ReadonlyArray<EngineTotals | undefined>,
  after: ReadonlyArray<EngineTotals | undefined>,
): EngineMetricsRow {
  const deltas: EngineTotals[] = [];
  for (let i = 0; i < after.length; i++) {
    const start = before[i];
    const end = after[i];
    if (!start || !end) continue;
    const delta: EngineTotals = new Map();
    for (const [name, value] of end) delta.set(name, value - (start.get(name) ?? 0));
    deltas.push(delta);
  }
  const row = {} as EngineMetricsRow;
  for (const [column, name] of Object.entries(HISTOGRAMS_MS)) {
    const means = deltas
      .filter((delta) => (delta.get(`${name}_count`) ?? 0) > 0)
      .map((delta) => (delta.get(`${name}_sum`)! / delta.get(`${name}_count`)!) * 1000);
    row[column as keyof EngineMetricsRow] = means.length === 0 ? null : average(means);
  }
  for (const [column, name] of Object.entries(COUNTERS)) {
    const values = deltas.filter((delta) => delta.has(name)).map((delta) => delta.get(name)!);
    row[column as keyof EngineMetricsRow] = values.length === 0 ? null : average(values);
  }
  const queries = row.prefix_cache_queries_tokens;
  row.prefix_cache_hit_rate = queries ? (row.prefix_cache_hits_tokens ?? 0) / queries : null;
  return row;
}

function average(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
