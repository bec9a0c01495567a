/**
 * The load runner: sends a workload's requests closed loop (max concurrency), open loop on an
 * absolute schedule (rate with gamma burstiness) or at trace times, after optional warmup requests
 * that are excluded from the results. Every request ends up as exactly one record, failed or not.
 * Dispatch happens in the completion callback and in one timer armed for the next absolute
 * deadline, so lateness never accumulates and a freed slot is refilled without a tick.
 * @module
 */
import { type Clock, RealClock, type Timer } from "../core/clock.ts";
import { createRng } from "../core/rng.ts";
import { arrivalTimesMs } from "../workload/arrivals.ts";
import { renderMessages, type WorkloadRequest } from "../workload/types.ts";
import { SelfMonitor } from "./self_monitor.ts";
import type { RequestOutcome } from "./stream_request.ts";
import { type ClientTransport, httpTransport } from "./transport.ts";
import { type BenchmarkSummary, summarize } from "./summary.ts";
import type { BenchmarkOptions, BenchmarkProgress, RequestRecord } from "./types.ts";
import type { Endpoint } from "./sse_event.ts";

/** What {@linkcode runBenchmark} returns. */
export interface BenchmarkResult {
  summary: BenchmarkSummary;
  /** One record per request, in workload order. */
  records: RequestRecord[];
}

const WARMUP_OUTPUT_TOKENS_MAX = 32;
const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * Runs a benchmark against `options.baseUrl` over HTTP, in real time. Throws only for invalid
 * options (TypeError / RangeError); per-request failures are records.
 */
export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const plan = planRun(options);
  const transport = httpTransport({
    baseUrl: options.baseUrl,
    endpoint: plan.endpoint,
    dialect: plan.dialect,
    stream: plan.stream,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxSockets: plan.maxConcurrency,
  });
  try {
    return await runPlan(plan, options, transport, new RealClock(), true);
  } finally {
    transport.close();
  }
}

/**
 * Runs a benchmark through any transport on any clock: the virtual-time simulation passes its
 * cluster's transport and a VirtualClock. Everything runs inside the clock's timer callbacks; the
 * client's own CPU and event-loop lag are not measured (they do not exist in virtual time).
 */
export function runBenchmarkWith(
  transport: ClientTransport,
  clock: Clock,
  options: Omit<BenchmarkOptions, "baseUrl">,
): Promise<BenchmarkResult> {
  return runPlan(planRun(options), options, transport, clock, false);
}

interface RunPlan {
  endpoint: Endpoint;
  maxConcurrency: number;
  requestRate: number;
  burstiness: number;
  warmupCount: number;
  dialect: "sglang" | "vllm";
  stream: boolean;
  arrival: "all_at_once" | "rate" | "trace";
  schedule: number[];
}

/** Validates the options and computes the send schedule. */
function planRun(options: Omit<BenchmarkOptions, "baseUrl">): RunPlan {
  const endpoint: Endpoint = options.endpoint ?? "chat";
  const maxConcurrency = options.maxConcurrency ?? Infinity;
  const requestRate = options.requestRate ?? Infinity;
  const burstiness = options.burstiness ?? 1;
  const warmupCount = options.warmupRequests ?? 0;
  const dialect = options.dialect ?? "sglang";
  const stream = options.stream ?? true;
  if (!(maxConcurrency >= 1)) {
    throw new RangeError(`Cannot run: 'maxConcurrency' must be >= 1: got ${maxConcurrency}`);
  }
  if (!(requestRate > 0)) throw new RangeError(`Cannot run: 'requestRate' must be > 0: got ${requestRate}`);
  if (!(Number.isInteger(warmupCount) && warmupCount >= 0)) {
    throw new RangeError(`Cannot run: 'warmupRequests' must be a non-negative integer: got ${warmupCount}`);
  }
  const requests = options.requests;
  const allTimed = requests.length > 0 && requests.every((r) => r.arrivalMs !== undefined);
  const useTrace = options.useArrivalTimes ?? allTimed;
  if (useTrace && !allTimed) {
    throw new TypeError("Cannot replay arrival times: some requests have no 'arrivalMs'");
  }
  const arrival: RunPlan["arrival"] = useTrace ? "trace" : requestRate === Infinity ? "all_at_once" : "rate";
  const schedule = useTrace ? requests.map((r) => r.arrivalMs!) : arrivalTimesMs(
    { count: requests.length, requestRate, burstiness },
    createRng(options.seed ?? 0).fork("arrivals"),
  );
  return {
    endpoint,
    maxConcurrency,
    requestRate,
    burstiness,
    warmupCount,
    dialect,
    stream,
    arrival,
    schedule,
  };
}

async function runPlan(
  plan: RunPlan,
  options: Omit<BenchmarkOptions, "baseUrl">,
  transport: ClientTransport,
  clock: Clock,
  measureSelf: boolean,
): Promise<BenchmarkResult> {
  const { endpoint, maxConcurrency, warmupCount, dialect, stream } = plan;
  const requests = options.requests;
  const bodyOf = (request: WorkloadRequest, outputTokens: number) =>
    buildBody(request, outputTokens, {
      model: options.model,
      endpoint,
      stream,
      ignoreEos: options.ignoreEos ?? true,
    }, options.extraBody);
  let warmupFailed = 0;
  if (warmupCount > 0 && requests.length > 0) {
    const warmup = Array.from({ length: warmupCount }, (_, i) => requests[i % requests.length]!);
    const records = await runPhase({
      clock,
      transport,
      requests: warmup,
      schedule: new Array<number>(warmup.length).fill(0),
      maxConcurrency,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      bodyOf: (r) => bodyOf(r, Math.min(r.outputTokens, WARMUP_OUTPUT_TOKENS_MAX)),
      outputTokensOf: (r) => Math.min(r.outputTokens, WARMUP_OUTPUT_TOKENS_MAX),
      dialect,
      signal: options.signal,
      onProgress: options.onProgress,
      phase: "warmup",
    });
    warmupFailed = records.filter((r) => !r.success).length;
  }
  const monitor = measureSelf ? new SelfMonitor() : undefined;
  monitor?.start();
  const started = clock.nowMs();
  const runStartEpochMs = measureSelf ? performance.timeOrigin + started : started;
  const records = await runPhase({
    clock,
    transport,
    requests,
    schedule: plan.schedule,
    maxConcurrency,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    bodyOf: (r) => bodyOf(r, r.outputTokens),
    outputTokensOf: (r) => r.outputTokens,
    dialect,
    signal: options.signal,
    onProgress: options.onProgress,
    phase: "run",
    t0: started,
  });
  const durationMs = clock.nowMs() - started;
  const self = monitor?.stop();
  const summary = summarize({
    records,
    durationMs,
    dialect,
    goodput: options.goodput,
    warmupRequests: warmupCount,
    warmupFailed,
    eventLoopLagMs: self?.eventLoopLagMs ?? null,
    cpuPercent: self?.cpuPercent ?? null,
    sendLagP99ThresholdMs: options.sendLagP99ThresholdMs ?? 10,
    cpuPercentThreshold: options.cpuPercentThreshold ?? 95,
    runStartEpochMs,
    requestRate: plan.requestRate,
    burstiness: plan.burstiness,
    maxConcurrency,
    arrival: plan.arrival,
  });
  return { summary, records };
}

/** The JSON body of one request. */
export function buildBody(
  request: WorkloadRequest,
  outputTokens: number,
  options: { model: string; endpoint: Endpoint; stream: boolean; ignoreEos: boolean },
  extraBody?: Record<string, unknown>,
): string {
  const body: Record<string, unknown> = { model: options.model };
  if (options.endpoint === "chat") {
    body.messages = request.messages ?? [{ role: "user", content: request.prompt ?? "" }];
    body.max_completion_tokens = outputTokens;
    body.max_tokens = outputTokens;
  } else {
    body.prompt = request.prompt ?? renderMessages(request.messages ?? []);
    body.max_tokens = outputTokens;
  }
  body.temperature = 0;
  body.ignore_eos = options.ignoreEos;
  body.stream = options.stream;
  if (options.stream) body.stream_options = { include_usage: true };
  if (extraBody) Object.assign(body, extraBody);
  return JSON.stringify(body);
}

interface PhaseOptions {
  clock: Clock;
  transport: ClientTransport;
  requests: readonly WorkloadRequest[];
  /** Send offsets in ms from the phase start. */
  schedule: readonly number[];
  maxConcurrency: number;
  /** Per-request timeout, ms (Infinity: none). */
  timeoutMs: number;
  bodyOf: (request: WorkloadRequest) => string;
  outputTokensOf: (request: WorkloadRequest) => number;
  dialect: "sglang" | "vllm";
  signal: AbortSignal | undefined;
  onProgress: ((progress: BenchmarkProgress) => void) | undefined;
  phase: BenchmarkProgress["phase"];
  t0?: number;
}

const PROGRESS_INTERVAL_MS = 250;

function runPhase(options: PhaseOptions): Promise<RequestRecord[]> {
  const { clock, transport, requests, schedule, maxConcurrency, dialect, timeoutMs } = options;
  const n = requests.length;
  const t0 = options.t0 ?? clock.nowMs();
  const records = new Array<RequestRecord>(n);
  const aborts = new Map<number, (errorClass?: string, message?: string) => void>();
  const sentAt = new Map<number, number>();
  let next = 0;
  let inFlight = 0;
  let finished = 0;
  let failed = 0;
  let timer: Timer | undefined;
  let timerDeadline = Infinity;
  let sweepTimer: Timer | undefined;
  let aborted = false;
  let lastProgress = -Infinity;

  return new Promise<RequestRecord[]>((resolve) => {
    const progress = (force: boolean) => {
      if (!options.onProgress) return;
      const now = clock.nowMs();
      if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      options.onProgress({
        total: n,
        sent: next,
        completed: finished - failed,
        failed,
        inFlight,
        elapsedMs: now - t0,
        phase: options.phase,
      });
    };
    // One timer sweeps request deadlines and reports progress (cheaper than a timer per request).
    // It runs only when there is something to do, so a virtual clock is not kept busy for nothing.
    const sweepIntervalMs = Math.min(PROGRESS_INTERVAL_MS, Math.max(1, timeoutMs / 10));
    const sweeping = options.onProgress !== undefined || Number.isFinite(timeoutMs);
    const sweep = () => {
      progress(false);
      if (Number.isFinite(timeoutMs)) {
        const now = clock.nowMs();
        for (const [index, sent] of sentAt) {
          if (now - sent >= timeoutMs) {
            aborts.get(index)?.("timeout", `no complete response within ${timeoutMs} ms`);
          }
        }
      }
      sweepTimer = clock.setTimer(clock.nowMs() + sweepIntervalMs, sweep);
    };
    if (sweeping) sweepTimer = clock.setTimer(clock.nowMs() + sweepIntervalMs, sweep);

    const complete = () => {
      timer?.cancel();
      sweepTimer?.cancel();
      options.signal?.removeEventListener("abort", onAbort);
      progress(true);
      resolve(records);
    };

    const onOutcome = (index: number, releasedAbs: number, sentAbs: number, outcome: RequestOutcome) => {
      const endAbs = clock.nowMs();
      aborts.delete(index);
      sentAt.delete(index);
      records[index] = toRecord(requests[index]!, index, options.outputTokensOf(requests[index]!), {
        scheduledMs: schedule[index]!,
        releasedMs: releasedAbs - t0,
        sentMs: sentAbs - t0,
        outcome,
        dialect,
      });
      if (!outcome.success) failed++;
      finished++;
      const wasFull = inFlight >= maxConcurrency;
      inFlight--;
      if (finished === n) {
        complete();
        return;
      }
      if (!aborted) pump(wasFull ? endAbs : undefined);
    };

    const pump = (freedAt?: number) => {
      while (next < n && inFlight < maxConcurrency) {
        const dueAbs = t0 + schedule[next]!;
        const now = clock.nowMs();
        if (dueAbs > now) {
          arm(dueAbs);
          return;
        }
        const index = next++;
        const releasedAbs = freedAt !== undefined ? Math.max(dueAbs, freedAt) : dueAbs;
        freedAt = undefined;
        inFlight++;
        const body = options.bodyOf(requests[index]!);
        const sentAbs = clock.nowMs();
        sentAt.set(index, sentAbs);
        aborts.set(index, transport.send(body, (outcome) => onOutcome(index, releasedAbs, sentAbs, outcome)));
      }
    };

    const arm = (deadlineAbs: number) => {
      if (timer !== undefined && timerDeadline <= deadlineAbs) return;
      timer?.cancel();
      timerDeadline = deadlineAbs;
      timer = clock.setTimer(deadlineAbs, () => {
        timer = undefined;
        timerDeadline = Infinity;
        if (!aborted) pump();
      });
    };

    const onAbort = () => {
      aborted = true;
      timer?.cancel();
      // Never-sent requests are recorded too, as aborted.
      while (next < n) {
        const index = next++;
        records[index] = toRecord(requests[index]!, index, options.outputTokensOf(requests[index]!), {
          scheduledMs: schedule[index]!,
          releasedMs: schedule[index]!,
          sentMs: null,
          outcome: abortedOutcome(),
          dialect,
        });
        failed++;
        finished++;
      }
      for (const abort of [...aborts.values()]) abort();
      if (finished === n) complete();
    };

    if (n === 0) {
      complete();
      return;
    }
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener("abort", onAbort);
    pump();
  });
}

function abortedOutcome(): RequestOutcome {
  return {
    success: false,
    errorClass: "aborted",
    error: "run aborted before send",
    httpStatus: null,
    ttftMs: null,
    itlMs: [],
    e2eMs: null,
    tokenEvents: 0,
    usage: null,
  };
}

function toRecord(
  request: WorkloadRequest,
  index: number,
  requestedOutputTokens: number,
  at: {
    scheduledMs: number;
    releasedMs: number;
    sentMs: number | null;
    outcome: RequestOutcome;
    dialect: "sglang" | "vllm";
  },
): RequestRecord {
  const { outcome } = at;
  const serverOut = outcome.usage?.completionTokens ?? null;
  const outputTokens = !outcome.success
    ? 0
    : serverOut ?? (at.dialect === "sglang" ? requestedOutputTokens : Math.max(1, outcome.tokenEvents));
  const tpot = outcome.success && outputTokens > 1
    ? (outcome.e2eMs! - outcome.ttftMs!) / (outputTokens - 1)
    : null;
  return {
    index,
    id: request.id,
    session_id: request.sessionId ?? null,
    scheduled_ms: at.scheduledMs,
    released_ms: at.releasedMs,
    sent_ms: at.sentMs,
    send_lag_ms: at.sentMs === null ? null : at.sentMs - at.releasedMs,
    queue_ms: at.releasedMs - at.scheduledMs,
    success: outcome.success,
    error_class: outcome.errorClass,
    error: outcome.error,
    http_status: outcome.httpStatus,
    ttft_ms: outcome.ttftMs,
    itl_ms: outcome.itlMs,
    e2e_ms: outcome.e2eMs,
    tpot_ms: tpot,
    output_tokens: outputTokens,
    output_tokens_server: serverOut,
    requested_output_tokens: requestedOutputTokens,
    token_events: outcome.tokenEvents,
    prompt_tokens: request.promptTokens,
    prompt_tokens_server: outcome.usage?.promptTokens ?? null,
    cached_tokens: outcome.usage?.cachedTokens ?? null,
    end_ms: at.sentMs !== null && outcome.e2eMs !== null ? at.sentMs + outcome.e2eMs : null,
  };
}
