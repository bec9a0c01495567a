/**
 * The set of backends (workers) behind the router: health state, in-flight and routed counts, and
 * the health-check loop. Load accounting lives here and nowhere else: `acquire` raises a backend's
 * in-flight count at selection and `release` lowers it; the routing core pairs them through an
 * idempotent ticket so every path (success, upstream error, client abort, timeout) releases once.
 * @module
 */
import type { Clock, Timer } from "../core/clock.ts";
import { invariant } from "../core/invariant.ts";
import type { WorkerId, WorkerView } from "./strategy.ts";

/** One backend's live state. */
export interface BackendState {
  readonly id: WorkerId;
  healthy: boolean;
  inFlight: number;
  routedTotal: number;
  /** Consecutive failed health probes. */
  failures: number;
  /** Consecutive successful health probes. */
  successes: number;
}

/** Health thresholds of a {@linkcode BackendPool}. */
export interface HealthThresholds {
  /** Consecutive failed probes that take a healthy backend out (default 2). */
  unhealthyAfter?: number;
  /** Consecutive successful probes that put an unhealthy backend back (default 1). */
  healthyAfter?: number;
}

/** Health-check settings. */
export interface HealthCheckOptions {
  /** Seconds between probes of every backend. */
  intervalS: number;
  /** Answers whether the backend at `url` is healthy (e.g. `GET /health` → 200). Never throws. */
  probe(url: WorkerId): Promise<boolean>;
}

/** Callbacks for health transitions, and the health thresholds. */
export interface BackendPoolEvents extends HealthThresholds {
  onAdded?(id: WorkerId): void;
  onRemoved?(id: WorkerId): void;
}

/** Backends, their health and their load. */
export class BackendPool {
  readonly #backends = new Map<WorkerId, BackendState>();
  readonly #events: BackendPoolEvents;
  readonly #unhealthyAfter: number;
  readonly #healthyAfter: number;
  #healthTimer: Timer | undefined;
  #closed = false;

  constructor(ids: readonly WorkerId[], events: BackendPoolEvents = {}) {
    if (ids.length === 0) {
      throw new RangeError("Cannot create a router without backends: give at least one --backend");
    }
    for (const id of ids) {
      if (this.#backends.has(id)) throw new RangeError(`Backend '${id}' is listed twice`);
      this.#backends.set(id, { id, healthy: true, inFlight: 0, routedTotal: 0, failures: 0, successes: 0 });
    }
    this.#events = events;
    this.#unhealthyAfter = checkThreshold("unhealthyAfter", events.unhealthyAfter ?? 2);
    this.#healthyAfter = checkThreshold("healthyAfter", events.healthyAfter ?? 1);
  }

  /** Every backend, healthy or not, in the order given. */
  all(): readonly BackendState[] {
    return [...this.#backends.values()];
  }

  /** The backend with this id, if any. */
  get(id: WorkerId): BackendState | undefined {
    return this.#backends.get(id);
  }

  /** Views of the healthy backends not in `exclude`, in the order given. */
  healthyViews(exclude?: ReadonlySet<WorkerId>): WorkerView[] {
    const views: WorkerView[] = [];
    for (const backend of this.#backends.values()) {
      if (!backend.healthy || exclude?.has(backend.id)) continue;
      views.push({ id: backend.id, inFlight: backend.inFlight, routedTotal: backend.routedTotal });
    }
    return views;
  }

  /** Raises `id`'s in-flight and routed counts (at selection). */
  acquire(id: WorkerId): BackendState {
    const backend = this.#backends.get(id);
    invariant(backend !== undefined, `acquire() of unknown backend '${id}'`);
    backend.inFlight++;
    backend.routedTotal++;
    return backend;
  }

  /** Lowers `id`'s in-flight count (once per acquire). */
  release(id: WorkerId): void {
    const backend = this.#backends.get(id);
    invariant(backend !== undefined, `release() of unknown backend '${id}'`);
    invariant(backend.inFlight > 0, `release() of backend '${id}' with no request in flight`);
    backend.inFlight--;
  }

  /**
   * Takes a backend out of routing at once (a connect failure on a real request); it comes back
   * after `healthyAfter` consecutive successful probes.
   */
  markUnhealthy(id: WorkerId): void {
    const backend = this.#backends.get(id);
    if (backend === undefined) return;
    backend.successes = 0;
    if (!backend.healthy) return;
    backend.healthy = false;
    this.#events.onRemoved?.(id);
  }

  /** Puts a backend back into routing at once. */
  markHealthy(id: WorkerId): void {
    const backend = this.#backends.get(id);
    if (backend === undefined) return;
    backend.failures = 0;
    if (backend.healthy) return;
    backend.healthy = true;
    this.#events.onAdded?.(id);
  }

  /**
   * Counts one health probe: `unhealthyAfter` consecutive failures take a healthy backend out,
   * `healthyAfter` consecutive successes put an unhealthy one back.
   */
  reportProbe(id: WorkerId, ok: boolean): void {
    const backend = this.#backends.get(id);
    if (backend === undefined) return;
    if (ok) {
      backend.failures = 0;
      backend.successes++;
      if (!backend.healthy && backend.successes >= this.#healthyAfter) this.markHealthy(id);
    } else {
      backend.successes = 0;
      backend.failures++;
      if (backend.healthy && backend.failures >= this.#unhealthyAfter) this.markUnhealthy(id);
    }
  }

  /** Probes every backend now and then every `intervalS`, scheduled on `clock`. */
  startHealthChecks(clock: Clock, options: HealthCheckOptions): void {
    invariant(this.#healthTimer === undefined, "startHealthChecks() called twice");
    if (!(options.intervalS > 0)) return;
    const tick = async (): Promise<void> => {
      const ids = [...this.#backends.keys()];
      const results = await Promise.all(ids.map((id) => options.probe(id)));
      if (this.#closed) return;
      ids.forEach((id, i) => this.reportProbe(id, results[i]!));
      this.#healthTimer = clock.setTimer(clock.nowMs() + options.intervalS * 1000, () => void tick());
    };
    this.#healthTimer = clock.setTimer(clock.nowMs() + options.intervalS * 1000, () => void tick());
  }

  /** Stops the health-check loop. */
  close(): void {
    this.#closed = true;
    this.#healthTimer?.cancel();
  }
}

function checkThreshold(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Health threshold '${name}' must be an integer ≥ 1: got ${value}`);
  }
  return value;
}
