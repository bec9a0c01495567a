/**
 * The load runner: sends a workload's requests closed loop (max concurrency), open loop on an
 * absolute schedule (rate with gamma burstiness) or at trace times, after optional warmup requests
 * that are excluded from the results. Every request ends up as exactly one record, failed or not.
 * Dispatch happens in the completion callback and in one timer armed for the next absolute
 * deadline, so lateness never accumulates and a freed slot is refilled without a tick.
 * @module
 */
import { createRng } from "../core/rng.ts";
import { arrivalTimesMs } from "../workload/arrivals.ts";
import { renderMessages, type WorkloadRequest } from "../workload/types.ts";
import { SelfMonitor } from "./self_monitor.ts";
import {
  createRequestTarget,
  type RequestOutcome,
  type RequestTarget,
  sendRequest,
} from "./stream_request.ts";
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

/**
 * Runs a benchmark against `options.baseUrl`. Throws only for invalid options (TypeError /
 * RangeError); per-request failures are records.
 */
export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
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
  const arrival = useTrace ? "trace" : requestRate === Infinity ? "all_at_once" : "rate";
  const schedule = useTrace ? requests.map((r) => r.arrivalMs!) : arrivalTimesMs(
    { count: requests.length, requestRate, burstiness },
    createRng(options.seed ?? 0).fork("arrivals"),
  );

  const target = createRequestTarget({
    baseUrl: options.baseUrl,
    endpoint,
    dialect,
    stream,
    timeoutMs: options.timeoutMs ?? 600_000,
    maxSockets: maxConcurrency,
  });
  const bodyOf = (request: WorkloadRequest, outputTokens: number) =>
    buildBody(request, outputTokens, {
      model: options.model,
      endpoint,
      stream,
      ignoreEos: options.ignoreEos ?? true,
    }, options.extraBody);

  try {
    let warmupFailed = 0;
    if (warmupCount > 0 && requests.length > 0) {
      const warmup = Array.from({ length: warmupCount }, (_, i) => requests[i % requests.length]!);
      const records = await runPhase({
        target,
        requests: warmup,
        schedule: new Array<number>(warmup.length).fill(0),
        maxConcurrency,
        bodyOf: (r) => bodyOf(r, Math.min(r.outputTokens, WARMUP_OUTPUT_TOKENS_MAX)),
        outputTokensOf: (r) => Math.min(r.outputTokens, WARMUP_OUTPUT_TOKENS_MAX),
        dialect,
        signal: options.signal,
        onProgress: options.onProgress,
        phase: "warmup",
      });
      warmupFailed = records.filter((r) => !r.success).length;
    }
    const monitor = new SelfMonitor();
    monitor.start();
    const runStartEpochMs = performance.timeOrigin + performance.now();
    const started = performance.now();
    const records = await runPhase({
      target,
      requests,
      schedule,
      maxConcurrency,
      bodyOf: (r) => bodyOf(r, r.outputTokens),
      outputTokensOf: (r) => r.outputTokens,
      dialect,
      signal: options.signal,
      onProgress: options.onProgress,
      phase: "run",
      t0: started,
    });
    const durationMs = performance.now() - started;
    const self = monitor.stop();
    const summary = summarize({
      records,
      durationMs,
      dialect,
      goodput: options.goodput,
      warmupRequests: warmupCount,
      warmupFailed,
      eventLoopLagMs: self.eventLoopLagMs,
      cpuPercent: self.cpuPercent,
      sendLagP99ThresholdMs: options.sendLagP99ThresholdMs ?? 10,
      cpuPercentThreshold: options.cpuPercentThreshold ?? 95,
      runStartEpochMs,
      requestRate,
      burstiness,
      maxConcurrency,
      arrival,
    });
    return { summary, records };
  } finally {
    target.agent.destroy();
  }
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
  target: RequestTarget;
  requests: readonly WorkloadRequest[];
  /** Send offsets in ms from the phase start. */
  schedule: readonly number[];
  maxConcurrency: number;
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
  const { target, requests, schedule, maxConcurrency, dialect } = options;
  const n = requests.length;
  const t0 = options.t0 ?? performance.now();
  const records = new Array<RequestRecord>(n);
  const aborts = new Map<number, (errorClass?: string, message?: string) => void>();
  const sentAt = new Map<number, number>();
  let next = 0;
  let inFlight = 0;
  let finished = 0;
  let failed = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerDeadline = Infinity;
  let aborted = false;
  let lastProgress = -Infinity;

  return new Promise<RequestRecord[]>((resolve) => {
    const progress = (force: boolean) => {
      if (!options.onProgress) return;
      const now = performance.now();
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
    const timeoutMs = target.timeoutMs;
    const sweep = () => {
      progress(false);
      if (!Number.isFinite(timeoutMs)) return;
      const now = performance.now();
      for (const [index, sent] of sentAt) {
        if (now - sent >= timeoutMs) {
          aborts.get(index)?.("timeout", `no complete response within ${timeoutMs} ms`);
        }
      }
    };
    const progressTimer = setInterval(sweep, Math.min(PROGRESS_INTERVAL_MS, Math.max(1, timeoutMs / 10)));

    const complete = () => {
      if (timer !== undefined) clearTimeout(timer);
      clearInterval(progressTimer);
      options.signal?.removeEventListener("abort", onAbort);
      progress(true);
      resolve(records);
    };

    const onOutcome = (index: number, releasedAbs: number, sentAbs: number, outcome: RequestOutcome) => {
      const endAbs = performance.now();
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
        const now = performance.now();
        if (dueAbs > now) {
          arm(dueAbs);
          return;
        }
        const index = next++;
        const releasedAbs = freedAt !== undefined ? Math.max(dueAbs, freedAt) : dueAbs;
        freedAt = undefined;
        inFlight++;
        const body = options.bodyOf(requests[index]!);
        const sentAbs = performance.now();
        sentAt.set(index, sentAbs);
        aborts.set(
          index,
          sendRequest(target, body, sentAbs, (outcome) => onOutcome(index, releasedAbs, sentAbs, outcome)),
        );
      }
    };

    const arm = (deadlineAbs: number) => {
      if (timer !== undefined && timerDeadline <= deadlineAbs) return;
      if (timer !== undefined) clearTimeout(timer);
      timerDeadline = deadlineAbs;
      timer = setTimeout(() => {
        timer = undefined;
        timerDeadline = Infinity;
        if (!aborted) pump();
      }, Math.max(0, deadlineAbs - performance.now()));
    };

    const onAbort = () => {
      aborted = true;
      if (timer !== undefined) clearTimeout(timer);
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
