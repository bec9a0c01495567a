/**
 * The routing core, usable without HTTP (the proxy and the virtual-time simulation both drive it):
 * given a request and the healthy backends it asks the strategy, accounts the load, and logs the
 * decision. Each routed request gets a {@linkcode RouteTicket}; its `finish` is idempotent and is
 * the only place load falls, so callers put it in one `finally`.
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { invariant } from "../core/invariant.ts";
import { BackendPool } from "./backend_pool.ts";
import type { DecisionRecord, DecisionSink } from "./decision_log.ts";
import type { RouterMetrics } from "./metrics.ts";
import type {
  KvEvent,
  RequestOutcome,
  RouteRequest,
  RoutingStrategy,
  Selection,
  WorkerId,
} from "./strategy.ts";

/** Options for {@linkcode RouterCore}. */
export interface RouterCoreOptions {
  strategy: RoutingStrategy;
  /** Backend base URLs. */
  backends: readonly WorkerId[];
  clock: Clock;
  /** Receives one record per routed request, written when the request finishes. */
  decisionSink?: DecisionSink;
  metrics?: RouterMetrics;
  /** Added to `clock.nowMs()` to get epoch ms for `t_ms` (the server passes `Date.now() - clock.nowMs()`). */
  epochOffsetMs?: number;
}

/** Options for one {@linkcode RouterCore.route} call. */
export interface RouteOptions {
  /** Backends not to consider (already tried). */
  exclude?: ReadonlySet<WorkerId>;
  /** The backend first chosen for this request, when this is a retry. */
  intended?: WorkerId;
}

/** One routed request: its backend, and the single place its load is released. */
export interface RouteTicket {
  readonly request: RouteRequest;
  readonly backend: WorkerId;
  readonly selection: Selection;
  readonly routedAtMs: number;
  /** Marks the first response byte (once; later calls are ignored). Returns the TTFT in ms. */
  firstToken(): number;
  /**
   * Ends the request: releases the load, tells the strategy, counts errors, logs the decision.
   * Idempotent. `superseded` (a connect-failure retry follows) skips the decision log line.
   */
  finish(outcome: RequestOutcome, options?: { superseded?: boolean }): void;
  /** True once `finish` ran. */
  readonly finished: boolean;
}

/** Strategy + backend pool + load accounting + decision log. */
export class RouterCore {
  readonly pool: BackendPool;
  readonly strategy: RoutingStrategy;
  readonly #clock: Clock;
  readonly #sink: DecisionSink | undefined;
  readonly #metrics: RouterMetrics | undefined;
  readonly #epochOffsetMs: number;

  constructor(options: RouterCoreOptions) {
    this.strategy = options.strategy;
    this.#clock = options.clock;
    this.#sink = options.decisionSink;
    this.#metrics = options.metrics;
    this.#epochOffsetMs = options.epochOffsetMs ?? 0;
    this.pool = new BackendPool(options.backends, {
      onAdded: (id) => {
        this.#metrics?.backendHealthy.labels({ backend: id }).set(1);
        this.strategy.onWorkerAdded?.(id);
      },
      onRemoved: (id) => {
        this.#metrics?.backendHealthy.labels({ backend: id }).set(0);
        this.strategy.onWorkerRemoved?.(id);
      },
    });
    for (const id of options.backends) {
      this.#metrics?.backendHealthy.labels({ backend: id }).set(1);
      this.#metrics?.backendInFlight.labels({ backend: id }).set(0);
      this.strategy.onWorkerAdded?.(id);
    }
  }

  /**
   * Routes `request` to a healthy backend not in `options.exclude`, or returns undefined when
   * there is none. The backend's in-flight count has risen when this returns.
   */
  route(request: RouteRequest, options: RouteOptions = {}): RouteTicket | undefined {
    const workers = this.pool.healthyViews(options.exclude);
    if (workers.length === 0) return undefined;
    const startMs = this.#clock.nowMs();
    const selection = this.strategy.select(request, workers);
    const routedAtMs = this.#clock.nowMs();
    invariant(
      workers.some((worker) => worker.id === selection.worker),
      `strategy '${this.strategy.name}' chose '${selection.worker}', which is not a candidate`,
    );
    const decisionS = (routedAtMs - startMs) / 1000;
    this.pool.acquire(selection.worker);
    this.strategy.onRouted?.(request, selection.worker);
    const metrics = this.#metrics;
    if (metrics !== undefined) {
      metrics.decisionSeconds.observe(decisionS);
      metrics.phaseSeconds.labels({ phase: "select" }).observe(decisionS);
      metrics.requestsRouted.labels({ backend: selection.worker }).inc();
      metrics.backendInFlight.labels({ backend: selection.worker }).inc();
      if (selection.matchRate !== undefined) metrics.prefixMatchRate.observe(selection.matchRate);
      if (selection.imbalanced) metrics.imbalanceFallbacks.inc();
    }
    return this.#ticket(request, selection, routedAtMs, decisionS, options.intended);
  }

  /** Feeds a KV event from `worker`'s engine to the strategy. */
  kvEvent(worker: WorkerId, event: KvEvent): void {
    this.strategy.onKvEvent?.(worker, event);
  }

  /** Backends' in-flight counts, by id (tests and status). */
  inFlight(): Map<WorkerId, number> {
    return new Map(this.pool.all().map((backend) => [backend.id, backend.inFlight]));
  }

  /** Updates gauges read only at scrape time (tree sizes). */
  refreshGauges(): void {
    const chars = this.strategy.treeChars?.();
    if (chars === undefined || this.#metrics === undefined) return;
    for (const [tenant, count] of chars) this.#metrics.treeChars.labels({ tenant }).set(count);
  }

  /** Stops health checks and strategy timers. */
  close(): void {
    this.pool.close();
    this.strategy.dispose?.();
  }

  #ticket(
    request: RouteRequest,
    selection: Selection,
    routedAtMs: number,
    decisionS: number,
    intended: WorkerId | undefined,
  ): RouteTicket {
    const backend = selection.worker;
    let ttftMs: number | undefined;
    let finished = false;
    return {
      request,
      backend,
      selection,
      routedAtMs,
      get finished() {
        return finished;
      },
      firstToken: () => {
        if (ttftMs !== undefined || finished) return ttftMs ?? 0;
        ttftMs = this.#clock.nowMs() - routedAtMs;
        this.#metrics?.phaseSeconds.labels({ phase: "first_byte" }).observe(ttftMs / 1000);
        this.strategy.onFirstToken?.(request, backend, ttftMs);
        return ttftMs;
      },
      finish: (outcome, options = {}) => {
        if (finished) return;
        finished = true;
        this.pool.release(backend);
        const final: RequestOutcome = ttftMs !== undefined && outcome.ttftMs === undefined
          ? { ...outcome, ttftMs }
          : outcome;
        const metrics = this.#metrics;
        metrics?.backendInFlight.labels({ backend }).inc(-1);
        if (!final.ok && final.errorKind !== undefined && final.errorKind !== "client_abort") {
          metrics?.upstreamErrors.labels({ backend, kind: final.errorKind }).inc();
        }
        this.strategy.onFinished?.(request, backend, final);
        if (options.superseded || this.#sink === undefined) return;
        this.#sink.write(this.#record(request, selection, routedAtMs, decisionS, intended, final));
      },
    };
  }

  #record(
    request: RouteRequest,
    selection: Selection,
    routedAtMs: number,
    decisionS: number,
    intended: WorkerId | undefined,
    outcome: RequestOutcome,
  ): DecisionRecord {
    const record: DecisionRecord = {
      t_ms: Math.round(routedAtMs + this.#epochOffsetMs),
      request_id: request.id,
      strategy: this.strategy.name,
      branch: selection.branch,
      candidates: selection.candidates,
      chosen: selection.worker,
    };
    if (intended !== undefined && intended !== selection.worker) record.intended = intended;
    if (selection.matchRate !== undefined) record.match_rate = round(selection.matchRate, 4);
    record.decision_us = round(decisionS * 1e6, 1);
    record.ok = outcome.ok;
    if (outcome.errorKind !== undefined) record.error_kind = outcome.errorKind;
    if (outcome.ttftMs !== undefined) record.ttft_ms = round(outcome.ttftMs, 3);
    if (outcome.promptTokens !== undefined) record.prompt_tokens = outcome.promptTokens;
    if (outcome.cachedTokens !== undefined) record.cached_tokens = outcome.cachedTokens;
    return record;
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
