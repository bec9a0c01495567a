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
import { createRng } from "../core/rng.ts";
import { type EngineOptions, resolveEngineConfig } from "../engine/config.ts";
import { EngineCore } from "../engine/engine_core.ts";
import { engineRequestInput, isApiError, parseGenerateRequest } from "../engine/openai_api.ts";
import type { FinishResult, RequestSink } from "../engine/request.ts";
import type { DecisionSink } from "../router/decision_log.ts";
import { parseKvEvent } from "../router/kv_events.ts";
import { RouterMetrics } from "../router/metrics.ts";
import { createStrategy } from "../router/registry.ts";
import { promptTextOf, type RoutedEndpoint } from "../router/request_body.ts";
import { RouterCore } from "../router/router_core.ts";
import { createRouteRequest, type StrategyName } from "../router/strategy.ts";
import type { ClientTransport } from "../client/transport.ts";
import type { RequestOutcome } from "../client/stream_request.ts";
import type { TimeseriesRecord } from "../prom/timeseries.ts";

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
}

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
  readonly #backendIndex = new Map<string, number>();
  readonly #unsubscribe: Array<() => void> = [];
  #nextId = 0;

  constructor(options: VirtualClusterOptions) {
    this.clock = options.clock;
    this.#model = options.model;
    this.#epochOffsetMs = options.epochOffsetMs ?? 0;
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
          // The same NDJSON line the live /kv_events stream carries, parsed by the router's parser.
          for (const event of events) {
            const parsed = parseKvEvent(JSON.stringify(event));
            if (parsed) this.router.kvEvent(backend, parsed);
          }
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
    const tMs = Math.round(this.clock.nowMs() + this.#epochOffsetMs);
    const records: TimeseriesRecord[] = this.engines.map((engine, index) => ({
      t_ms: tMs,
      target: `engine-${index}`,
      metrics: engine.collectMetrics(),
    }));
    this.router.refreshGauges();
    records.push({
      t_ms: tMs,
      target: "router",
      metrics: this.routerMetrics.registry.collect(),
    });
    return records;
  }

  /** Stops strategy timers and KV event subscriptions. */
  close(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.router.close();
    for (const engine of this.engines) engine.close();
  }

  #send(endpoint: RoutedEndpoint, body: string, onOutcome: (outcome: RequestOutcome) => void): () => void {
    const sentMs = this.clock.nowMs();
    const id = `sim-${this.#nextId++}`;
    const parsedBody = JSON.parse(body) as unknown;
    const prompt = promptTextOf(endpoint, parsedBody);
    if (!prompt.ok) {
      onOutcome(failure("http_400", prompt.message, 400));
      return () => {};
    }
    // Every simulated engine has the same limits, so the body is validated once, before routing,
    // and the router reuses the engine's token ids (the same ids it would compute from the text).
    const parsed = parseGenerateRequest(endpoint, parsedBody, {
      servedModel: this.#model,
      maxModelLen: this.engines[0]!.config.maxModelLen,
    });
    if (isApiError(parsed)) {
      onOutcome(failure(`http_${parsed.status}`, parsed.body.error.message, parsed.status));
      return () => {};
    }
    const ticket = this.router.route(createRouteRequest(id, prompt.text, parsed.promptTokenIds));
    if (ticket === undefined) {
      onOutcome(failure("http_503", "no healthy backend", 503));
      return () => {};
    }
    const engine = this.engines[this.#backendIndex.get(ticket.backend)!]!;
    let firstMs = -1;
    let lastMs = -1;
    let tokenEvents = 0;
    const itlMs: number[] = [];
    let done = false;
    let abortClass = "aborted";
    let abortMessage = "request aborted";
    const sink: RequestSink = {
      onToken: (_tokenId, text) => {
        const now = this.clock.nowMs();
        // A token event is a chunk with text, as the client's sglang dialect counts them.
        if (text === "") return;
        if (firstMs < 0) {
          firstMs = now;
          ticket.firstToken();
        } else {
          itlMs.push(now - lastMs);
        }
        lastMs = now;
        tokenEvents++;
      },
      onFinish: (result: FinishResult) => {
        if (done) return;
        done = true;
        const now = this.clock.nowMs();
        const ok = result.finishReason !== "abort" && firstMs >= 0;
        ticket.finish({
          ok,
          ...(ok ? {} : { errorKind: "client_abort" }),
          promptTokens: result.promptTokens,
          cachedTokens: result.cachedTokens,
          completionTokens: result.completionTokens,
        });
        onOutcome({
          success: ok,
          errorClass: ok ? null : abortClass,
          error: ok ? null : abortMessage,
          httpStatus: 200,
          ttftMs: firstMs >= 0 ? firstMs - sentMs : null,
          itlMs,
          e2eMs: now - sentMs,
          tokenEvents,
          usage: {
            promptTokens: result.promptTokens,
            completionTokens: result.completionTokens,
            cachedTokens: result.cachedTokens,
          },
        });
      },
    };
    engine.submit(engineRequestInput(parsed, id), sink);
    return (errorClass = "aborted", message = "request aborted") => {
      abortClass = errorClass;
      abortMessage = message;
      if (!done) engine.abort(id);
    };
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

function failure(errorClass: string, error: string, httpStatus: number): RequestOutcome {
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
