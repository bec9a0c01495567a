/**
 * Shapes the client produces: one {@linkcode RequestRecord} per request (never dropped), and the
 * options of {@linkcode runBenchmark}.
 * @module
 */
import type { WorkloadRequest } from "../workload/types.ts";
import type { Endpoint, MetricDialect } from "./sse_event.ts";

/**
 * Why a request failed: `connect` (no connection / refused / DNS), `http_<status>` (non-200),
 * `malformed_stream` (unparseable data, missing `[DONE]`), `no_token_events` (200 but no token
 * event), `server_error_event` (an `{"error":...}` event in the stream), `connection_reset`
 * (socket closed mid-response), `timeout`, `aborted` (run aborted; includes requests never sent).
 */
export type ErrorClass = string;

/**
 * One request's measurements. Times are ms on the run's monotonic clock, relative to the run start
 * (`summary.run_start_epoch_ms` is that instant in epoch ms). Latencies are null when not measured.
 */
export interface RequestRecord {
  /** Position in the workload's request list. */
  index: number;
  id: string;
  session_id: string | null;
  /** Planned send time (schedule, rate or trace). */
  scheduled_ms: number;
  /** When the request became sendable: max(scheduled, the moment a concurrency slot freed for it). */
  released_ms: number;
  /** Actual send (immediately before the HTTP request is issued); null if never sent. */
  sent_ms: number | null;
  /** sent - released: the client's own lateness. */
  send_lag_ms: number | null;
  /** released - scheduled: time spent waiting for a concurrency slot (client queueing). */
  queue_ms: number;
  success: boolean;
  error_class: ErrorClass | null;
  error: string | null;
  http_status: number | null;
  /** First token event - sent. */
  ttft_ms: number | null;
  /** Gaps between consecutive token events. */
  itl_ms: number[];
  /** sglang dialect: last non-empty line of any kind - sent; vllm dialect: last token event - sent. */
  e2e_ms: number | null;
  /** (e2e - ttft) / (output_tokens - 1), null when output_tokens <= 1. */
  tpot_ms: number | null;
  /** Output tokens per the dialect: usage.completion_tokens, else (sglang) the requested max / (vllm) 1. */
  output_tokens: number;
  /** usage.completion_tokens as the server reported it. */
  output_tokens_server: number | null;
  requested_output_tokens: number;
  /** Token events seen (chunks). */
  token_events: number;
  /** Prompt length from the workload (routebench tokenizer). */
  prompt_tokens: number;
  /** usage.prompt_tokens. */
  prompt_tokens_server: number | null;
  /** usage.prompt_tokens_details.cached_tokens. */
  cached_tokens: number | null;
  /** sent + e2e. */
  end_ms: number | null;
}

/** SLOs for goodput (vLLM `--goodput ttft:MS tpot:MS e2el:MS`); a request is good iff every given metric <= its SLO. */
export interface GoodputSlo {
  ttftMs?: number;
  tpotMs?: number;
  e2elMs?: number;
}

/** Progress, reported about 4 times a second. */
export interface BenchmarkProgress {
  total: number;
  sent: number;
  completed: number;
  failed: number;
  inFlight: number;
  elapsedMs: number;
  phase: "warmup" | "run";
}

/** Options of {@linkcode runBenchmark}. */
export interface BenchmarkOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8000` (the `/v1/...` path is appended). */
  baseUrl: string;
  /** `model` field of each request. */
  model: string;
  /** @default "chat" */
  endpoint?: Endpoint;
  requests: readonly WorkloadRequest[];
  /** Most requests in flight; Infinity = unlimited. @default Infinity */
  maxConcurrency?: number;
  /** Open-loop rate in req/s; Infinity sends all at once (or as concurrency allows). @default Infinity */
  requestRate?: number;
  /** Gamma shape of inter-arrival times: 1 Poisson, <1 burstier, Infinity constant. @default 1 */
  burstiness?: number;
  /** Send at the requests' `arrivalMs` (trace replay). @default true when every request has arrivalMs */
  useArrivalTimes?: boolean;
  /** Warmup requests (copies of the first requests, output capped at 32), excluded from results. @default 0 */
  warmupRequests?: number;
  /** Seed of the arrival schedule. @default 0 */
  seed?: number;
  goodput?: GoodputSlo;
  /** Send `ignore_eos: true`. @default true */
  ignoreEos?: boolean;
  /** @default true */
  stream?: boolean;
  /** Per-request timeout. @default 600000 */
  timeoutMs?: number;
  /** Run is invalid when send lag p99 exceeds this. @default 10 */
  sendLagP99ThresholdMs?: number;
  /** Run is invalid when the client's CPU (percent of one core) exceeds this. @default 95 */
  cpuPercentThreshold?: number;
  /** @default "sglang" */
  dialect?: MetricDialect;
  /**
   * Do the HTTP work in this many Worker isolates (>= 2; the main thread keeps the scheduling and
   * records) to go past one isolate's limit of roughly 8,000 streamed req/s; 0 or 1 = main thread.
   * CPU validity is then judged by the busiest thread. @default 0
   */
  clientWorkers?: number;
  /** Extra HTTP headers on every request. */
  headers?: Readonly<Record<string, string>>;
  /** Extra JSON merged into every request body last. */
  extraBody?: Record<string, unknown>;
  signal?: AbortSignal;
  onProgress?: (progress: BenchmarkProgress) => void;
}
