/**
 * The router's Prometheus metrics (CONTRACTS.md, Router), all prefixed `routebench_router_`, on
 * the router's own {@linkcode Registry}.
 * @module
 */
import { Registry } from "../prom/registry.ts";
import type { Counter, CounterChild } from "../prom/counter.ts";
import type { Gauge, GaugeChild } from "../prom/gauge.ts";
import type { Histogram, HistogramChild } from "../prom/histogram.ts";

const PREFIX = "routebench_router_";
const LATENCY_BUCKETS_S = [
  0.00001,
  0.000025,
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];
const RATE_BUCKETS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/** Per-backend children, resolved once so the hot path does no label lookups. */
export interface BackendMetricChildren {
  readonly inFlight: GaugeChild;
  readonly routed: CounterChild;
  readonly healthy: GaugeChild;
}

/** The phases of `phase_seconds`. */
export type RouterPhase = "parse" | "select" | "connect" | "first_byte";

/** The metric families the routing core and proxy update. */
export class RouterMetrics {
  readonly registry = new Registry();
  readonly backendInFlight: Gauge<"backend">;
  readonly requestsRouted: Counter<"backend">;
  readonly backendHealthy: Gauge<"backend">;
  readonly prefixMatchRate: HistogramChild;
  readonly treeChars: Gauge<"tenant">;
  readonly decisionSeconds: HistogramChild;
  readonly imbalanceFallbacks: CounterChild;
  readonly upstreamErrors: Counter<"backend" | "kind">;
  readonly phaseSeconds: Histogram<"phase">;
  readonly badRequests: Counter<"reason">;
  /** `phase_seconds` children by phase. */
  readonly phase: Readonly<Record<RouterPhase, HistogramChild>>;
  readonly #backends = new Map<string, BackendMetricChildren>();

  constructor() {
    const r = this.registry;
    this.backendInFlight = r.gauge({
      name: `${PREFIX}backend_in_flight`,
      help: "Requests routed to the backend and not finished",
      labelNames: ["backend"],
    });
    this.requestsRouted = r.counter({
      name: `${PREFIX}requests_routed`,
      help: "Requests routed to the backend",
      labelNames: ["backend"],
    });
    this.backendHealthy = r.gauge({
      name: `${PREFIX}backend_healthy`,
      help: "1 when the backend takes requests, 0 when health checks took it out",
      labelNames: ["backend"],
    });
    this.prefixMatchRate = r.histogram({
      name: `${PREFIX}prefix_match_rate`,
      help: "Matched fraction of the prompt at routing (prefix and kv strategies)",
      buckets: RATE_BUCKETS,
    }).labels({});
    this.treeChars = r.gauge({
      name: `${PREFIX}tree_chars`,
      help: "Characters cached in the router's prefix tree per tenant (backend)",
      labelNames: ["tenant"],
    });
    this.decisionSeconds = r.histogram({
      name: `${PREFIX}decision_seconds`,
      help: "Time the strategy took to select a backend",
      buckets: LATENCY_BUCKETS_S,
    }).labels({});
    this.imbalanceFallbacks = r.counter({
      name: `${PREFIX}imbalance_fallbacks`,
      help: "Decisions where a load-imbalance rule overrode cache affinity",
    }).labels({});
    this.upstreamErrors = r.counter({
      name: `${PREFIX}upstream_errors`,
      help:
        "Failed upstream exchanges by backend and kind (connect, upstream_status, upstream_error, timeout)",
      labelNames: ["backend", "kind"],
    });
    this.phaseSeconds = r.histogram({
      name: `${PREFIX}phase_seconds`,
      help: "Router time per phase: parse, select, connect (to response headers), first_byte",
      labelNames: ["phase"],
      buckets: LATENCY_BUCKETS_S,
    });
    this.badRequests = r.counter({
      name: `${PREFIX}bad_requests`,
      help: "Requests rejected with a 4xx before routing, by reason",
      labelNames: ["reason"],
    });
    const phase = (name: RouterPhase) => this.phaseSeconds.labels({ phase: name });
    this.phase = {
      parse: phase("parse"),
      select: phase("select"),
      connect: phase("connect"),
      first_byte: phase("first_byte"),
    };
  }

  /** The children of `backend`'s per-backend series (created on first use, then cached). */
  backend(backend: string): BackendMetricChildren {
    let children = this.#backends.get(backend);
    if (children === undefined) {
      children = {
        inFlight: this.backendInFlight.labels({ backend }),
        routed: this.requestsRouted.labels({ backend }),
        healthy: this.backendHealthy.labels({ backend }),
      };
      this.#backends.set(backend, children);
    }
    return children;
  }

  /** Prometheus text exposition. */
  render(): string {
    return this.registry.render();
  }
}
