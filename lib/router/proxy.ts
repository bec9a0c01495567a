/**
 * The streaming pass-through to backends. Request bodies and response bytes go through unchanged
 * (SSE included); upstream calls use node:http keep-alive pools (Deno's fetch reads SSE ~12x
 * slower, deno.md §4). Each exchange ends in exactly one `ticket.finish` inside one `finally`,
 * whatever ends it: completion, upstream error, client abort or timeout. A connect failure before
 * any response retries another backend and takes the failed one out until its health check passes.
 * @module
 */
import * as http from "node:http";
import type { Clock } from "../core/clock.ts";
import type { RouterCore, RouteTicket } from "./router_core.ts";
import type { RouterMetrics } from "./metrics.ts";
import type { RequestOutcome, RouteRequest, WorkerId } from "./strategy.ts";
import { findUsage, TailBuffer } from "./usage_sniffer.ts";

/** Options for {@linkcode UpstreamProxy}. */
export interface UpstreamProxyOptions {
  core: RouterCore;
  clock: Clock;
  metrics?: RouterMetrics;
  /** Whole-exchange limit; past it the upstream request is aborted (504 before headers). */
  requestTimeoutMs: number;
  /** Other backends tried after a connect failure. */
  maxConnectRetries: number;
}

/** One request to forward. */
export interface UpstreamCall {
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** The client's body bytes, forwarded unchanged. */
  body: Uint8Array;
  /** The client's headers (hop-by-hop headers are dropped). */
  headers: Headers;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

interface ExchangeResult {
  outcome: RequestOutcome;
  /** True when the connection failed before any response: another backend may be tried. */
  retry: boolean;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "host",
  "upgrade",
  "proxy-connection",
  "te",
  "trailer",
]);
const RETRYABLE_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
const STALE_SOCKET_CODES = new Set(["ECONNRESET", "EPIPE"]);

/** Forwards routed requests to the backend the core picks and streams the answer back. */
export class UpstreamProxy {
  readonly #core: RouterCore;
  readonly #clock: Clock;
  readonly #metrics: RouterMetrics | undefined;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
  readonly #targets = new Map<WorkerId, { hostname: string; port: number }>();

  constructor(options: UpstreamProxyOptions) {
    this.#core = options.core;
    this.#clock = options.clock;
    this.#metrics = options.metrics;
    this.#timeoutMs = options.requestTimeoutMs;
    this.#maxRetries = options.maxConnectRetries;
  }

  /** Routes and forwards `request`; resolves with the response as soon as upstream headers arrive. */
  forward(request: RouteRequest, call: UpstreamCall): Promise<Response> {
    return new Promise((respond) => void this.#run(request, call, respond));
  }

  /** Closes pooled upstream connections. */
  close(): void {
    this.#agent.destroy();
  }

  async #run(
    request: RouteRequest,
    call: UpstreamCall,
    respond: (response: Response) => void,
  ): Promise<void> {
    const tried = new Set<WorkerId>();
    let intended: WorkerId | undefined;
    for (let attempt = 0;; attempt++) {
      const ticket = this.#core.route(request, { exclude: tried, intended });
      if (ticket === undefined) {
        respond(noHealthyBackend(this.#core.pool.all().length, tried.size));
        return;
      }
      intended ??= ticket.backend;
      const lastAttempt = attempt >= this.#maxRetries;
      let result: ExchangeResult = { outcome: { ok: false, errorKind: "upstream_error" }, retry: false };
      try {
        result = await this.#exchange(ticket, call, respond);
      } finally {
        ticket.finish(result.outcome, { superseded: result.retry && !lastAttempt });
      }
      if (!result.retry) return;
      this.#core.pool.markUnhealthy(ticket.backend);
      tried.add(ticket.backend);
      if (lastAttempt) {
        respond(
          errorResponse(502, `Cannot connect to backend ${ticket.backend} (tried ${tried.size} backends)`),
        );
        return;
      }
    }
  }

  /** One upstream exchange. Never rejects; responds itself except when it asks for a retry. */
  #exchange(
    ticket: RouteTicket,
    call: UpstreamCall,
    respond: (response: Response) => void,
  ): Promise<ExchangeResult> {
    const clock = this.#clock;
    const metrics = this.#metrics;
    const backend = ticket.backend;
    const target = this.#target(backend);
    return new Promise((resolve) => {
      const startMs = clock.nowMs();
      let settled = false;
      let headersSent = false;
      let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
      const settle = (outcome: RequestOutcome, retry = false): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        call.signal.removeEventListener("abort", onAbort);
        resolve({ outcome, retry });
      };
      const fail = (errorKind: string, status: number, message: string): void => {
        if (settled) return;
        if (!headersSent) {
          headersSent = true;
          respond(errorResponse(status, message));
        } else {
          try {
            controller?.error(new Error(message));
          } catch {
            // the client side of the stream is already closed
          }
        }
        upstream.destroy();
        settle({ ok: false, errorKind });
      };
      const onAbort = (): void => {
        if (settled) return;
        upstream.destroy();
        if (!headersSent) {
          headersSent = true;
          respond(errorResponse(499, "Client closed the request"));
        }
        settle({ ok: false, errorKind: "client_abort" });
      };
      const timer = clock.setTimer(
        startMs + this.#timeoutMs,
        () => fail("timeout", 504, `Backend ${backend} did not finish within ${this.#timeoutMs / 1000} s`),
      );
      const upstream = http.request({
        agent: this.#agent,
        hostname: target.hostname,
        port: target.port,
        method: "POST",
        path: call.path,
        headers: upstreamHeaders(call.headers, call.body.length, ticket.request.id),
      });
      call.signal.addEventListener("abort", onAbort, { once: true });
      upstream.on("error", (error: Error & { code?: string }) => {
        if (settled) return;
        if (!headersSent && isConnectFailure(error, upstream)) {
          upstream.destroy();
          settle({ ok: false, errorKind: "connect" }, true);
          return;
        }
        fail("upstream_error", 502, `Backend ${backend} failed: ${error.message}`);
      });
      upstream.on("response", (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        metrics?.phaseSeconds.labels({ phase: "connect" }).observe((clock.nowMs() - startMs) / 1000);
        const status = res.statusCode ?? 502;
        const ok = status >= 200 && status < 300;
        const tail = new TailBuffer();
        let first = true;
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            controller = c;
          },
          pull() {
            if (res.isPaused()) res.resume();
          },
          cancel() {
            onAbort();
          },
        });
        res.on("data", (chunk: Uint8Array) => {
          if (settled) return;
          if (first) {
            first = false;
            ticket.firstToken();
          }
          tail.push(chunk);
          controller!.enqueue(chunk);
          if (controller!.desiredSize! <= 0) res.pause();
        });
        res.on("end", () => {
          if (settled) return;
          controller!.close();
          const usage = findUsage(tail.text());
          settle({ ok, ...(ok ? {} : { errorKind: "upstream_status" }), ...usage });
        });
        res.on(
          "error",
          (error) => fail("upstream_error", 502, `Backend ${backend} failed: ${error.message}`),
        );
        res.on("close", () => {
          if (!res.complete) fail("upstream_error", 502, `Backend ${backend} closed the response early`);
        });
        headersSent = true;
        // From here on a client abort shows up as the body stream's cancel(); dropping the signal
        // listener also keeps Deno's legacy "signal aborts after a successful response" quiet.
        call.signal.removeEventListener("abort", onAbort);
        respond(new Response(stream, { status, headers: responseHeaders(res.headers) }));
      });
      upstream.end(call.body);
    });
  }

  #target(backend: WorkerId): { hostname: string; port: number } {
    let target = this.#targets.get(backend);
    if (target === undefined) {
      const url = new URL(backend);
      target = { hostname: url.hostname, port: Number(url.port || 80) };
      this.#targets.set(backend, target);
    }
    return target;
  }
}

/** An OpenAI-style JSON error response. */
export function errorResponse(status: number, message: string): Response {
  const type = status === 503
    ? "service_unavailable"
    : status >= 500
    ? "upstream_error"
    : "invalid_request_error";
  return new Response(JSON.stringify({ error: { message, type, code: status } }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function noHealthyBackend(total: number, tried: number): Response {
  const detail = tried > 0 ? ` (${tried} failed to connect just now)` : "";
  return errorResponse(503, `No healthy backend: all ${total} backends are out of rotation${detail}`);
}

function isConnectFailure(error: Error & { code?: string }, request: http.ClientRequest): boolean {
  const code = error.code ?? "";
  return RETRYABLE_CODES.has(code) || (STALE_SOCKET_CODES.has(code) && request.reusedSocket);
}

function upstreamHeaders(headers: Headers, bodyBytes: number, requestId: string): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) out[name] = value;
  });
  out["content-length"] = String(bodyBytes);
  out["x-request-id"] = requestId;
  return out;
}

function responseHeaders(headers: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (Array.isArray(value)) { for (const item of value) out.append(name, item); }
    else out.set(name, value);
  }
  return out;
}
