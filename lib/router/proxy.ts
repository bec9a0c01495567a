/**
 * The streaming pass-through to backends. Request bodies and response bytes go through unchanged
 * (SSE included); upstream calls use node:http over a LIFO keep-alive pool ({@linkcode UpstreamAgent};
 * Deno's fetch reads SSE ~12x slower, deno.md §4). Each exchange ends in exactly one `ticket.finish` inside one `finally`,
 * whatever ends it: completion, upstream error, client abort or timeout. A connect failure before
 * any response retries another backend and takes the failed one out until its health check passes.
 * @module
 */
import * as http from "node:http";
import type { Clock, Timer } from "../core/clock.ts";
import type { RouterCore, RouteTicket } from "./router_core.ts";
import type { RouterMetrics } from "./metrics.ts";
import type { RequestOutcome, RouteRequest, WorkerId } from "./strategy.ts";
import { UpstreamAgent } from "./upstream_agent.ts";
import { findUsage, TailBuffer, tailText } from "./usage_sniffer.ts";

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

/** Where one backend lives, resolved once. */
interface Target {
  hostname: string;
  port: number;
  /** `host:port`, for the Host header. */
  host: string;
}

/** An exchange's deadline, watched by the proxy's one sweep timer (no timer per request). */
interface Deadline {
  deadlineMs: number;
  expire(): void;
}

/** How many chunks the client-side stream buffers before the upstream response is paused. */
const STREAM_HIGH_WATER_CHUNKS = 64;

/** Forwards routed requests to the backend the core picks and streams the answer back. */
export class UpstreamProxy {
  readonly #core: RouterCore;
  readonly #clock: Clock;
  readonly #metrics: RouterMetrics | undefined;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  // LIFO keep-alive pool without node Agent's per-request socket bookkeeping (≈12 µs/request).
  readonly #agent = new UpstreamAgent();
  readonly #targets = new Map<WorkerId, Target>();
  readonly #deadlines = new Set<Deadline>();
  readonly #sweepMs: number;
  #sweepTimer: Timer | undefined;

  constructor(options: UpstreamProxyOptions) {
    this.#core = options.core;
    this.#clock = options.clock;
    this.#metrics = options.metrics;
    this.#timeoutMs = options.requestTimeoutMs;
    this.#maxRetries = options.maxConnectRetries;
    // Timeouts fire up to ~10% late (at most 1 s): one timer for all exchanges is cheaper than one each.
    this.#sweepMs = Math.min(1000, Math.max(5, this.#timeoutMs / 10));
  }

  /** Routes and forwards `request`; resolves with the response as soon as upstream headers arrive. */
  forward(request: RouteRequest, call: UpstreamCall): Promise<Response> {
    return new Promise((respond) => void this.#run(request, call, respond));
  }

  /** Closes pooled upstream connections and stops the timeout sweep. */
  close(): void {
    this.#sweepTimer?.cancel();
    this.#sweepTimer = undefined;
    this.#agent.destroy();
  }

  async #run(
    request: RouteRequest,
    call: UpstreamCall,
    respond: (response: Response) => void,
  ): Promise<void> {
    let tried: Set<WorkerId> | undefined;
    let intended: WorkerId | undefined;
    for (let attempt = 0;; attempt++) {
      const ticket = this.#core.route(
        request,
        tried === undefined ? undefined : { exclude: tried, intended },
      );
      if (ticket === undefined) {
        respond(noHealthyBackend(this.#core.pool.all().length, tried?.size ?? 0));
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
      (tried ??= new Set()).add(ticket.backend);
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
    const deadlines = this.#deadlines;
    return new Promise((resolve) => {
      const startMs = clock.nowMs();
      let settled = false;
      let gotResponse = false;
      let headersSent = false;
      let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
      const settle = (outcome: RequestOutcome, retry = false): void => {
        if (settled) return;
        settled = true;
        deadlines.delete(deadline);
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
      const deadline: Deadline = {
        deadlineMs: startMs + this.#timeoutMs,
        expire: () =>
          fail("timeout", 504, `Backend ${backend} did not finish within ${this.#timeoutMs / 1000} s`),
      };
      this.#watch(deadline);
      const upstream = http.request({
        agent: this.#agent as unknown as http.Agent,
        hostname: target.hostname,
        port: target.port,
        method: "POST",
        path: call.path,
        // An array of raw headers skips node's per-header setHeader bookkeeping.
        headers: upstreamHeaders(call.headers, target.host, call.body.length, ticket.request.id),
      });
      call.signal.addEventListener("abort", onAbort, { once: true });
      upstream.on("error", (error: Error & { code?: string }) => {
        if (settled) return;
        if (!gotResponse && !headersSent && isConnectFailure(error, upstream)) {
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
        gotResponse = true;
        metrics?.phase.connect.observe((clock.nowMs() - startMs) / 1000);
        const status = res.statusCode ?? 502;
        const ok = status >= 200 && status < 300;
        const headers = responseHeaders(res.rawHeaders);
        res.on(
          "error",
          (error) => fail("upstream_error", 502, `Backend ${backend} failed: ${error.message}`),
        );
        res.on("close", () => {
          if (!res.complete) fail("upstream_error", 502, `Backend ${backend} closed the response early`);
        });
        // 'response' fires inside the HTTP parser; by the next microtask the parser has consumed the
        // rest of that read. When the whole body came with the headers (non-streamed answers, short
        // or instant streams) it is forwarded as one byte array, without a stream.
        queueMicrotask(() => {
          if (settled) return;
          if (res.complete) {
            const body = readBuffered(res);
            if (body !== null && body.length > 0) ticket.firstToken();
            const usage = body === null ? undefined : findUsage(tailText(body));
            res.on("end", () => settle({ ok, ...(ok ? {} : { errorKind: "upstream_status" }), ...usage }));
            if (body === null) res.resume();
            headersSent = true;
            call.signal.removeEventListener("abort", onAbort);
            respond(new Response(body, { status, headers }));
            return;
          }
          const tail = new TailBuffer();
          let first = true;
          let paused = false;
          const stream = new ReadableStream<Uint8Array>({
            start(c) {
              controller = c;
            },
            pull() {
              if (paused) {
                paused = false;
                res.resume();
              }
            },
            cancel() {
              onAbort();
            },
          }, { highWaterMark: STREAM_HIGH_WATER_CHUNKS });
          res.on("data", (chunk: Uint8Array) => {
            if (settled) return;
            if (first) {
              first = false;
              ticket.firstToken();
            }
            tail.push(chunk);
            controller!.enqueue(chunk);
            if (controller!.desiredSize! <= 0 && !paused) {
              paused = true;
              res.pause();
            }
          });
          res.on("end", () => {
            if (settled) return;
            controller!.close();
            const usage = findUsage(tail.text());
            settle({ ok, ...(ok ? {} : { errorKind: "upstream_status" }), ...usage });
          });
          headersSent = true;
          // From here on a client abort shows up as the body stream's cancel(); dropping the signal
          // listener also keeps Deno's legacy "signal aborts after a successful response" quiet.
          call.signal.removeEventListener("abort", onAbort);
          respond(new Response(stream, { status, headers }));
        });
      });
      upstream.end(call.body);
    });
  }

  #watch(deadline: Deadline): void {
    this.#deadlines.add(deadline);
    if (this.#sweepTimer !== undefined) return;
    const sweep = (): void => {
      this.#sweepTimer = undefined;
      const nowMs = this.#clock.nowMs();
      for (const entry of this.#deadlines) if (entry.deadlineMs <= nowMs) entry.expire();
      if (this.#deadlines.size > 0) this.#sweepTimer = this.#clock.setTimer(nowMs + this.#sweepMs, sweep);
    };
    this.#sweepTimer = this.#clock.setTimer(this.#clock.nowMs() + this.#sweepMs, sweep);
  }

  #target(backend: WorkerId): Target {
    let target = this.#targets.get(backend);
    if (target === undefined) {
      const url = new URL(backend);
      target = { hostname: url.hostname, port: Number(url.port || 80), host: url.host };
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

/** Everything `res` has buffered, as one byte array (read() may hand it out a piece at a time). */
function readBuffered(res: http.IncomingMessage): Uint8Array<ArrayBuffer> | null {
  const first: Uint8Array<ArrayBuffer> | null = res.read();
  if (first === null) return null;
  let next: Uint8Array<ArrayBuffer> | null = res.read();
  if (next === null) return first;
  const pieces = [first];
  let total = first.length;
  for (; next !== null; next = res.read()) {
    pieces.push(next);
    total += next.length;
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    body.set(piece, offset);
    offset += piece.length;
  }
  return body;
}

function upstreamHeaders(headers: Headers, host: string, bodyBytes: number, requestId: string): string[] {
  const out = ["host", host, "content-length", String(bodyBytes), "x-request-id", requestId];
  headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== "x-request-id") out.push(name, value);
  });
  return out;
}

function responseHeaders(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (!HOP_BY_HOP.has(name) && !HOP_BY_HOP.has(name.toLowerCase())) out.push([name, raw[i + 1]!]);
  }
  return out;
}
