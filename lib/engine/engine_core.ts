/**
 * The engine loop, usable live (RealClock, behind HTTP) and in virtual time (VirtualClock, no HTTP)
 * with the same code. Each step: schedule (scheduler.ts) → modelled duration (timing_model.ts, with
 * seeded jitter, divided by the speedup) → wait for the absolute deadline on the Clock → advance every
 * scheduled request, emit one token per request whose known tokens are all computed, finish requests,
 * record metrics. The next step starts at the previous deadline, so timer lateness does not
 * accumulate; at high speedups several steps whose deadlines already passed run in one turn.
 * @module
 */
import type { SeriesColumns } from "../prom/series_columns.ts";
import type { Clock, Timer } from "../core/clock.ts";
import { invariant } from "../core/invariant.ts";
import type { Rng } from "../core/rng.ts";
import { BlockPool } from "./block_pool.ts";
import type { EngineConfig } from "./config.ts";
import { KvCacheManager, type PrefixHit } from "./kv_cache_manager.ts";
import { type KvEvent, KvEventCollector } from "./kv_events.ts";
import { EngineMetrics } from "./metrics.ts";
import {
  EngineRequest,
  type EngineRequestInput,
  type FinishReason,
  type RequestSink,
  tokenText,
} from "./request.ts";
import { ScheduledBatch, Scheduler } from "./scheduler.ts";
import { createTimingModel, type TimingModel } from "./timing_model.ts";

/** Dependencies injected into the engine core. */
export interface EngineDeps {
  clock: Clock;
  rng: Rng;
  /**
   * Real time only: run a step's end this many ms before its deadline, so that at the deadline
   * only the turn-end listeners (the server's flush of the bytes already built) remain. Token
   * times and metrics still use the deadline; a step's output leaves at its deadline, never
   * before. @default 0
   */
  emitAheadMs?: number;
}

/** One executed step, for observers (tests, benchmarks, simulations). */
export interface StepRecord {
  /** Clock time the step started (ms). */
  startMs: number;
  /** Clock time it was due to end: start + modelled / speedup (ms). */
  deadlineMs: number;
  /** Modelled duration including jitter, before the speedup (ms). */
  modelledMs: number;
  numPrefills: number;
  prefillTokens: number;
  numDecodes: number;
  decodeContextTokens: number;
  numPreemptions: number;
  /** Tokens emitted at the end of the step. */
  tokensEmitted: number;
  /** Clock time the step's end began to be processed (the timer fired, ms). */
  endedMs: number;
  /** Clock time the step's tokens had all been handed to their sinks (ms). */
  emittedMs: number;
}

/** Point-in-time view of the engine. */
export interface EngineSnapshot {
  running: number;
  waiting: number;
  kvCacheUsage: number;
  freeBlocks: number;
  cachedBlocks: number;
  steps: number;
}

/** Longest run of already-due steps executed in one turn before yielding to I/O (real ms). */
const MAX_CATCH_UP_TURN_MS = 8;
/** A step that starts this late (clock ms) starts now instead: the engine was idle or stalled. */
const MAX_LATENESS_MS = 50;

/** Scheduler, KV cache and timing model driven by a Clock. */
export class EngineCore {
  readonly config: EngineConfig;
  readonly metrics: EngineMetrics;
  readonly #clock: Clock;
  readonly #emitAheadMs: number;
  readonly #jitterRng: Rng;
  readonly #timing: TimingModel;
  readonly #pool: BlockPool;
  readonly #kv: KvCacheManager;
  readonly #scheduler: Scheduler;
  readonly #events: KvEventCollector;
  readonly #kvListeners = new Set<(events: readonly KvEvent[]) => void>();
  readonly #stepListeners = new Set<(step: StepRecord) => void>();
  readonly #turnListeners = new Set<() => void>();
  readonly #requests = new Map<string, EngineRequest>();
  readonly #batch = new ScheduledBatch();
  #timer: Timer | null = null;
  #stepStartMs = 0;
  #stepDeadlineMs = 0;
  #stepModelledMs = 0;
  #inStep = false;
  #lastDeadlineMs = -Infinity;
  #steps = 0;
  #closed = false;

  constructor(config: EngineConfig, deps: EngineDeps) {
    this.config = config;
    this.#clock = deps.clock;
    this.#emitAheadMs = deps.emitAheadMs ?? 0;
    this.#jitterRng = deps.rng.fork("engine-step-jitter");
    this.#timing = createTimingModel(config.profile, (config.numGpuBlocks - 1) * config.blockSize);
    this.#events = new KvEventCollector(config.blockSize);
    this.#pool = new BlockPool(config.numGpuBlocks, this.#events);
    this.#kv = new KvCacheManager(this.#pool, config.blockSize, config.enablePrefixCaching);
    this.metrics = new EngineMetrics({
      modelName: config.model,
      engine: config.engineIndex,
      maxModelLen: config.maxModelLen,
      cacheConfig: {
        engine: config.engineIndex,
        block_size: String(config.blockSize),
        cache_dtype: "auto",
        enable_prefix_caching: config.enablePrefixCaching ? "True" : "False",
        gpu_memory_utilization: "0.9",
        num_gpu_blocks: String(config.numGpuBlocks),
        num_cpu_blocks: "0",
        prefix_caching_hash_algo: "routebench_chained_53bit",
      },
    });
    const metrics = this.metrics;
    this.#scheduler = new Scheduler(this.#kv, config, {
      onPreempt: () => metrics.numPreemptions.inc(),
      onAdmit: (request: EngineRequest, hit: PrefixHit, numTokensQueried: number) => {
        if (config.enablePrefixCaching) {
          metrics.prefixCacheQueries.inc(numTokensQueried);
          metrics.prefixCacheHits.inc(hit.tokens);
        }
        if (request.numCachedTokens < 0) {
          request.numCachedTokens = hit.tokens;
          if (hit.recomputedTokens > 0) metrics.promptTokensRecomputed.inc(hit.recomputedTokens);
        }
      },
    });
    this.#refreshGauges();
  }

  /** Clock time now (ms). */
  nowMs(): number {
    return this.#clock.nowMs();
  }

  /**
   * Queues a request. It reaches the scheduler after the modelled API overhead (divided by the
   * speedup); that moment is its arrival for metrics. Throws RangeError on a duplicate id or a
   * request longer than max_model_len (the HTTP layer validates first).
   */
  submit(input: EngineRequestInput, sink: RequestSink): void {
    invariant(!this.#closed, "submit() after close()");
    if (this.#requests.has(input.id)) throw new RangeError(`Duplicate request id '${input.id}'`);
    if (input.promptTokenIds.length + input.maxTokens > this.config.maxModelLen) {
      throw new RangeError(
        `Request '${input.id}' needs ${
          input.promptTokenIds.length + input.maxTokens
        } tokens: max_model_len is ${this.config.maxModelLen}`,
      );
    }
    if (input.promptTokenIds.length === 0) throw new RangeError(`Request '${input.id}' has an empty prompt`);
    const config = this.config;
    const arrivalMs = this.#clock.nowMs() + config.apiOverheadMs / config.speedupRatio;
    const request = new EngineRequest(input, sink, arrivalMs, config.seed, {
      medianTokens: config.naturalOutputMedianTokens,
      sigma: config.naturalOutputSigma,
    });
    this.#requests.set(input.id, request);
    this.#scheduler.waiting.pushBack(request);
    this.metrics.requestParamsN.observe(1);
    if (request.maxTokensGiven) this.metrics.requestParamsMaxTokens.observe(request.maxTokens);
    this.#wake(arrivalMs);
  }

  /** Aborts a request (client gone): frees its blocks, records `abort`. Returns false if unknown or done. */
  abort(requestId: string): boolean {
    const request = this.#requests.get(requestId);
    if (request === undefined || request.status === "finished") return false;
    this.#scheduler.remove(request);
    this.#finish(request, "abort", this.#clock.nowMs());
    this.#refreshGauges();
    return true;
  }

  /** Aborts everything and stops the loop. */
  close(): void {
    for (const id of [...this.#requests.keys()]) this.abort(id);
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = null;
  }

  /** Drops every prefix-cache entry (vLLM's `/reset_prefix_cache`). */
  resetPrefixCache(): void {
    this.#pool.resetPrefixCache();
    this.#flushKvEvents(this.#clock.nowMs());
  }

  /** Subscribes to KV events (flushed at the end of each step); returns the unsubscribe function. */
  onKvEvents(listener: (events: readonly KvEvent[]) => void): () => void {
    this.#kvListeners.add(listener);
    this.#events.enabled = true;
    return () => {
      this.#kvListeners.delete(listener);
      this.#events.enabled = this.#kvListeners.size > 0;
    };
  }

  /** Current cache content as stored events (one per block, parent first when cached), for a new subscriber. */
  kvSnapshot(): KvEvent[] {
    const now = this.#clock.nowMs();
    return this.#pool.cachedEntries().map(([hash, parent]) => ({
      type: "stored" as const,
      block_hashes: [hash],
      parent_hash: parent,
      token_count: this.config.blockSize,
      engine_time_ms: now,
    }));
  }

  /** Subscribes to step records; returns the unsubscribe function. */
  onStep(listener: (step: StepRecord) => void): () => void {
    this.#stepListeners.add(listener);
    return () => void this.#stepListeners.delete(listener);
  }

  /**
   * Subscribes to the end of each loop turn: the steps whose deadlines had passed ran back to back
   * (one step per turn at speedup 1, several at high speedups). Token sinks may buffer output and
   * write it here, once per request per turn. Returns the unsubscribe function.
   */
  onTurnEnd(listener: () => void): () => void {
    this.#turnListeners.add(listener);
    return () => void this.#turnListeners.delete(listener);
  }

  /** Queue and cache state now. */
  snapshot(): EngineSnapshot {
    return {
      running: this.#scheduler.running.length,
      waiting: this.#scheduler.waiting.length,
      kvCacheUsage: this.#pool.usage(),
      freeBlocks: this.#pool.numFreeBlocks,
      cachedBlocks: this.#pool.numCachedBlocks,
      steps: this.#steps,
    };
  }

  /** Whether no request is queued or running. */
  get idle(): boolean {
    return !this.#scheduler.hasWork;
  }

  /** Checks scheduler and block-pool consistency (tests). */
  checkInvariants(): void {
    this.#pool.checkInvariants();
    let held = 0;
    for (const request of this.#scheduler.running) held += request.blocks.length;
    invariant(
      held >= this.#pool.numBlocks - 1 - this.#pool.numFreeBlocks,
      "blocks in use exceed blocks held by running requests",
    );
    if (this.idle) {
      invariant(this.#pool.numFreeBlocks === this.#pool.numBlocks - 1, "idle engine holds KV blocks");
    }
  }

  /** Text exposition of the metrics. */
  renderMetrics(): string {
    this.#refreshGauges();
    return this.metrics.render();
  }

  /** The metrics as `{ seriesKey: value }`, equal to parsing {@linkcode EngineCore.renderMetrics}. */
  collectMetrics(): Record<string, number> {
    this.#refreshGauges();
    return this.metrics.registry.collect();
  }

  /** The same series as {@linkcode EngineCore.collectMetrics}, refilled into reused columns. */
  collectMetricColumns(into: SeriesColumns): void {
    this.#refreshGauges();
    this.metrics.registry.collectInto(into);
  }

  #wake(atMs: number): void {
    if (this.#inStep || this.#timer !== null || this.#closed) return;
    this.#timer = this.#clock.setTimer(Math.max(atMs, this.#clock.nowMs()), () => {
      this.#timer = null;
      this.#startStep(this.#clock.nowMs());
      this.#endTurn();
    });
  }

  /** Schedules a step starting at `startMs` and arms its deadline; goes idle when there is nothing to run. */
  #startStep(startMs: number): void {
    const turnStartMs = this.#clock.nowMs();
    for (;;) {
      const batch = this.#batch;
      this.#scheduler.schedule(startMs, batch);
      if (batch.length === 0 && batch.numPreemptions > 0) continue; // everything was preempted: admit again
      if (batch.length === 0) {
        this.#inStep = false;
        this.#refreshGauges();
        const head = this.#scheduler.waiting.peekFront();
        if (head !== undefined && this.#scheduler.running.length === 0) {
          invariant(head.arrivalMs > startMs, `request ${head.id} cannot be scheduled on an idle engine`);
          this.#wake(head.arrivalMs);
        }
        return;
      }
      this.#inStep = true;
      let modelledMs = this.#timing.stepMs(batch.shape);
      if (this.config.jitterSigma > 0) {
        modelledMs *= Math.exp(this.config.jitterSigma * this.#jitterRng.normal());
      }
      this.#stepStartMs = startMs;
      this.#stepModelledMs = modelledMs;
      this.#stepDeadlineMs = startMs + modelledMs / this.config.speedupRatio;
      const now = this.#clock.nowMs();
      if (this.#stepDeadlineMs > now || now - turnStartMs > MAX_CATCH_UP_TURN_MS) {
        const deadlineMs = this.#stepDeadlineMs;
        // The step's output goes out before the next step is scheduled: scheduling ~200 requests
        // is work the tokens need not wait for (it counted in the step's lateness).
        const release = () => {
          this.#timer = null;
          this.#endTurn();
          if (!this.#closed) this.#startStep(this.#nextStartMs());
          this.#endTurn();
        };
        // Emitting ahead pays only when the step is longer than the lead; otherwise one timer does both.
        const emitAtMs = deadlineMs - this.#emitAheadMs;
        const ahead = this.#emitAheadMs > 0 && emitAtMs > now;
        this.#timer = this.#clock.setTimer(ahead ? emitAtMs : deadlineMs, () => {
          this.#timer = null;
          this.#endStep();
          if (ahead && this.#clock.nowMs() < deadlineMs) {
            this.#timer = this.#clock.setTimer(deadlineMs, release);
          } else {
            release();
          }
        });
        return;
      }
      this.#endStep();
      startMs = this.#nextStartMs();
    }
  }

  #endTurn(): void {
    for (const listener of this.#turnListeners) listener();
  }

  #nextStartMs(): number {
    const now = this.#clock.nowMs();
    return now - this.#lastDeadlineMs > MAX_LATENESS_MS ? now : this.#lastDeadlineMs;
  }

  /** Completes the scheduled step at its deadline: advances requests, emits tokens, records metrics. */
  #endStep(): void {
    const batch = this.#batch;
    const metrics = this.metrics;
    const tokenMs = this.#stepDeadlineMs;
    const endedMs = this.#stepListeners.size > 0 ? this.#clock.nowMs() : 0;
    this.#lastDeadlineMs = tokenMs;
    this.#steps++;
    let generated = 0;
    let promptTokensCompleted = 0;
    const itl = metrics.interTokenLatency;
    for (let i = 0; i < batch.requests.length; i++) {
      const request = batch.requests[i]!;
      if (request.status !== "running") continue; // aborted during the step
      request.numComputedTokens += batch.numNewTokens[i]!;
      this.#kv.cacheComputedBlocks(request);
      if (request.numComputedTokens < request.numTokens) continue; // prefill chunk, more to come
      const word = request.nextToken();
      generated++;
      if (request.firstTokenMs < 0) {
        request.firstTokenMs = tokenMs;
        promptTokensCompleted += request.numPromptTokens;
        metrics.timeToFirstToken.observe((tokenMs - request.arrivalMs) / 1000);
        const cached = request.numCachedTokens;
        metrics.promptTokensLocalCacheHit.inc(cached);
        metrics.promptTokensCached.inc(cached);
        metrics.promptTokensLocalCompute.inc(request.numPromptTokens - cached);
      } else {
        itl.observe((tokenMs - request.lastTokenMs) / 1000);
      }
      request.lastTokenMs = tokenMs;
      const done = request.isDone;
      const reason = done ? request.targetFinishReason : null;
      request.sink.onToken(request.tokenIds[request.tokenIds.length - 1]!, tokenText(word), reason);
      if (done) {
        this.#scheduler.remove(request);
        this.#finish(request, reason!, tokenMs);
      }
    }
    metrics.generationTokens.inc(generated);
    metrics.promptTokens.inc(promptTokensCompleted);
    if (generated + promptTokensCompleted > 0) {
      metrics.iterationTokens.observe(generated + promptTokensCompleted);
    }
    this.#refreshGauges();
    this.#flushKvEvents(tokenMs);
    if (this.#stepListeners.size > 0) {
      const shape = batch.shape;
      const record: StepRecord = {
        startMs: this.#stepStartMs,
        deadlineMs: this.#stepDeadlineMs,
        modelledMs: this.#stepModelledMs,
        numPrefills: shape.numPrefills,
        prefillTokens: shape.prefillTokens,
        numDecodes: shape.numDecodes,
        decodeContextTokens: shape.decodeContextTokens,
        numPreemptions: batch.numPreemptions,
        tokensEmitted: generated,
        endedMs,
        emittedMs: this.#clock.nowMs(),
      };
      for (const listener of this.#stepListeners) listener(record);
    }
  }

  #finish(request: EngineRequest, reason: FinishReason, nowMs: number): void {
    request.status = "finished";
    this.#requests.delete(request.id);
    const m = this.metrics;
    m.requestSuccess[reason].inc();
    const cached = Math.max(0, request.numCachedTokens);
    if (reason !== "abort" || request.firstTokenMs >= 0) {
      const lastMs = request.lastTokenMs >= 0 ? request.lastTokenMs : nowMs;
      m.e2eRequestLatency.observe((lastMs - request.arrivalMs) / 1000);
      if (request.scheduledMs >= 0) {
        m.requestQueueTime.observe((request.scheduledMs - request.arrivalMs) / 1000);
        m.requestInferenceTime.observe((lastMs - request.scheduledMs) / 1000);
      }
      if (request.firstTokenMs >= 0) {
        m.requestPrefillTime.observe((request.firstTokenMs - request.scheduledMs) / 1000);
        const decodeS = (lastMs - request.firstTokenMs) / 1000;
        m.requestDecodeTime.observe(decodeS);
        if (request.outputTokens > 1) {
          m.requestTimePerOutputToken.observe(decodeS / (request.outputTokens - 1));
        }
      }
      m.requestPromptTokens.observe(request.numPromptTokens);
      m.requestGenerationTokens.observe(request.outputTokens);
      m.requestMaxNumGenerationTokens.observe(request.outputTokens);
      m.requestPrefillKvComputedTokens.observe(request.numPromptTokens - cached);
      m.requestNumPreemptions.observe(request.numPreemptions);
    }
    request.sink.onFinish({
      finishReason: reason,
      promptTokens: request.numPromptTokens,
      completionTokens: request.outputTokens,
      cachedTokens: cached,
    });
  }

  #refreshGauges(): void {
    const m = this.metrics;
    m.numRequestsRunning.set(this.#scheduler.running.length);
    // Requests still in the modelled API overhead have not reached the scheduler yet.
    const waiting = this.#scheduler.waiting;
    const now = this.#clock.nowMs();
    let notArrived = 0;
    while (notArrived < waiting.length && waiting.at(waiting.length - 1 - notArrived)!.arrivalMs > now) {
      notArrived++;
    }
    m.numRequestsWaiting.set(waiting.length - notArrived);
    m.kvCacheUsagePerc.set(this.#pool.usage());
  }

  #flushKvEvents(nowMs: number): void {
    if (this.#kvListeners.size === 0) return;
    const events = this.#events.drain(nowMs);
    if (events.length === 0) return;
    for (const listener of this.#kvListeners) listener(events);
  }
}
