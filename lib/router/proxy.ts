/**
 * The streaming pass-through to backends over raw keep-alive TCP ({@linkcode Http1ConnectionPool}).
 * Request bodies and response bytes go through unchanged: a chunked SSE stream is forwarded in its
 * wire framing, read by a {@linkcode ChunkedDecoder} only to find its end and the usage in its tail.
 * Each exchange ends in exactly one `ticket.finish` inside one `finally`, whatever ends it:
 * completion, upstream error, client abort or timeout. A connect failure before any response
 * retries another backend and takes the failed one out until its health check passes; a reused
 * connection the backend had closed is retried once on a fresh connection to the same backend.
 * @module
 */
import { concatBytes } from "../core/bytes.ts";
import type { Clock, Timer } from "../core/clock.ts";
import {
  Http1ConnectionPool,
  type UpstreamConnection,
  type UpstreamTarget,
} from "../http1/connection_pool.ts";
import { ChunkedDecoder, latin1Bytes, parseResponseHead, type ResponseHead } from "../http1/parse.ts";
import { type BodyFraming, chunkFrame, type Http1Response } from "../http1/server.ts";
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
  /** The client's headers, names lower case, alternating with values (hop-by-hop ones are dropped). */
  headers: readonly string[];
  /** Where the answer goes. */
  response: Http1Response;
}

interface ExchangeResult {
  outcome: RequestOutcome;
  /** `connect`: no connection or no answer at all, try another backend; `stale`: try a fresh connection. */
  retry?: "connect" | "stale";
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
  "expect",
]);

/** How a relayed answer ended: `complete` when all of it reached the client. */
interface RelayResult {
  outcome: RequestOutcome;
  complete: boolean;
}

interface Target extends UpstreamTarget {
  /** `host:port`, for the Host header. */
  host: string;
}

/** An exchange's deadline, watched by the proxy's one sweep timer (no timer per request). */
interface Deadline {
  deadlineMs: number;
  expire(): void;
}

/** Forwards routed requests to the backend the core picks and streams the answer back. */
export class UpstreamProxy {
  readonly #core: RouterCore;
  readonly #clock: Clock;
  readonly #metrics: RouterMetrics | undefined;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #pool = new Http1ConnectionPool();
  readonly #targets = new Map<WorkerId, Target>();
  readonly #deadlines = new Set<Deadline>();
  /** Reused tail buffers (each allocates 2 KiB). */
  readonly #tails: TailBuffer[] = [];
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

  /** Routes and forwards `request`; resolves when the answer has been sent (or cut off). */
  async forward(request: RouteRequest, call: UpstreamCall): Promise<void> {
    let tried: Set<WorkerId> | undefined;
    let intended: WorkerId | undefined;
    for (let attempt = 0;; attempt++) {
      const ticket = this.#core.route(
        request,
        tried === undefined ? undefined : { exclude: tried, intended },
      );
      if (ticket === undefined) {
        await sendError(call.response, 503, noHealthyBackend(this.#core.pool.all().length, tried?.size ?? 0));
        return;
      }
      intended ??= ticket.backend;
      const lastAttempt = attempt >= this.#maxRetries;
      let result: ExchangeResult = { outcome: { ok: false, errorKind: "upstream_error" } };
      try {
        result = await this.#exchange(ticket, call, false);
        if (result.retry === "stale") result = await this.#exchange(ticket, call, true);
      } finally {
        ticket.finish(result.outcome, { superseded: result.retry !== undefined && !lastAttempt });
      }
      if (result.retry === undefined) return;
      this.#core.pool.markUnhealthy(ticket.backend);
      (tried ??= new Set()).add(ticket.backend);
      if (lastAttempt) {
        await sendError(
          call.response,
          502,
          `Cannot connect to backend ${ticket.backend} (tried ${tried.size} backends)`,
        );
        return;
      }
    }
  }

  /** Closes pooled upstream connections and stops the timeout sweep. */
  close(): void {
    this.#sweepTimer?.cancel();
    this.#sweepTimer = undefined;
    this.#pool.destroy();
  }

  /**
   * One upstream exchange. Never rejects; answers the client itself except when it asks for a retry
   * (which it does only before anything was sent to the client).
   */
  async #exchange(ticket: RouteTicket, call: UpstreamCall, fresh: boolean): Promise<ExchangeResult> {
    const response = call.response;
    if (response.clientClosed) return { outcome: { ok: false, errorKind: "client_abort" } };
    const startMs = this.#clock.nowMs();
    const backend = ticket.backend;
    const target = this.#target(backend);
    let connection: UpstreamConnection | undefined;
    let ending: "client_abort" | "timeout" | undefined;
    const stop = (why: "client_abort" | "timeout") => {
      ending ??= why;
      connection?.close();
    };
    const deadline: Deadline = { deadlineMs: startMs + this.#timeoutMs, expire: () => stop("timeout") };
    this.#watch(deadline);
    response.onClientClose(() => stop("client_abort"));
    try {
      try {
        connection = await this.#pool.acquire(target, fresh);
      } catch {
        if (ending !== undefined) return this.#ended(ending, response, backend);
        return { outcome: { ok: false, errorKind: "connect" }, retry: "connect" };
      }
      if (ending !== undefined) return this.#ended(ending, response, backend);
      const reused = connection.reused;
      try {
        await connection.write(requestBytes(call, target.host, ticket.request.id));
      } catch {
        if (ending !== undefined) return this.#ended(ending, response, backend);
        connection.close();
        return { outcome: { ok: false, errorKind: "connect" }, retry: reused ? "stale" : "connect" };
      }
      const result = await this.#relay(ticket, connection, response, startMs);
      if (result === "no_answer") {
        if (ending !== undefined) return this.#ended(ending, response, backend);
        if (reused) return { outcome: { ok: false, errorKind: "connect" }, retry: "stale" };
        await sendError(response, 502, `Backend ${backend} closed the connection without answering`);
        return { outcome: { ok: false, errorKind: "upstream_error" } };
      }
      if (ending !== undefined && !result.complete) return this.#ended(ending, response, backend);
      return { outcome: result.outcome };
    } finally {
      this.#deadlines.delete(deadline);
      response.onClientClose(undefined);
    }
  }

  /**
   * Reads the answer from `connection` and forwards it. Returns "no_answer" when the connection
   * ended before any response byte (nothing was sent to the client then).
   */
  async #relay(
    ticket: RouteTicket,
    connection: UpstreamConnection,
    response: Http1Response,
    startMs: number,
  ): Promise<"no_answer" | RelayResult> {
    const reader = connection.reader;
    const backend = ticket.backend;
    let head: ResponseHead | undefined;
    for (;;) {
      const headEnd = await reader.readHead(64 * 1024).catch(() => -2);
      if (headEnd === -2) {
        connection.close();
        return this.#failed(
          response,
          "upstream_error",
          502,
          `Backend ${backend} sent a response head over 64 KiB`,
        );
      }
      if (headEnd < 0) {
        connection.close();
        return "no_answer";
      }
      try {
        head = parseResponseHead(reader.buffer, reader.start, headEnd);
      } catch (error) {
        connection.close();
        return this.#failed(
          response,
          "upstream_error",
          502,
          `Backend ${backend} failed: ${(error as Error).message}`,
        );
      }
      reader.consume(head.headBytes);
      if (head.status >= 200 || head.status === 101) break; // 1xx interim answers are dropped
    }
    this.#metrics?.phase.connect.observe((this.#clock.nowMs() - startMs) / 1000);
    const ok = head.status >= 200 && head.status < 300;
    // Chunked bytes pass through in their framing to an HTTP/1.1 client; otherwise they are decoded.
    const decoder = head.chunked ? new ChunkedDecoder() : undefined;
    const passChunks = decoder !== undefined && response.chunkedAllowed;
    const untilClose = decoder === undefined && head.contentLength === undefined;
    const framing: BodyFraming = passChunks || (untilClose && response.chunkedAllowed)
      ? "chunked"
      : head.contentLength ?? "close";
    let remaining = head.contentLength ?? Infinity;
    const tail = this.#tails.pop() ?? new TailBuffer();
    let gotData = false;
    // A chunked answer for an HTTP/1.0 client goes out decoded: its pieces are collected per read.
    const collect = decoder !== undefined && !passChunks;
    let decoded: Uint8Array[] = [];
    const onData = (piece: Uint8Array) => {
      if (piece.length === 0) return;
      if (!gotData) {
        gotData = true;
        ticket.firstToken();
      }
      tail.push(piece);
      if (collect) decoded.push(piece);
    };
    let complete = false;
    for (;;) {
      let out: Uint8Array;
      try {
        if (decoder !== undefined) {
          const used = decoder.decode(reader.buffer, reader.start, reader.end, onData);
          out = passChunks ? reader.buffer.subarray(reader.start, reader.start + used) : concatBytes(decoded);
          decoded = [];
          reader.consume(used);
          complete = decoder.done;
        } else {
          const take = Math.min(remaining, reader.available);
          const piece = reader.buffer.subarray(reader.start, reader.start + take);
          onData(piece);
          out = untilClose && response.chunkedAllowed && take > 0 ? chunkFrame(piece) : piece;
          reader.consume(take);
          remaining -= take;
          complete = remaining === 0;
        }
      } catch (error) {
        connection.close();
        if (!response.started) {
          return this.#failed(
            response,
            "upstream_error",
            502,
            `Backend ${backend} failed: ${(error as Error).message}`,
          );
        }
        response.abort();
        return { outcome: { ok: false, errorKind: "upstream_error" }, complete: false };
      }
      const written = response.started
        ? (out.length === 0 || await response.write(out))
        : await response.start(head.status, head.reason, responseHeaders(head.headers), framing, out);
      if (!written) {
        connection.close();
        return { outcome: { ok: false, errorKind: "client_abort" }, complete: false };
      }
      if (complete) break;
      if (!(await reader.fill())) {
        if (untilClose) {
          complete = true;
          if (response.chunkedAllowed) await response.write(chunkFrame(new Uint8Array(0)));
          break;
        }
        connection.close();
        response.abort();
        return { outcome: { ok: false, errorKind: "upstream_error" }, complete: false };
      }
    }
    this.#pool.release(connection, head.keepAlive && !untilClose);
    response.end();
    const usage = findUsage(tail.text());
    tail.clear();
    this.#tails.push(tail);
    return { outcome: { ok, ...(ok ? {} : { errorKind: "upstream_status" }), ...usage }, complete };
  }

  async #failed(
    response: Http1Response,
    errorKind: string,
    status: number,
    message: string,
  ): Promise<RelayResult> {
    await sendError(response, status, message);
    return { outcome: { ok: false, errorKind }, complete: false };
  }

  /** The outcome of an exchange ended by a client abort or the timeout, answering what can be. */
  async #ended(
    why: "client_abort" | "timeout",
    response: Http1Response,
    backend: WorkerId,
  ): Promise<ExchangeResult> {
    if (why === "timeout") {
      if (!response.started) {
        await sendError(
          response,
          504,
          `Backend ${backend} did not finish within ${this.#timeoutMs / 1000} s`,
        );
      } else {
        response.abort();
      }
    } else {
      response.abort();
    }
    return { outcome: { ok: false, errorKind: why } };
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

/** An OpenAI-style JSON error body. */
export function errorBody(status: number, message: string): string {
  const type = status === 503
    ? "service_unavailable"
    : status >= 500
    ? "upstream_error"
    : "invalid_request_error";
  return JSON.stringify({ error: { message, type, code: status } });
}

/** An OpenAI-style JSON error response. */
export function errorResponse(status: number, message: string): Response {
  return new Response(errorBody(status, message), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** Answers with an OpenAI-style JSON error, unless the answer already started (then it is cut off). */
export async function sendError(response: Http1Response, status: number, message: string): Promise<void> {
  if (response.started) {
    response.abort();
    return;
  }
  await response.send(status, ["content-type", "application/json"], errorBody(status, message));
}

function noHealthyBackend(total: number, tried: number): string {
  const detail = tried > 0 ? ` (${tried} failed to connect just now)` : "";
  return `No healthy backend: all ${total} backends are out of rotation${detail}`;
}

/** The upstream request: head and body in one buffer, so it leaves in one write. */
function requestBytes(call: UpstreamCall, host: string, requestId: string): Uint8Array {
  let head = `POST ${call.path} HTTP/1.1\r\nhost: ${host}\r\ncontent-length: ${call.body.length}\r\n` +
    `x-request-id: ${requestId}\r\n`;
  const headers = call.headers;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i]!;
    if (!HOP_BY_HOP.has(name) && name !== "x-request-id") head += `${name}: ${headers[i + 1]}\r\n`;
  }
  return concatBytes([latin1Bytes(head + "\r\n"), call.body]);
}

function responseHeaders(headers: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (!HOP_BY_HOP.has(headers[i]!)) out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}
