/**
 * vLLM V1 metrics (engines.md §5.3): names, types, labels (`model_name`, `engine`) and bucket
 * boundaries as vLLM exposes them, on the engine's own {@linkcode Registry}. Children are created
 * up front so the engine loop records through plain field accesses.
 * @module
 */
import { type CounterChild, type GaugeChild, type HistogramChild, Registry } from "../prom/mod.ts";
import type { FinishReason } from "./request.ts";

/** `request_latency` buckets: e2e, queue, inference, prefill, decode (seconds). */
export const REQUEST_LATENCY_BUCKETS: readonly number[] = [
  0.3,
  0.5,
  0.8,
  1.0,
  1.5,
  2.0,
  2.5,
  5.0,
  10,
  15,
  20,
  30,
  40,
  50,
  60,
  120,
  240,
  480,
  960,
  1920,
  7680,
];
/** `time_to_first_token` buckets (seconds). */
export const TTFT_BUCKETS: readonly number[] = [
  0.001,
  0.005,
  0.01,
  0.02,
  0.04,
  0.06,
  0.08,
  0.1,
  0.25,
  0.5,
  0.75,
  1.0,
  2.5,
  5.0,
  7.5,
  10,
  20,
  40,
  80,
  160,
  640,
  2560,
];
/** `inter_token_latency` buckets (seconds), also per-request time per output token. */
export const ITL_BUCKETS: readonly number[] = [
  0.01,
  0.025,
  0.05,
  0.075,
  0.1,
  0.15,
  0.2,
  0.3,
  0.4,
  0.5,
  0.75,
  1.0,
  2.5,
  5.0,
  7.5,
  10,
  20,
  40,
  80,
];
/** `iteration_tokens` buckets. */
export const ITERATION_TOKENS_BUCKETS: readonly number[] = [
  1,
  8,
  16,
  32,
  64,
  128,
  256,
  512,
  1024,
  2048,
  4096,
  8192,
  16384,
];
/** `request_params_n` buckets. */
export const PARAMS_N_BUCKETS: readonly number[] = [1, 2, 5, 10, 20];
/** `request_num_preemptions` buckets. */
export const NUM_PREEMPTIONS_BUCKETS: readonly number[] = [1, 2, 3, 4, 5, 10, 20];

/** vLLM's `build_1_2_5_buckets(max)`: 1, 2, 5, 10, 20, 50, … up to and including the largest ≤ max. */
export function build125Buckets(max: number): number[] {
  const buckets: number[] = [];
  for (let exponent = 0;; exponent++) {
    for (const mantissa of [1, 2, 5]) {
      const value = mantissa * 10 ** exponent;
      if (value > max) return buckets;
      buckets.push(value);
    }
  }
}

/** The finish reasons pre-created at 0 in `vllm:request_success_total`. */
export const FINISH_REASONS: readonly string[] = ["stop", "length", "abort", "error", "repetition"];

type Base = "model_name" | "engine";

/** Everything the engine records. Times are observed in seconds. */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly numRequestsRunning: GaugeChild;
  readonly numRequestsWaiting: GaugeChild;
  readonly kvCacheUsagePerc: GaugeChild;
  readonly promptTokens: CounterChild;
  readonly generationTokens: CounterChild;
  readonly numPreemptions: CounterChild;
  readonly prefixCacheQueries: CounterChild;
  readonly prefixCacheHits: CounterChild;
  readonly promptTokensLocalCompute: CounterChild;
  readonly promptTokensLocalCacheHit: CounterChild;
  readonly promptTokensCached: CounterChild;
  readonly promptTokensRecomputed: CounterChild;
  readonly requestSuccess: Record<FinishReason, CounterChild>;
  readonly timeToFirstToken: HistogramChild;
  readonly interTokenLatency: HistogramChild;
  readonly requestTimePerOutputToken: HistogramChild;
  readonly e2eRequestLatency: HistogramChild;
  readonly requestQueueTime: HistogramChild;
  readonly requestPrefillTime: HistogramChild;
  readonly requestDecodeTime: HistogramChild;
  readonly requestInferenceTime: HistogramChild;
  readonly requestPromptTokens: HistogramChild;
  readonly requestGenerationTokens: HistogramChild;
  readonly requestMaxNumGenerationTokens: HistogramChild;
  readonly requestParamsMaxTokens: HistogramChild;
  readonly requestParamsN: HistogramChild;
  readonly iterationTokens: HistogramChild;
  readonly requestPrefillKvComputedTokens: HistogramChild;
  readonly requestNumPreemptions: HistogramChild;

  constructor(options: {
    modelName: string;
    engine: string;
    maxModelLen: number;
    cacheConfig: Record<string, string>;
  }) {
    const r = this.registry;
    const labels = { model_name: options.modelName, engine: options.engine };
    const labelNames: Base[] = ["model_name", "engine"];
    const gauge = (name: string, help: string) => r.gauge<Base>({ name, help, labelNames }).labels(labels);
    const counter = (name: string, help: string) =>
      r.counter<Base>({ name, help, labelNames }).labels(labels);
    const histogram = (name: string, help: string, buckets: readonly number[]) =>
      r.histogram<Base>({ name, help, labelNames, buckets }).labels(labels);
    const tokenBuckets = build125Buckets(options.maxModelLen);

    this.numRequestsRunning = gauge(
      "vllm:num_requests_running",
      "Number of requests in model execution batches.",
    );
    this.numRequestsWaiting = gauge(
      "vllm:num_requests_waiting",
      "Number of requests waiting to be processed.",
    );
    this.kvCacheUsagePerc = gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.");
    const sleep = r.gauge<Base | "sleep_state">({
      name: "vllm:engine_sleep_state",
      help:
        "Engine sleep state; awake = 0 means engine is sleeping; awake = 1 means engine is awake; weights_offloaded = 1 means sleep level 1; discard_all = 1 means sleep level 2.",
      labelNames: ["model_name", "engine", "sleep_state"],
    });
    sleep.labels({ ...labels, sleep_state: "awake" }).set(1);
    sleep.labels({ ...labels, sleep_state: "weights_offloaded" }).set(0);
    sleep.labels({ ...labels, sleep_state: "discard_all" }).set(0);
    const cacheConfigNames = Object.keys(options.cacheConfig).sort();
    r.gauge<string>({
      name: "vllm:cache_config_info",
      help: "Information of the LLMEngine CacheConfig",
      labelNames: cacheConfigNames,
    })
      .labels(options.cacheConfig).set(1);

    this.numPreemptions = counter("vllm:num_preemptions", "Cumulative number of preemption from the engine.");
    this.prefixCacheQueries = counter(
      "vllm:prefix_cache_queries",
      "Prefix cache queries, in terms of number of queried tokens.",
    );
    this.prefixCacheHits = counter(
      "vllm:prefix_cache_hits",
      "Prefix cache hits, in terms of number of cached tokens.",
    );
    counter(
      "vllm:external_prefix_cache_queries",
      "External prefix cache queries from KV connector cross-instance cache sharing, in terms of number of queried tokens.",
    );
    counter(
      "vllm:external_prefix_cache_hits",
      "External prefix cache hits from KV connector cross-instance cache sharing, in terms of number of cached tokens.",
    );
    counter("vllm:mm_cache_queries", "Multi-modal cache queries, in terms of number of queried items.");
    counter("vllm:mm_cache_hits", "Multi-modal cache hits, in terms of number of cached items.");
    this.promptTokens = counter("vllm:prompt_tokens", "Number of prefill tokens processed.");
    const bySource = r.counter<Base | "source">({
      name: "vllm:prompt_tokens_by_source",
      help: "Number of prompt tokens by source.",
      labelNames: ["model_name", "engine", "source"],
    });
    this.promptTokensLocalCompute = bySource.labels({ ...labels, source: "local_compute" });
    this.promptTokensLocalCacheHit = bySource.labels({ ...labels, source: "local_cache_hit" });
    bySource.labels({ ...labels, source: "external_kv_transfer" });
    this.promptTokensCached = counter(
      "vllm:prompt_tokens_cached",
      "Number of cached prompt tokens (local + external).",
    );
    this.promptTokensRecomputed = counter(
      "vllm:prompt_tokens_recomputed",
      "Number of cached tokens recomputed for forward pass.",
    );
    this.generationTokens = counter("vllm:generation_tokens", "Number of generation tokens processed.");
    const success = r.counter<Base | "finished_reason">({
      name: "vllm:request_success",
      help: "Count of successfully processed requests.",
      labelNames: ["model_name", "engine", "finished_reason"],
    });
    const byReason: Record<string, CounterChild> = {};
    for (const reason of FINISH_REASONS) {
      byReason[reason] = success.labels({ ...labels, finished_reason: reason });
    }
    this.requestSuccess = byReason as Record<FinishReason, CounterChild>;

    this.requestPromptTokens = histogram(
      "vllm:request_prompt_tokens",
      "Number of prefill tokens processed.",
      tokenBuckets,
    );
    this.requestGenerationTokens = histogram(
      "vllm:request_generation_tokens",
      "Number of generation tokens processed.",
      tokenBuckets,
    );
    this.iterationTokens = histogram(
      "vllm:iteration_tokens_total",
      "Histogram of number of tokens per engine_step.",
      ITERATION_TOKENS_BUCKETS,
    );
    this.requestMaxNumGenerationTokens = histogram(
      "vllm:request_max_num_generation_tokens",
      "Histogram of maximum number of requested generation tokens.",
      tokenBuckets,
    );
    this.requestParamsN = histogram(
      "vllm:request_params_n",
      "Histogram of the n request parameter.",
      PARAMS_N_BUCKETS,
    );
    this.requestParamsMaxTokens = histogram(
      "vllm:request_params_max_tokens",
      "Histogram of the max_tokens request parameter.",
      tokenBuckets,
    );
    this.timeToFirstToken = histogram(
      "vllm:time_to_first_token_seconds",
      "Histogram of time to first token in seconds.",
      TTFT_BUCKETS,
    );
    this.interTokenLatency = histogram(
      "vllm:inter_token_latency_seconds",
      "Histogram of inter-token latency in seconds.",
      ITL_BUCKETS,
    );
    this.requestTimePerOutputToken = histogram(
      "vllm:request_time_per_output_token_seconds",
      "Histogram of time_per_output_token_seconds per request.",
      ITL_BUCKETS,
    );
    this.e2eRequestLatency = histogram(
      "vllm:e2e_request_latency_seconds",
      "Histogram of e2e request latency in seconds.",
      REQUEST_LATENCY_BUCKETS,
    );
    this.requestQueueTime = histogram(
      "vllm:request_queue_time_seconds",
      "Histogram of time spent in WAITING phase for request.",
      REQUEST_LATENCY_BUCKETS,
    );
    this.requestInferenceTime = histogram(
      "vllm:request_inference_time_seconds",
      "Histogram of time spent in RUNNING phase for request.",
      REQUEST_LATENCY_BUCKETS,
    );
    this.requestPrefillTime = histogram(
      "vllm:request_prefill_time_seconds",
      "Histogram of time spent in PREFILL phase for request.",
      REQUEST_LATENCY_BUCKETS,
    );
    this.requestDecodeTime = histogram(
      "vllm:request_decode_time_seconds",
      "Histogram of time spent in DECODE phase for request.",
      REQUEST_LATENCY_BUCKETS,
    );
    this.requestPrefillKvComputedTokens = histogram(
      "vllm:request_prefill_kv_computed_tokens",
      "Histogram of new KV tokens computed during prefill (excluding cached tokens).",
      tokenBuckets,
    );
    this.requestNumPreemptions = histogram(
      "vllm:request_num_preemptions",
      "Histogram of number of preemptions per request.",
      NUM_PREEMPTIONS_BUCKETS,
    );
  }

  /** Prometheus text exposition of every family. */
  render(): string {
    return this.registry.render();
  }
}
