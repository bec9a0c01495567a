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
  /** Consecutive failed health probes (or connect failures). */
  failures: number;
}

/** Health-check settings. */
export interface HealthCheckOptions {
  /** Seconds between probes of every backend. */
  intervalS: number;
  /** Answers whether the backend at `url` is healthy (e.g. `GET /health` → 200). Never throws. */
  probe(url: WorkerId): Promise<boolean>;
}

/** Callbacks for health transitions. */
export interface BackendPoolEvents {
  onAdded?(id: WorkerId): void;
  onRemoved?(id: WorkerId): void;
}

/** Backends, their health and their load. */
export class BackendPool {
  readonly #backends = new Map<WorkerId, BackendState>();
  readonly #events: BackendPoolEvents;
  #healthTimer: Timer | undefined;
  #closed = false;

  constructor(ids: readonly WorkerId[], events: BackendPoolEvents = {}) {
    if (ids.length === 0) {
      throw new RangeError("Cannot create a router without backends: give at least one --backend");
    }
    for (const id of ids) {
      if (this.#backends.has(id)) throw new RangeError(`Backend '${id}' is listed twice`);
      this.#backends.set(id, { id, healthy: true, inFlight: 0, routedTotal: 0, failures: 0 });
    }
    this.#events = events;
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

  /** Takes a backend out of routing (failed probe or connect failure). */
  markUnhealthy(id: WorkerId): void {
    const backend = this.#backends.get(id);
    if (backend === undefined) return;
    backend.failures++;
    if (!backend.healthy) return;
    backend.healthy = false;
    this.#events.onRemoved?.(id);
  }

  /** Puts a backend back into routing (successful probe). */
  markHealthy(id: WorkerId): void {
    const backend = this.#backends.get(id);
    if (backend === undefined) return;
    backend.failures = 0;
    if (backend.healthy) return;
    backend.healthy = true;
    this.#events.onAdded?.(id);
  }

  /** Probes every backend now and then every `intervalS`, scheduled on `clock`. */
  startHealthChecks(clock: Clock, options: HealthCheckOptions): void {
    invariant(this.#healthTimer === undefined, "startHealthChecks() called twice");
    if (!(options.intervalS > 0)) return;
    const tick = async (): Promise<void> => {
      const ids = [...this.#backends.keys()];
      const results = await Promise.all(ids.map((id) => options.probe(id)));
      if (this.#closed) return;
      ids.forEach((id, i) => results[i] ? this.markHealthy(id) : this.markUnhealthy(id));
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
