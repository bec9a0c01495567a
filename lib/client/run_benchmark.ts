/**
 * The load runner: sends a workload's requests closed loop (max concurrency), open loop on an
 * absolute schedule (rate with gamma burstiness) or at trace times, after optional warmup requests
 * that are excluded from the results. Every request ends up as exactly one record, failed or not.
 * Dispatch happens in the completion callback and in one timer armed for the next absolute
 * deadline, so lateness never accumulates and a freed slot is refilled without a tick.
 *
 * The runner reads time only from a {@linkcode Clock} and sends only through a
 * {@linkcode ClientTransport}, and it runs entirely in callbacks (no await between requests or
 * phases): with a VirtualClock and an in-process transport, {@linkcode runBenchmarkWith} runs in
 * virtual time inside the clock's timer callbacks. {@linkcode runBenchmark} is the live path:
 * node:http transport and a {@linkcode PreciseClock} (sub-ms timers for open-loop pacing).
 * @module
 */
import type { Clock, Timer } from "../core/clock.ts";
import { PreciseClock } from "../core/precise_clock.ts";
import { createRng } from "../core/rng.ts";
import { arrivalTimesMs } from "../workload/arrivals.ts";
import { renderMessages, type WorkloadRequest } from "../workload/types.ts";
import { SelfMonitor } from "./self_monitor.ts";
import type { RequestOutcome } from "./stream_request.ts";
import { type BenchmarkSummary, summarize } from "./summary.ts";
import type { AbortRequest, ClientTransport } from "./transport.ts";
import { workerHttpTransport } from "./worker_transport.ts";
import type { BenchmarkOptions, BenchmarkProgress, RequestRecord } from "./types.ts";
import type { Endpoint, MetricDialect } from "./sse_event.ts";

/** What {@linkcode runBenchmark} returns. */
export interface BenchmarkResult {
  summary: BenchmarkSummary;
  /** One record per request, in workload order. */
  records: RequestRecord[];
}

/**
 * Options of {@linkcode runBenchmarkWith}: the benchmark options without the URL (`clientWorkers` is
 * ignored: the transport is given), plus the seam's.
 */
export interface RunnerOptions extends Omit<BenchmarkOptions, "baseUrl"> {
  /**
   * Sample the client's event-loop lag and CPU during the run (real clocks only). When off, the
   * summary reports null for both (virtual time has no event loop to lag). @default false
   */
  selfMonitor?: boolean;
  /**
   * With selfMonitor: judge CPU by the busiest thread of the process (Linux /proc), for transports
   * that work in several threads. @default false
   */
  threadCpu?: boolean;
  /** Epoch ms at the clock's 0: `run_start_epoch_ms` = epochOriginMs + the run start. @default 0 */
  epochOriginMs?: number;
  /**
   * Called synchronously inside the clock callback that completes the run, before the promise
   * resolves: a virtual-time driver can stop stepping its clock there.
   */
  onComplete?: (result: BenchmarkResult) => void;
}

const WARMUP_OUTPUT_TOKENS_MAX = 32;
const PROGRESS_INTERVAL_MS = 250;

/**
 * Runs a benchmark against `options.baseUrl` (live: node:http, PreciseClock, self-monitoring).
 * Throws only for invalid options (TypeError / RangeError); per-request failures are records.
 */
export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const plan = resolvePlan(options);
  const transport = workerHttpTransport({
    baseUrl: options.baseUrl,
    endpoint: plan.endpoint,
    dialect: plan.dialect,
    stream: plan.stream,
    timeoutMs: plan.timeoutMs,
    maxSockets: plan.maxConcurrency,
    workers: options.clientWorkers ?? 0,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const clock = new PreciseClock();
  try {
    await clock.whenReady();
    return await runBenchmarkWith(transport, clock, {
      ...options,
      selfMonitor: true,
      threadCpu: (options.clientWorkers ?? 0) >= 2,
      epochOriginMs: performance.timeOrigin,
    });
  } finally {
    transport.close();
    clock.close();
  }
}

/**
 * Runs a benchmark through `transport` on `clock`: the runner of {@linkcode runBenchmark} with its
 * two dependencies injected. It starts sending synchronously, arms only `clock` timers, and
 * resolves when every record exists (after `options.onComplete`). Per-request timeouts are enforced
 * here on the clock (the transport gets a cancel). The transport is not closed. Rejects only for
 * invalid options.
 */
export function runBenchmarkWith(
  transport: ClientTransport,
  clock: Clock,
  options: RunnerOptions,
): Promise<BenchmarkResult> {
  return new Promise<BenchmarkResult>((resolve, reject) => {
    const plan = resolvePlan(options);
    const { requests, endpoint, dialect, stream, maxConcurrency, warmupCount } = plan;
    const bodyOptions = { model: options.model, endpoint, stream, ignoreEos: options.ignoreEos ?? true };
    const phase = {
      transport,
      clock,
      maxConcurrency,
      dialect,
      timeoutMs: plan.timeoutMs,
      signal: options.signal,
      onProgress: options.onProgress,
    };

    const startRun = (warmupFailed: number) => {
      // Sampled on setTimeout, not on `clock`: 100 wakes/s of the PreciseClock's Worker would cost
      // more than they measure.
      const monitor = options.selfMonitor ? new SelfMonitor({ threadCpu: options.threadCpu ?? false }) : null;
      monitor?.start();
      startPhase({
        ...phase,
        requests,
        schedule: plan.schedule,
        bodyOf: (r) => buildBody(r, r.outputTokens, bodyOptions, options.extraBody),
        outputTokensOf: (r) => r.outputTokens,
        phase: "run",
      }, (records, t0) => {
        try {
          const durationMs = clock.nowMs() - t0;
          const self = monitor?.stop() ??
            { eventLoopLagMs: null, cpuPercent: null, busiestThreadCpuPercent: null };
          const summary = summarize({
            records,
            durationMs,
            dialect,
            goodput: options.goodput,
            warmupRequests: warmupCount,
            warmupFailed,
            eventLoopLagMs: self.eventLoopLagMs,
            cpuPercent: self.cpuPercent,
            busiestThreadCpuPercent: self.busiestThreadCpuPercent,
            sendLagP99ThresholdMs: options.sendLagP99ThresholdMs ?? 10,
            cpuPercentThreshold: options.cpuPercentThreshold ?? 95,
            runStartEpochMs: (options.epochOriginMs ?? 0) + t0,
            requestRate: plan.requestRate,
            burstiness: plan.burstiness,
            maxConcurrency,
            arrival: plan.arrival,
          });
          const result = { summary, records };
          options.onComplete?.(result);
          resolve(result);
        } catch (error) {
          reject(error);
        }
      });
    };

    if (warmupCount > 0 && requests.length > 0) {
      const warmup = Array.from({ length: warmupCount }, (_, i) => requests[i % requests.length]!);
      const outputTokensOf = (r: WorkloadRequest) => Math.min(r.outputTokens, WARMUP_OUTPUT_TOKENS_MAX);
      startPhase({
        ...phase,
        requests: warmup,
        schedule: new Array<number>(warmup.length).fill(0),
        bodyOf: (r) => buildBody(r, outputTokensOf(r), bodyOptions, options.extraBody),
        outputTokensOf,
        phase: "warmup",
      }, (records) => startRun(records.filter((r) => !r.success).length));
    } else {
      startRun(0);
    }
  });
}

interface RunPlan {
  requests: readonly WorkloadRequest[];
  endpoint: Endpoint;
  dialect: MetricDialect;
  stream: boolean;
  maxConcurrency: number;
  requestRate: number;
  burstiness: number;
  warmupCount: number;
  timeoutMs: number;
  arrival: BenchmarkSummary["arrival"];
  /** Send offsets in ms from the run start. */
  schedule: readonly number[];
}

/** Validates the options and computes the schedule. Throws RangeError/TypeError naming the option. */
function resolvePlan(options: Omit<BenchmarkOptions, "baseUrl">): RunPlan {
  const maxConcurrency = options.maxConcurrency ?? Infinity;
  const requestRate = options.requestRate ?? Infinity;
  const burstiness = options.burstiness ?? 1;
  const warmupCount = options.warmupRequests ?? 0;
  const timeoutMs = options.timeoutMs ?? 600_000;
  if (!(maxConcurrency >= 1)) {
    throw new RangeError(`Cannot run: 'maxConcurrency' must be >= 1: got ${maxConcurrency}`);
  }
  if (!(requestRate > 0)) throw new RangeError(`Cannot run: 'requestRate' must be > 0: got ${requestRate}`);
  if (!(Number.isInteger(warmupCount) && warmupCount >= 0)) {
    throw new RangeError(`Cannot run: 'warmupRequests' must be a non-negative integer: got ${warmupCount}`);
  }
  if (!(timeoutMs > 0)) throw new RangeError(`Cannot run: 'timeoutMs' must be > 0: got ${timeoutMs}`);
  const requests = options.requests;
  const allTimed = requests.length > 0 && requests.every((r) => r.arrivalMs !== undefined);
  const useTrace = options.useArrivalTimes ?? allTimed;
  if (useTrace && !allTimed) {
    throw new TypeError("Cannot replay arrival times: some requests have no 'arrivalMs'");
  }
  const schedule = useTrace ? requests.map((r) => r.arrivalMs!) : arrivalTimesMs(
    { count: requests.length, requestRate, burstiness },
    createRng(options.seed ?? 0).fork("arrivals"),
  );
  return {
    requests,
    endpoint: options.endpoint ?? "chat",
    dialect: options.dialect ?? "sglang",
    stream: options.stream ?? true,
    maxConcurrency,
    requestRate,
    burstiness,
    warmupCount,
    timeoutMs,
    arrival: useTrace ? "trace" : requestRate === Infinity ? "all_at_once" : "rate",
    schedule,
  };
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
  transport: ClientTransport;
  clock: Clock;
  requests: readonly WorkloadRequest[];
  /** Send offsets in ms from the phase start. */
  schedule: readonly number[];
  maxConcurrency: number;
  bodyOf: (request: WorkloadRequest) => string;
  outputTokensOf: (request: WorkloadRequest) => number;
  dialect: MetricDialect;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: BenchmarkProgress) => void) | undefined;
  phase: BenchmarkProgress["phase"];
}

/** A request in flight. */
interface InFlight {
  /** Clock time immediately before `transport.send`. */
  sentAbs: number;
  releasedAbs: number;
  /** Null while `send` has not returned. */
  abort: AbortRequest | null;
  /** Cancelled (timeout or run abort); its outcome may still be on its way. */
  cancelled: boolean;
}

/**
 * Runs one phase and calls `onDone` (inside a clock or I/O callback, or synchronously for an empty
 * phase) with the records and the phase's start time. Starts sending synchronously.
 */
function startPhase(options: PhaseOptions, onDone: (records: RequestRecord[], t0: number) => void): void {
  const { transport, clock, requests, schedule, maxConcurrency, dialect, timeoutMs } = options;
  const n = requests.length;
  const t0 = clock.nowMs();
  const records = new Array<RequestRecord>(n);
  // Insertion order is send order, so the first live entry has the earliest timeout deadline.
  const inFlightByIndex = new Map<number, InFlight>();
  let next = 0;
  let inFlight = 0;
  let finished = 0;
  let failed = 0;
  let aborted = false;
  let done = false;
  let pumping = false;
  /** When a slot freed while every slot was taken: the next send's release time. */
  let freedAtAbs: number | undefined;
  let paceTimer: Timer | null = null;
  let paceDeadline = Infinity;
  let timeoutTimer: Timer | null = null;
  let progressTimer: Timer | null = null;

  const progress = () => {
    options.onProgress?.({
      total: n,
      sent: next,
      completed: finished - failed,
      failed,
      inFlight,
      elapsedMs: clock.nowMs() - t0,
      phase: options.phase,
    });
  };
  const onProgressTick = (deadline: number) => {
    progress();
    progressTimer = clock.setTimer(
      deadline + PROGRESS_INTERVAL_MS,
      () => onProgressTick(deadline + PROGRESS_INTERVAL_MS),
    );
  };

  const complete = () => {
    if (done) return;
    done = true;
    paceTimer?.cancel();
    timeoutTimer?.cancel();
    progressTimer?.cancel();
    options.signal?.removeEventListener("abort", onAbort);
    if (options.onProgress) progress();
    onDone(records, t0);
  };

  const onOutcome = (index: number, outcome: RequestOutcome) => {
    const entry = inFlightByIndex.get(index);
    if (entry === undefined || done) return; // a second outcome: the first one counts
    const endAbs = clock.nowMs();
    inFlightByIndex.delete(index);
    records[index] = toRecord(requests[index]!, index, options.outputTokensOf(requests[index]!), {
      scheduledMs: schedule[index]!,
      releasedMs: entry.releasedAbs - t0,
      sentMs: entry.sentAbs + (outcome.sendDelayMs ?? 0) - t0,
      outcome,
      dialect,
    });
    if (!outcome.success) failed++;
    finished++;
    if (inFlight >= maxConcurrency) freedAtAbs = endAbs;
    inFlight--;
    if (finished === n) complete();
    else if (!aborted) pump();
  };

  const pump = () => {
    // A synchronous outcome inside send() re-enters here; the loop below sees its effect.
    if (pumping) return;
    pumping = true;
    while (next < n && inFlight < maxConcurrency && !aborted) {
      const dueAbs = t0 + schedule[next]!;
      if (dueAbs > clock.nowMs()) {
        freedAtAbs = undefined;
        arm(dueAbs);
        break;
      }
      const index = next++;
      const releasedAbs = freedAtAbs !== undefined ? Math.max(dueAbs, freedAtAbs) : dueAbs;
      freedAtAbs = undefined;
      inFlight++;
      const request = requests[index]!;
      const body = options.bodyOf(request);
      const entry: InFlight = { sentAbs: clock.nowMs(), releasedAbs, abort: null, cancelled: false };
      inFlightByIndex.set(index, entry);
      const abort = transport.send(body, (outcome) => onOutcome(index, outcome), request);
      if (inFlightByIndex.get(index) === entry) entry.abort = abort;
    }
    pumping = false;
    armTimeout();
  };

  const arm = (deadlineAbs: number) => {
    if (paceTimer !== null && paceDeadline <= deadlineAbs) return;
    paceTimer?.cancel();
    paceDeadline = deadlineAbs;
    paceTimer = clock.setTimer(deadlineAbs, () => {
      paceTimer = null;
      paceDeadline = Infinity;
      if (!aborted && !done) pump();
    });
  };

  // One timer at the earliest request deadline (cheaper than a timer per request).
  const armTimeout = () => {
    if (timeoutTimer !== null || done || !Number.isFinite(timeoutMs)) return;
    for (const entry of inFlightByIndex.values()) {
      if (entry.cancelled) continue;
      timeoutTimer = clock.setTimer(entry.sentAbs + timeoutMs, onTimeoutTimer);
      return;
    }
  };
  const onTimeoutTimer = () => {
    timeoutTimer = null;
    const now = clock.nowMs();
    for (const entry of inFlightByIndex.values()) {
      if (entry.cancelled) continue;
      if (now - entry.sentAbs < timeoutMs) break;
      entry.cancelled = true;
      entry.abort?.("timeout", `no complete response within ${timeoutMs} ms`);
    }
    armTimeout();
  };

  const onAbort = () => {
    if (done) return;
    aborted = true;
    paceTimer?.cancel();
    paceTimer = null;
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
    for (const entry of [...inFlightByIndex.values()]) {
      entry.cancelled = true;
      entry.abort?.();
    }
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
  if (options.onProgress) {
    progressTimer = clock.setTimer(
      t0 + PROGRESS_INTERVAL_MS,
      () => onProgressTick(t0 + PROGRESS_INTERVAL_MS),
    );
  }
  pump();
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
    dialect: MetricDialect;
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
