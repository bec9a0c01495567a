/**
 * The run summary: sglang bench_serving's key names and formulas (loadgen.md §(b)) plus
 * routebench's own keys (errors by class, send lag, event-loop lag, CPU, validity, cache hit rate).
 * A pure function of the records and the run's measurements.
 * @module
 */
import { metricStats, percentile } from "../core/stats.ts";
import type { MetricDialect } from "./sse_event.ts";
import type { GoodputSlo, RequestRecord } from "./types.ts";

/** The summary JSON; sglang keys first, then routebench's. */
export interface BenchmarkSummary {
  completed: number;
  failed: number;
  /** Seconds from the start of the scheduling loop (after warmup) to the last request's end. */
  duration: number;
  request_throughput: number;
  input_throughput: number;
  output_throughput: number;
  total_throughput: number;
  /** Σ workload prompt tokens of successful requests (sglang dialect). */
  total_input_tokens: number;
  total_output_tokens: number;
  mean_ttft_ms: number;
  median_ttft_ms: number;
  std_ttft_ms: number;
  p90_ttft_ms: number;
  p95_ttft_ms: number;
  p99_ttft_ms: number;
  mean_tpot_ms: number;
  median_tpot_ms: number;
  std_tpot_ms: number;
  p90_tpot_ms: number;
  p95_tpot_ms: number;
  p99_tpot_ms: number;
  mean_itl_ms: number;
  median_itl_ms: number;
  std_itl_ms: number;
  p90_itl_ms: number;
  p95_itl_ms: number;
  p99_itl_ms: number;
  max_itl_ms: number;
  mean_e2e_latency_ms: number;
  median_e2e_latency_ms: number;
  std_e2e_latency_ms: number;
  p90_e2e_latency_ms: number;
  p95_e2e_latency_ms: number;
  p99_e2e_latency_ms: number;
  /** Σ E2E / duration (Little's law mean in flight). */
  concurrency: number;
  max_output_tokens_per_s: number;
  max_concurrent_requests: number;
  /** Good requests per second under the goodput SLOs; null when no SLO was given. */
  request_goodput: number | null;
  // --- routebench ---
  metric_dialect: MetricDialect;
  num_requests: number;
  warmup_requests: number;
  warmup_failed: number;
  errors_by_class: Record<string, number>;
  send_lag_p50_ms: number;
  send_lag_p99_ms: number;
  send_lag_max_ms: number;
  /** Client queueing (waiting for a concurrency slot), p99. */
  queue_p99_ms: number;
  /** Null when not measured (virtual-time runs have no event loop to lag). */
  event_loop_lag_p99_ms: number | null;
  event_loop_lag_max_ms: number | null;
  /** Process CPU (all threads) over wall time, percent of one core; null when not measured (virtual time). */
  client_cpu_percent: number | null;
  /** CPU of the busiest thread, percent of one core, when measured (Worker transport); else null. */
  client_busiest_thread_cpu_percent: number | null;
  valid: boolean;
  invalid_reason: string | null;
  /** Σ usage.prompt_tokens of successful requests. */
  total_input_tokens_server: number;
  total_cached_tokens: number;
  /** Σ cached_tokens / Σ prompt_tokens (server usage), successful requests reporting usage; null when none did. */
  cache_hit_rate: number | null;
  /** Epoch ms of the run start (record times are relative to it). */
  run_start_epoch_ms: number;
  /** "inf" for all-at-once. */
  request_rate: number | "inf";
  burstiness: number | "inf";
  max_concurrency: number | null;
  /** How sends were paced: all_at_once, rate, or trace. */
  arrival: "all_at_once" | "rate" | "trace";
}

/** Everything besides the records that the summary needs. */
export interface SummaryInput {
  records: readonly RequestRecord[];
  durationMs: number;
  dialect: MetricDialect;
  goodput?: GoodputSlo | undefined;
  warmupRequests: number;
  warmupFailed: number;
  /** Sampler lateness; null when the client did not measure itself (virtual time). */
  eventLoopLagMs: readonly number[] | null;
  cpuPercent: number | null;
  /** When given, the CPU validity rule applies to it instead of `cpuPercent`. */
  busiestThreadCpuPercent?: number | null;
  sendLagP99ThresholdMs: number;
  cpuPercentThreshold: number;
  runStartEpochMs: number;
  requestRate: number;
  burstiness: number;
  maxConcurrency: number;
  arrival: BenchmarkSummary["arrival"];
}

/** Computes the summary. Failed requests are excluded from every latency and token figure. */
export function summarize(input: SummaryInput): BenchmarkSummary {
  const { records } = input;
  const durationS = input.durationMs / 1000;
  const ok = records.filter((r) => r.success);
  const ttft: number[] = [];
  const tpot: number[] = [];
  // Every inter-token gap of the run in one typed array (a million-request run has ~24M of them).
  let itlCount = 0;
  for (const r of ok) itlCount += r.itl_ms.length;
  const itl = new Float64Array(itlCount);
  let itlLength = 0;
  const e2e: number[] = [];
  let inputTokens = 0;
  let outputTokens = 0;
  let serverPrompt = 0;
  let cached = 0;
  let usagePrompt = 0;
  let sawUsage = false;
  let good = 0;
  for (const r of ok) {
    ttft.push(r.ttft_ms!);
    e2e.push(r.e2e_ms!);
    if (r.tpot_ms !== null) tpot.push(r.tpot_ms);
    const gaps = r.itl_ms;
    for (let i = 0; i < gaps.length; i++) itl[itlLength++] = gaps[i]!;
    inputTokens += r.prompt_tokens;
    outputTokens += r.output_tokens;
    if (r.prompt_tokens_server !== null) serverPrompt += r.prompt_tokens_server;
    if (r.prompt_tokens_server !== null && r.cached_tokens !== null) {
      sawUsage = true;
      usagePrompt += r.prompt_tokens_server;
      cached += r.cached_tokens;
    }
    if (input.goodput && isGood(r, input.goodput)) good++;
  }
  const errors: Record<string, number> = {};
  for (const r of records) {
    if (!r.success) errors[r.error_class ?? "unknown"] = (errors[r.error_class ?? "unknown"] ?? 0) + 1;
  }
  // All-at-once runs have no schedule for the initial burst (everything is due at 0 and goes out
  // as fast as the client can issue it), so only sends released by a freed slot count there.
  const lags = records
    .filter((r) => r.send_lag_ms !== null && (input.arrival !== "all_at_once" || r.queue_ms > 0))
    .map((r) => r.send_lag_ms!);
  const sendLagP99 = percentile(lags, 99);
  const reasons: string[] = [];
  if (sendLagP99 > input.sendLagP99ThresholdMs) {
    reasons.push(`send lag p99 ${sendLagP99.toFixed(2)} ms > ${input.sendLagP99ThresholdMs} ms`);
  }
  const busiest = input.busiestThreadCpuPercent ?? null;
  const cpu = busiest ?? input.cpuPercent;
  if (cpu !== null && cpu > input.cpuPercentThreshold) {
    const what = busiest !== null ? "busiest client thread CPU" : "client CPU";
    reasons.push(`${what} ${cpu.toFixed(0)}% > ${input.cpuPercentThreshold}%`);
  }
  const per = (value: number) => (durationS > 0 ? value / durationS : 0);
  const s = (name: string, values: ArrayLike<number>) => {
    const stats = metricStats(values);
    return {
      [`mean_${name}_ms`]: stats.mean,
      [`median_${name}_ms`]: stats.median,
      [`std_${name}_ms`]: stats.std,
      [`p90_${name}_ms`]: stats.p90,
      [`p95_${name}_ms`]: stats.p95,
      [`p99_${name}_ms`]: stats.p99,
    };
  };
  const sumE2eS = e2e.reduce((a, b) => a + b, 0) / 1000;
  return {
    completed: ok.length,
    failed: records.length - ok.length,
    duration: durationS,
    request_throughput: per(ok.length),
    input_throughput: per(inputTokens),
    output_throughput: per(outputTokens),
    total_throughput: per(inputTokens + outputTokens),
    total_input_tokens: inputTokens,
    total_output_tokens: outputTokens,
    ...s("ttft", ttft),
    ...s("tpot", tpot),
    ...s("itl", itl),
    max_itl_ms: itl.length === 0 ? 0 : itl.reduce((a, b) => Math.max(a, b), -Infinity),
    ...s("e2e_latency", e2e),
    concurrency: per(sumE2eS),
    max_output_tokens_per_s: maxOutputTokensPerS(ok),
    max_concurrent_requests: maxConcurrentRequests(ok),
    request_goodput: input.goodput ? per(good) : null,
    metric_dialect: input.dialect,
    num_requests: records.length,
    warmup_requests: input.warmupRequests,
    warmup_failed: input.warmupFailed,
    errors_by_class: errors,
    send_lag_p50_ms: percentile(lags, 50),
    send_lag_p99_ms: sendLagP99,
    send_lag_max_ms: lags.length === 0 ? 0 : lags.reduce((a, b) => Math.max(a, b), -Infinity),
    queue_p99_ms: percentile(records.map((r) => r.queue_ms), 99),
    event_loop_lag_p99_ms: input.eventLoopLagMs === null ? null : percentile(input.eventLoopLagMs, 99),
    event_loop_lag_max_ms: input.eventLoopLagMs === null
      ? null
      : input.eventLoopLagMs.reduce((a, b) => Math.max(a, b), 0),
    client_cpu_percent: input.cpuPercent,
    client_busiest_thread_cpu_percent: busiest,
    valid: reasons.length === 0,
    invalid_reason: reasons.length === 0 ? null : reasons.join("; "),
    total_input_tokens_server: serverPrompt,
    total_cached_tokens: cached,
    cache_hit_rate: sawUsage && usagePrompt > 0 ? cached / usagePrompt : null,
    run_start_epoch_ms: input.runStartEpochMs,
    request_rate: input.requestRate === Infinity ? "inf" : input.requestRate,
    burstiness: input.burstiness === Infinity ? "inf" : input.burstiness,
    max_concurrency: Number.isFinite(input.maxConcurrency) ? input.maxConcurrency : null,
    arrival: input.arrival,
  } as BenchmarkSummary;
}

/** vLLM goodput rule: every given SLO met; TPOT of a request with <= 1 output token counts as 0. */
export function isGood(record: RequestRecord, slo: GoodputSlo): boolean {
  if (!record.success) return false;
  if (slo.ttftMs !== undefined && record.ttft_ms! > slo.ttftMs) return false;
  if (slo.tpotMs !== undefined && (record.tpot_ms ?? 0) > slo.tpotMs) return false;
  if (slo.e2elMs !== undefined && record.e2e_ms! > slo.e2elMs) return false;
  return true;
}

/**
 * Peak token events per second: event times sent + ttft + cumsum(itl), in 1-s bins from the
 * earliest send (sglang; counts chunks on OpenAI endpoints).
 */
export function maxOutputTokensPerS(records: readonly RequestRecord[]): number {
  if (records.length === 0) return 0;
  const origin = earliestSend(records);
  const bins = new Map<number, number>();
  for (const r of records) {
    let t = r.sent_ms! + r.ttft_ms!;
    const add = (time: number) => {
      const bin = Math.floor((time - origin) / 1000);
      bins.set(bin, (bins.get(bin) ?? 0) + 1);
    };
    add(t);
    for (const gap of r.itl_ms) {
      t += gap;
      add(t);
    }
  }
  return Math.max(0, ...bins.values());
}

/**
 * Peak concurrency, sglang's way: per 1-s bin from the earliest send, a request counts in every
 * bin from floor(start) to floor(end) inclusive.
 */
export function maxConcurrentRequests(records: readonly RequestRecord[]): number {
  if (records.length === 0) return 0;
  const origin = earliestSend(records);
  const bins = new Map<number, number>();
  for (const r of records) {
    const first = Math.floor((r.sent_ms! - origin) / 1000);
    const last = Math.floor((r.sent_ms! + r.e2e_ms! - origin) / 1000);
    for (let bin = first; bin <= last; bin++) bins.set(bin, (bins.get(bin) ?? 0) + 1);
  }
  return Math.max(0, ...bins.values());
}

function earliestSend(records: readonly RequestRecord[]): number {
  let origin = Infinity;
  for (const r of records) if (r.sent_ms! < origin) origin = r.sent_ms!;
  return origin;
}
