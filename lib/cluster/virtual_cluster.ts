/**
 * A whole routed cluster in virtual time: the router's routing core and strategy, and every mock
 * engine's scheduler, KV cache and timing model, in one process on one {@linkcode VirtualClock}. No
 * HTTP and no sleeping: a request body goes through the same parsing the servers do (the router's
 * `promptTextOf`, the engine's `parseGenerateRequest`), the same `RouterCore.route` and ticket, the
 * same `EngineCore.submit`; KV events travel as the same NDJSON lines the live `/kv_events` stream
 * carries. Its {@linkcode VirtualCluster.transport} plugs into the client runner in place of HTTP.
 * @module
 */
import type { VirtualClock } from "../core/clock.ts";
import { createRng, type Rng } from "../core/rng.ts";
import { type EngineOptions, resolveEngineConfig } from "../engine/config.ts";
import { EngineCore } from "../engine/engine_core.ts";
import { engineRequestInput, isApiError, parseGenerateRequest } from "../engine/openai_api.ts";
import type { FinishResult, RequestSink } from "../engine/request.ts";
import type { DecisionSink } from "../router/decision_log.ts";
import { parseKvEvent } from "../router/kv_events.ts";
import { RouterMetrics } from "../router/metrics.ts";
import { createStrategy } from "../router/registry.ts";
import { promptTextOf, type RoutedEndpoint } from "../router/request_body.ts";
import { RouterCore, type RouteTicket } from "../router/router_core.ts";
import { createRouteRequest, type StrategyName } from "../router/strategy.ts";
import type { AbortRequest, ClientTransport } from "../client/transport.ts";
import type { RequestOutcome } from "../client/stream_request.ts";
import type { TimeseriesRecord } from "../prom/timeseries.ts";
import { SeriesColumns } from "../prom/series_columns.ts";

/** One simulated engine: its mock-engine flags by name, as a fleet spec's `options` holds them. */
export interface VirtualEngineSpec {
  profile: string;
  speedupRatio: number;
  /** Engine flags by name without `--`, e.g. `{ "num-gpu-blocks": 2000 }`. */
  options: Readonly<Record<string, string | number | boolean>>;
}

/** Options for {@linkcode VirtualCluster}. */
export interface VirtualClusterOptions {
  clock: VirtualClock;
  model: string;
  engines: readonly VirtualEngineSpec[];
  /** Router strategy and its parameters (flag names, camelCase or snake_case keys). */
  strategy: string;
  strategyOptions?: Readonly<Record<string, string | number | boolean>>;
  /** Engine i gets seed + i and the router gets seed, as in a live fleet. */
  seed: number;
  decisionSink?: DecisionSink;
  /** Added to virtual ms to get the epoch ms written in decision logs and timeseries. */
  epochOffsetMs?: number;
  /** The HTTP hop latency model; see {@linkcode HopModel}. @default {@linkcode DEFAULT_HOP_MODEL} */
  hop?: HopModel;
  /** Seed of the hop spread alone (another sample of live timing noise, same workload). @default seed */
  noiseSeed?: number;
  /**
   * Prompt tokenizer for the engines' request parsing (e.g. `memoizedTokenize()` shared by the runs
   * of a sweep, which all send the same prompts). @default lib/core `tokenize`
   */
  tokenize?: (text: string) => number[];
}

/**
 * One-way latency of one HTTP hop (client -> router, router -> engine, and the way back), in ms,
 * which live runs pay and the engines' speedup does not shrink: `baseMs + perInFlightMs × requests
 * in flight at the router`, since every concurrent stream adds event-loop work the hop waits behind.
 */
export interface HopModel {
  baseMs: number;
  perInFlightMs: number;
  /**
   * Spread of one request's hops around that mean: they are multiplied by a seeded log-normal factor
   * with this σ and mean 1, drawn once per request (its tokens keep their order). 0: every request
   * gets the mean, and a strategy that reacts to timing sees none of the noise a live run has.
   */
  sigma: number;
}

/**
 * Calibrated on the project's 2-core machine with `deno run -A test/bench/http_hop_bench.ts` (live
 * round_robin TTFT minus simulated TTFT without hops, per hop, on a warmed-up fleet): 0.57–0.63 ms at
 * concurrency 1, where nothing else moves; 0.38–0.55 ms at 40, where batching differences between the two
 * runs blur it, so no measurable growth with load. σ from the spread at concurrency 1 (p50 0.49 ms, p90
 * 0.81 ms).
 */
export const DEFAULT_HOP_MODEL: HopModel = { baseMs: 0.6, perInFlightMs: 0, sigma: 0.4 };

/** Names of the simulated engines as backend ids (what the decision log and viz show). */
export function virtualBackendId(index: number): string {
  return `http://virtual-engine-${index}`;
}

/** The simulated cluster. */
export class VirtualCluster {
  readonly clock: VirtualClock;
  readonly engines: readonly EngineCore[];
  readonly router: RouterCore;
  readonly routerMetrics: RouterMetrics;
  readonly #model: string;
  readonly #epochOffsetMs: number;
  readonly #hop: HopModel;
  readonly #hopRng: Rng;
  readonly #tokenize: ((text: string) => number[]) | undefined;
  readonly #backendIndex = new Map<string, number>();
  /** Reused sample columns: one per engine, then the router's. */
  readonly #sampleColumns: SeriesColumns[] = [];
  readonly #unsubscribe: Array<() => void> = [];
  #nextId = 0;

  constructor(options: VirtualClusterOptions) {
    this.clock = options.clock;
    this.#model = options.model;
    this.#epochOffsetMs = options.epochOffsetMs ?? 0;
    this.#hop = options.hop ?? DEFAULT_HOP_MODEL;
    this.#hopRng = createRng(options.noiseSeed ?? options.seed).fork("hop");
    this.#tokenize = options.tokenize;
    this.engines = options.engines.map((spec, index) =>
      new EngineCore(
        resolveEngineConfig({
          ...engineOptionsFromFlags(spec.options),
          model: options.model,
          profile: spec.profile,
          speedupRatio: spec.speedupRatio,
          seed: options.seed + index,
        }),
        { clock: options.clock, rng: createRng(options.seed + index) },
      )
    );
    const backends = this.engines.map((_, index) => virtualBackendId(index));
    backends.forEach((id, index) => this.#backendIndex.set(id, index));
    const strategyName = options.strategy as StrategyName;
    const strategy = createStrategy(strategyName, { ...options.strategyOptions }, {
      clock: options.clock,
      rng: createRng(options.seed).fork("router"),
    });
    this.routerMetrics = new RouterMetrics();
    this.router = new RouterCore({
      strategy,
      backends,
      clock: options.clock,
      metrics: this.routerMetrics,
      epochOffsetMs: this.#epochOffsetMs,
      ...(options.decisionSink ? { decisionSink: options.decisionSink } : {}),
    });
    if (strategy.usesKvEvents) {
      this.engines.forEach((engine, index) => {
        const backend = backends[index]!;
        this.#unsubscribe.push(engine.onKvEvents((events) => {
          // The same NDJSON lines the live /kv_events stream carries, parsed by the router's parser,
          // arriving one hop after the engine step that produced them.
          const lines = events.map((event) => JSON.stringify(event));
          this.#after(this.#hopMs(), () => {
            for (const line of lines) {
              const parsed = parseKvEvent(line);
              if (parsed) this.router.kvEvent(backend, parsed);
            }
          });
        }));
      });
    }
  }

  /** A client transport sending OpenAI request bodies for `endpoint` into the cluster. */
  transport(endpoint: RoutedEndpoint): ClientTransport {
    return {
      send: (body, onOutcome) => this.#send(endpoint, body, onOutcome),
      close: () => {},
    };
  }

  /** One timeseries record per engine and one for the router, as the live scraper writes them. */
  sampleMetrics(): TimeseriesRecord[] {
    const records: TimeseriesRecord[] = [];
    this.sampleMetricColumns((t_ms, target, columns) =>
      records.push({ t_ms, target, metrics: columns.toRecord() })
    );
    return records;
  }

  /**
   * {@linkcode VirtualCluster.sampleMetrics} without building records: each target's series are
   * refilled into columns the cluster keeps (valid until the next sample) and handed to `visit`.
   */
  sampleMetricColumns(visit: (tMs: number, target: string, columns: SeriesColumns) => void): void {
    const tMs = Math.round(this.clock.nowMs() + this.#epochOffsetMs);
    this.engines.forEach((engine, index) => {
      const columns = this.#sampleColumns[index] ??= new SeriesColumns();
      engine.collectMetricColumns(columns);
      visit(tMs, `engine-${index}`, columns);
    });
    this.router.refreshGauges();
    const routerColumns = this.#sampleColumns[this.engines.length] ??= new SeriesColumns();
    this.routerMetrics.registry.collectInto(routerColumns);
    visit(tMs, "router", routerColumns);
  }

  /** Stops strategy timers and KV event subscriptions. */
  close(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.router.close();
    for (const engine of this.engines) engine.close();
  }

  #send(endpoint: RoutedEndpoint, body: string, onOutcome: (outcome: RequestOutcome) => void): AbortRequest {
    const clock = this.clock;
    const hopMs = this.#hopMs() * this.#hopSpread();
    const sentMs = clock.nowMs();
    const id = `sim-${this.#nextId++}`;
    const parsedBody = JSON.parse(body) as unknown;
    const prompt = promptTextOf(endpoint, parsedBody);
    if (!prompt.ok) return this.#reply(sentMs, failure("http_400", prompt.message, 400), onOutcome);
    // Every simulated engine has the same limits, so the body is validated once, before routing,
    // and the router reuses the engine's token ids (the same ids it would compute from the text).
    const parsed = parseGenerateRequest(endpoint, parsedBody, {
      servedModel: this.#model,
      maxModelLen: this.engines[0]!.config.maxModelLen,
      ...(this.#tokenize ? { tokenize: this.#tokenize } : {}),
    });
    if (isApiError(parsed)) {
      return this.#reply(
        sentMs,
        failure(`http_${parsed.status}`, parsed.body.error.message, parsed.status),
        onOutcome,
      );
    }
    // The client's view: every engine time shifted by the two hops back (client <- router <- engine).
    const returnMs = 2 * hopMs;
    let engine: EngineCore | undefined;
    let ticket: RouteTicket | undefined;
    let firstMs = -1;
    let lastMs = -1;
    let tokenEvents = 0;
    const itlMs: number[] = [];
    let done = false;
    let abortClass = "aborted";
    let abortMessage = "request aborted";
    const finish = (outcome: RequestOutcome, routerOutcome: Parameters<RouteTicket["finish"]>[0]) => {
      done = true;
      const routed = ticket;
      this.#after(hopMs, () => routed?.finish(routerOutcome));
      this.#after(returnMs, () => onOutcome(outcome));
    };
    const sink: RequestSink = {
      onToken: (_tokenId, text) => {
        // A token event is a chunk with text, as the client's sglang dialect counts them.
        if (text === "") return;
        const now = clock.nowMs() + returnMs;
        if (firstMs < 0) {
          firstMs = now;
          const routed = ticket!;
          this.#after(hopMs, () => routed.firstToken());
        } else {
          itlMs.push(now - lastMs);
        }
        lastMs = now;
        tokenEvents++;
      },
      onFinish: (result: FinishResult) => {
        if (done) return;
        const ok = result.finishReason !== "abort" && firstMs >= 0;
        const usage = {
          promptTokens: result.promptTokens,
          completionTokens: result.completionTokens,
          cachedTokens: result.cachedTokens,
        };
        finish({
          success: ok,
          errorClass: ok ? null : abortClass,
          error: ok ? null : abortMessage,
          httpStatus: 200,
          ttftMs: firstMs >= 0 ? firstMs - sentMs : null,
          itlMs,
          e2eMs: clock.nowMs() + returnMs - sentMs,
          tokenEvents,
          usage,
        }, { ok, ...(ok ? {} : { errorKind: "client_abort" }), ...usage });
      },
    };
    const arrive = () => {
      if (done) return;
      ticket = this.router.route(createRouteRequest(id, prompt.text, parsed.promptTokenIds));
      if (ticket === undefined) {
        finish(failure("http_503", "no healthy backend", 503), { ok: false });
        return;
      }
      const target = this.engines[this.#backendIndex.get(ticket.backend)!]!;
      this.#after(hopMs, () => {
        if (done) {
          ticket!.finish({ ok: false, errorKind: "client_abort" });
          return;
        }
        engine = target;
        target.submit(engineRequestInput(parsed, id), sink);
      });
    };
    this.#after(hopMs, arrive);
    return (errorClass = "aborted", message = "request aborted") => {
      if (done) return;
      abortClass = errorClass;
      abortMessage = message;
      if (engine !== undefined) {
        engine.abort(id);
        return;
      }
      // Not at an engine yet: the request ends here, as a client abort would end an HTTP request.
      finish(failure(errorClass, message, null), { ok: false, errorKind: "client_abort" });
    };
  }

  /** The one-way hop latency now, from the requests in flight at the router. */
  #hopMs(): number {
    if (this.#hop.perInFlightMs === 0) return this.#hop.baseMs; // the default: no count needed per request
    let inFlight = 0;
    for (const backend of this.router.pool.all()) inFlight += backend.inFlight;
    return this.#hop.baseMs + this.#hop.perInFlightMs * inFlight;
  }

  /** This request's factor on the mean hop: log-normal with mean 1, or exactly 1 without a spread. */
  #hopSpread(): number {
    const sigma = this.#hop.sigma;
    return sigma === 0 ? 1 : Math.exp(sigma * this.#hopRng.normal() - (sigma * sigma) / 2);
  }

  /** Runs `fn` after `delayMs` of virtual time (at once when 0). */
  #after(delayMs: number, fn: () => void): void {
    if (delayMs === 0) fn();
    else this.clock.setTimer(this.clock.nowMs() + delayMs, fn);
  }

  /** A reply that never reached the router: it comes back after the client's hop there and back. */
  #reply(
    sentMs: number,
    outcome: RequestOutcome,
    onOutcome: (outcome: RequestOutcome) => void,
  ): AbortRequest {
    this.#after(Math.max(0, sentMs + 2 * this.#hopMs() - this.clock.nowMs()), () => onOutcome(outcome));
    return () => {};
  }
}

/** Mock-engine flags (as `deno task engine` takes them) → engine options. */
export function engineOptionsFromFlags(
  flags: Readonly<Record<string, string | number | boolean>>,
): EngineOptions {
  const options: EngineOptions = {};
  for (const [name, value] of Object.entries(flags)) {
    switch (name) {
      case "block-size":
        options.blockSize = Number(value);
        break;
      case "num-gpu-blocks":
        options.numGpuBlocks = Number(value);
        break;
      case "max-num-seqs":
        options.maxNumSeqs = Number(value);
        break;
      case "max-num-batched-tokens":
        options.maxNumBatchedTokens = Number(value);
        break;
      case "max-model-len":
        options.maxModelLen = Number(value);
        break;
      case "enable-prefix-caching":
        options.enablePrefixCaching = value === true || value === "true";
        break;
      case "jitter":
        options.jitterSigma = Number(value);
        break;
      default:
        throw new TypeError(`Cannot simulate engine flag '--${name}': not supported in virtual time`);
    }
  }
  return options;
}

function failure(errorClass: string, error: string, httpStatus: number | null): RequestOutcome {
  return {
    success: false,
    errorClass,
    error,
    httpStatus,
    ttftMs: null,
    itlMs: [],
    e2eMs: null,
    tokenEvents: 0,
    usage: null,
  };
}
