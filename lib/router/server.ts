/**
 * The router's HTTP server (raw HTTP/1.1, lib/http1): OpenAI-compatible routes in front of the backends, plus
 * /health, /metrics, /v1/models and POST /reset_prefix_cache (sent on to every healthy backend). This is the glue where real I/O and wall time live; routing
 * decisions are the {@linkcode RouterCore}'s and forwarding is the {@linkcode UpstreamProxy}'s.
 * Bad input gets a 4xx with a one-line message and never takes the router down.
 * @module
 */
import { type Clock, RealClock } from "../core/clock.ts";
import { createRng } from "../core/rng.ts";
import { EXPOSITION_CONTENT_TYPE } from "../prom/registry.ts";
import { resolveRouterConfig, type RouterConfig, type RouterConfigInput } from "./config.ts";
import { type DecisionSink, JsonlFileDecisionSink } from "./decision_log.ts";
import { subscribeKvEvents } from "./kv_events.ts";
import { RouterMetrics } from "./metrics.ts";
import { errorResponse, sendError, UpstreamProxy } from "./proxy.ts";
import { type Http1Request, type Http1Response, serveHttp1 } from "../http1/server.ts";
import { headerValue } from "../http1/parse.ts";
import { promptTextOf, type RoutedEndpoint } from "./request_body.ts";
import { createStrategy } from "./registry.ts";
import { RouterCore } from "./router_core.ts";
import { createRouteRequest, WARM_UP_HEADER } from "./strategy.ts";
import { warmUpRouter } from "./warm_up.ts";

/** Options for {@linkcode serveRouter}: the router config plus injectable pieces. */
export type ServeRouterOptions = RouterConfigInput & {
  /** Clock for routing and timeouts (default: real time). */
  clock?: Clock;
  /** Decision sink instead of `decisionLogPath` (e.g. a MemoryDecisionSink in tests). */
  decisionSink?: DecisionSink;
};

/** A running router. */
export interface RouterServer {
  /** `http://HOST:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The resolved config. */
  readonly config: RouterConfig;
  /** The routing core (in-flight counts, pool, strategy). */
  readonly core: RouterCore;
  /** Stops accepting, closes upstream pools and the decision log. */
  shutdown(): Promise<void>;
}

const decoder = new TextDecoder();
const ROUTED_PATHS: Record<string, RoutedEndpoint> = {
  "/v1/completions": "completions",
  "/v1/chat/completions": "chat",
};

/** Starts the router. Throws TypeError/RangeError for invalid options. */
export async function serveRouter(options: ServeRouterOptions): Promise<RouterServer> {
  const config = resolveRouterConfig(options);
  if (config.warmUpRequests > 0) warmUpRouter(config);
  const clock = options.clock ?? new RealClock();
  const metrics = new RouterMetrics();
  const strategy = createStrategy(config.strategy, config.strategyConfig, {
    clock,
    rng: createRng(config.seed).fork("router"),
  });
  const sink = options.decisionSink ??
    (config.decisionLogPath !== undefined
      ? await JsonlFileDecisionSink.open(config.decisionLogPath, clock)
      : undefined);
  const core = new RouterCore({
    strategy,
    backends: config.backends,
    clock,
    metrics,
    decisionSink: sink,
    epochOffsetMs: Date.now() - clock.nowMs(),
    health: { unhealthyAfter: config.unhealthyAfter, healthyAfter: config.healthyAfter },
  });
  const proxy = new UpstreamProxy({
    core,
    clock,
    metrics,
    requestTimeoutMs: config.requestTimeoutS * 1000,
    maxConnectRetries: config.maxConnectRetries,
  });
  const healthTimeoutMs = config.healthTimeoutS * 1000;
  core.pool.startHealthChecks(clock, {
    intervalS: config.healthIntervalS,
    probe: (url) => probeHealth(url, healthTimeoutMs),
  });
  const kvSubscription = strategy.usesKvEvents
    ? subscribeKvEvents(config.backends, {
      clock,
      retryIntervalMs: Math.max(500, config.healthIntervalS * 1000),
      onEvent: (worker, event) => core.kvEvent(worker, event),
    })
    : undefined;
  let requestCounter = 0;

  function handleRouted(
    request: Http1Request,
    response: Http1Response,
    endpoint: RoutedEndpoint,
  ): Promise<void> {
    const startMs = clock.nowMs();
    if (request.body.length === 0) {
      metrics.badRequests.labels({ reason: "body" }).inc();
      return sendError(response, 400, "Request body is empty: expected a JSON object");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(request.body));
    } catch (error) {
      metrics.badRequests.labels({ reason: "json" }).inc();
      return sendError(response, 400, `Request body is not valid JSON: ${(error as Error).message}`);
    }
    const prompt = promptTextOf(endpoint, parsed);
    if (!prompt.ok) {
      metrics.badRequests.labels({ reason: "fields" }).inc();
      return sendError(response, 400, prompt.message);
    }
    const id = headerValue(request.headers, "x-request-id") ?? `rb-${++requestCounter}`;
    metrics.phase.parse.observe((clock.nowMs() - startMs) / 1000);
    const routeRequest = createRouteRequest(id, prompt.text);
    if (headerValue(request.headers, WARM_UP_HEADER) !== undefined) routeRequest.warmUp = true;
    return proxy.forward(routeRequest, {
      path: request.path + request.query,
      body: request.body,
      headers: request.headers,
      response,
    });
  }

  function handle(request: Http1Request, response: Http1Response): Promise<void> {
    const path = request.path;
    const endpoint = ROUTED_PATHS[path];
    if (endpoint !== undefined) {
      if (request.method !== "POST") return sendError(response, 405, `${path} accepts POST only`);
      return handleRouted(request, response, endpoint);
    }
    return handleControl(request).then((answer) => response.sendResponse(answer));
  }

  async function handleControl(request: Http1Request): Promise<Response> {
    const path = request.path;
    switch (path) {
      case "/health": {
        const healthy = core.pool.healthyViews().length;
        return healthy > 0 ? Response.json({ status: "ok", healthy_backends: healthy }) : errorResponse(
          503,
          `No healthy backend: all ${config.backends.length} backends are out of rotation`,
        );
      }
      case "/metrics":
        core.refreshGauges();
        return new Response(metrics.render(), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } });
      case "/v1/models":
        return await forwardModels(core);
      case "/reset_prefix_cache":
        if (request.method !== "POST") return errorResponse(405, `${path} accepts POST only`);
        return await resetPrefixCaches(core, request.query);
      default:
        metrics.badRequests.labels({ reason: "path" }).inc();
        return errorResponse(
          404,
          `Unknown path '${path}': the router serves /v1/completions, /v1/chat/completions, /v1/models, ` +
            "/health, /metrics, POST /reset_prefix_cache",
        );
    }
  }

  const server = serveHttp1({
    hostname: config.host,
    port: config.port,
    maxBodyBytes: config.maxBodyBytes,
    onRejected: (status) =>
      metrics.badRequests.labels({ reason: status === 413 ? "too_large" : "body" }).inc(),
  }, handle);
  const port = server.port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${config.host}:${port}`,
    port,
    config,
    core,
    shutdown() {
      closed ??= (async () => {
        kvSubscription?.close();
        core.close();
        await server.shutdown();
        proxy.close();
        await sink?.close();
      })();
      return closed;
    },
  };
}

const CONTROL_TIMEOUT_MS = 30_000;

/**
 * `POST /reset_prefix_cache` sent to every healthy backend at once: 200 with each backend's
 * status when all succeeded, else 502 naming the ones that failed.
 */
async function resetPrefixCaches(core: RouterCore, query: string): Promise<Response> {
  const backends = core.pool.healthyViews().map((view) => view.id);
  if (backends.length === 0) return errorResponse(503, "No healthy backend to reset the prefix cache of");
  const results = await Promise.all(backends.map(async (backend) => {
    try {
      const response = await fetch(`${backend}/reset_prefix_cache${query}`, {
        method: "POST",
        signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return { backend, status: response.status, error: response.ok ? undefined : `HTTP ${response.status}` };
    } catch (error) {
      return { backend, status: 0, error: (error as Error).message };
    }
  }));
  const failed = results.filter((result) => result.error !== undefined);
  if (failed.length > 0) {
    return errorResponse(
      502,
      `reset_prefix_cache failed on ${failed.length} of ${results.length} backends: ` +
        failed.map((result) => `${result.backend} (${result.error})`).join(", "),
    );
  }
  return Response.json({
    status: "ok",
    backends: results.map(({ backend, status }) => ({ backend, status })),
  });
}

async function probeHealth(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

async function forwardModels(core: RouterCore): Promise<Response> {
  const backend = core.pool.healthyViews()[0];
  if (backend === undefined) return errorResponse(503, "No healthy backend to ask for /v1/models");
  try {
    const response = await fetch(`${backend.id}/v1/models`);
    return new Response(await response.arrayBuffer(), {
      status: response.status,
      headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
    });
  } catch (error) {
    return errorResponse(502, `Backend ${backend.id} failed on /v1/models: ${(error as Error).message}`);
  }
}
