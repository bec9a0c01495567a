/**
 * The load generator: streaming requests over node:http, the runner (closed loop, open loop on an
 * absolute schedule, trace times), sglang-compatible metrics and the client's self-measurement.
 * @module
 */
export {
  type BenchmarkResult,
  buildBody,
  runBenchmark,
  runBenchmarkWith,
  type RunnerOptions,
} from "./run_benchmark.ts";
export { type AbortRequest, type ClientTransport, type HttpTransport, httpTransport } from "./transport.ts";
export { workerHttpTransport } from "./worker_transport.ts";
export { OutcomeBuilder } from "./outcome_builder.ts";
export type { BenchmarkOptions, BenchmarkProgress, ErrorClass, GoodputSlo, RequestRecord } from "./types.ts";
export {
  type BenchmarkSummary,
  isGood,
  maxConcurrentRequests,
  maxOutputTokensPerS,
  summarize,
  type SummaryInput,
} from "./summary.ts";
export {
  mean,
  type MetricStats,
  metricStats,
  percentile,
  percentileSorted,
  populationStd,
} from "../core/stats.ts";
export { writeRecordsJsonl, writeSummaryJson } from "./output.ts";
export { SseParser } from "./sse_parser.ts";
export {
  classifySseData,
  type Endpoint,
  type MetricDialect,
  type SseEventKind,
  type StreamUsage,
} from "./sse_event.ts";
export {
  createRequestTarget,
  type RequestOutcome,
  type RequestTarget,
  sendRequest,
} from "./stream_request.ts";
export { type SelfMeasurement, SelfMonitor } from "./self_monitor.ts";
export { formatProgress } from "./progress.ts";
