/**
 * The routing core, usable without HTTP (the proxy and the virtual-time simulation both drive it):
 * given a request and the healthy backends it asks the strategy, accounts the load, and logs the
 * decision. Each routed request gets a {@linkcode RouteTicket}; its `finish` is idempotent and is
 * the only place load falls, so callers put it in one `finally`.
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { invariant } from "../core/invariant.ts";
import { BackendPool, type HealthThresholds } from "./backend_pool.ts";
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
  /** Health thresholds of the backend pool (defaults: out after 2 failed probes, back after 1 success). */
  health?: HealthThresholds;
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
      ...options.health,
      onAdded: (id) => {
        this.#metrics?.backend(id).healthy.set(1);
        this.strategy.onWorkerAdded?.(id);
      },
      onRemoved: (id) => {
        this.#metrics?.backend(id).healthy.set(0);
        this.strategy.onWorkerRemoved?.(id);
      },
    });
    for (const id of options.backends) {
      this.#metrics?.backend(id).healthy.set(1);
      this.#metrics?.backend(id).inFlight.set(0);
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
    if (!workers.some((worker) => worker.id === selection.worker)) {
      invariant(
        false,
        `strategy '${this.strategy.name}' chose '${selection.worker}', which is not a candidate`,
      );
    }
    const decisionS = (routedAtMs - startMs) / 1000;
    this.pool.acquire(selection.worker);
    this.strategy.onRouted?.(request, selection.worker);
    const metrics = this.#metrics;
    if (metrics !== undefined) {
      metrics.decisionSeconds.observe(decisionS);
      metrics.phase.select.observe(decisionS);
      const backend = metrics.backend(selection.worker);
      backend.routed.inc();
      backend.inFlight.inc();
      if (selection.matchRate !== undefined) metrics.prefixMatchRate.observe(selection.matchRate);
      if (selection.imbalanced) metrics.imbalanceFallbacks.inc();
    }
    return new Ticket(this, request, selection, routedAtMs, decisionS, options.intended);
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

  /** Called once per ticket by `Ticket.finish`: releases the load and reports the outcome. */
  _finish(ticket: Ticket, outcome: RequestOutcome, superseded: boolean): void {
    const backend = ticket.backend;
    this.pool.release(backend);
    const metrics = this.#metrics;
    if (metrics !== undefined) {
      metrics.backend(backend).inFlight.inc(-1);
      if (!outcome.ok && outcome.errorKind !== undefined && outcome.errorKind !== "client_abort") {
        metrics.upstreamErrors.labels({ backend, kind: outcome.errorKind }).inc();
      }
    }
    this.strategy.onFinished?.(ticket.request, backend, outcome);
    if (superseded || this.#sink === undefined || ticket.request.warmUp) return;
    this.#sink.write(this.#record(ticket, outcome));
  }

  /** Called once per ticket by `Ticket.firstToken`. */
  _firstToken(ticket: Ticket, ttftMs: number): void {
    this.#metrics?.phase.first_byte.observe(ttftMs / 1000);
    this.strategy.onFirstToken?.(ticket.request, ticket.backend, ttftMs);
  }

  /** The core's clock (tickets read it). */
  get clock(): Clock {
    return this.#clock;
  }

  #record(ticket: Ticket, outcome: RequestOutcome): DecisionRecord {
    const { request, selection, routedAtMs, decisionS, intended } = ticket;
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

/** The {@linkcode RouteTicket} of one routed request (a class: no per-request closures). */
class Ticket implements RouteTicket {
  readonly backend: WorkerId;
  #ttftMs: number | undefined;
  #finished = false;

  constructor(
    readonly core: RouterCore,
    readonly request: RouteRequest,
    readonly selection: Selection,
    readonly routedAtMs: number,
    readonly decisionS: number,
    readonly intended: WorkerId | undefined,
  ) {
    this.backend = selection.worker;
  }

  get finished(): boolean {
    return this.#finished;
  }

  firstToken(): number {
    if (this.#ttftMs !== undefined || this.#finished) return this.#ttftMs ?? 0;
    const ttftMs = this.core.clock.nowMs() - this.routedAtMs;
    this.#ttftMs = ttftMs;
    this.core._firstToken(this, ttftMs);
    return ttftMs;
  }

  finish(outcome: RequestOutcome, options?: { superseded?: boolean }): void {
    if (this.#finished) return;
    this.#finished = true;
    const final: RequestOutcome = this.#ttftMs !== undefined && outcome.ttftMs === undefined
      ? { ...outcome, ttftMs: this.#ttftMs }
      : outcome;
    this.core._finish(this, final, options?.superseded === true);
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
