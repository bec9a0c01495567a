/**
 * One request over node:http with a keep-alive Agent (Deno's fetch reads SSE ~12x slower, see
 * research/deno.md §4). Every SSE event is stamped with the time its network read was handed to
 * us (events of one read share a stamp, as in sglang and vLLM). Failures are returned as data with
 * an error class, never thrown.
 * @module
 */
import http from "node:http";
import {
  classifySseData,
  type Endpoint,
  type MetricDialect,
  readUsage,
  type StreamUsage,
} from "./sse_event.ts";
import { SseParser } from "./sse_parser.ts";

/** Where and how to send. Build once per run with {@linkcode createRequestTarget}. */
export interface RequestTarget {
  agent: http.Agent;
  hostname: string;
  port: number;
  path: string;
  endpoint: Endpoint;
  dialect: MetricDialect;
  stream: boolean;
  timeoutMs: number;
  headers: Record<string, string>;
}

/** The outcome of one request; times in ms relative to the send. */
export interface RequestOutcome {
  success: boolean;
  errorClass: string | null;
  error: string | null;
  httpStatus: number | null;
  ttftMs: number | null;
  itlMs: number[];
  e2eMs: number | null;
  tokenEvents: number;
  usage: StreamUsage | null;
  /**
   * Time from the transport's send() call to the request actually leaving, when the transport hands
   * it to another thread first (Worker transport); the runner counts it as send lag. Absent = 0.
   */
  sendDelayMs?: number;
}

/** Options of {@linkcode createRequestTarget}. */
export interface RequestTargetOptions {
  baseUrl: string;
  endpoint: Endpoint;
  dialect: MetricDialect;
  stream: boolean;
  timeoutMs: number;
  /** Sockets kept per host; Infinity = unlimited. */
  maxSockets: number;
  /** Extra request headers (e.g. routebench's warm-up marker). */
  headers?: Readonly<Record<string, string>>;
}

/** Parses the base URL and creates the keep-alive Agent. Throws TypeError for a bad URL. */
export function createRequestTarget(options: RequestTargetOptions): RequestTarget {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new TypeError(`Cannot use base URL '${options.baseUrl}': it is not a URL`);
  }
  if (url.protocol !== "http:") {
    throw new TypeError(`Cannot use base URL '${options.baseUrl}': only http:// is supported`);
  }
  const headers: Record<string, string> = {
    ...options.headers,
    "content-type": "application/json",
    accept: "text/event-stream",
  };
  const apiKey = Deno.env.get("OPENAI_API_KEY");
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const base = url.pathname.replace(/\/+$/, "");
  return {
    agent: new http.Agent({ keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 30_000 }),
    hostname: url.hostname,
    port: Number(url.port || 80),
    path: `${base}${options.endpoint === "chat" ? "/v1/chat/completions" : "/v1/completions"}`,
    endpoint: options.endpoint,
    dialect: options.dialect,
    stream: options.stream,
    timeoutMs: options.timeoutMs,
    headers,
  };
}

/**
 * Sends `body` (JSON text) and calls `done` exactly once with the outcome. `sentAt` is the
 * `performance.now()` taken immediately before this call. Returns a function that cancels the
 * request with the given error class (default `aborted`). `target.timeoutMs` is not enforced here:
 * the runner sweeps deadlines with one timer instead of one timer per request.
 */
export function sendRequest(
  target: RequestTarget,
  body: string,
  sentAt: number,
  done: (outcome: RequestOutcome) => void,
): (errorClass?: string, message?: string) => void {
  const parser = new SseParser();
  let finished = false;
  let status: number | null = null;
  let firstToken = -1;
  let lastToken = -1;
  let lastLine = -1;
  let tokenEvents = 0;
  let sawDone = false;
  let usage: StreamUsage | null = null;
  let streamError: { errorClass: string; error: string } | null = null;
  let plainBody = "";
  const itl: number[] = [];

  const finish = (errorClass: string | null, error: string | null): void => {
    if (finished) return;
    finished = true;
    const success = errorClass === null;
    const e2eAt = target.dialect === "vllm" ? lastToken : lastLine;
    done({
      success,
      errorClass,
      error,
      httpStatus: status,
      ttftMs: firstToken >= 0 ? firstToken - sentAt : null,
      itlMs: itl,
      e2eMs: e2eAt >= 0 ? e2eAt - sentAt : null,
      tokenEvents,
      usage,
    });
  };

  const onData = (data: string, now: number): void => {
    const event = classifySseData(data, target.endpoint, target.dialect);
    if (event.kind === "data") {
      lastLine = now;
      if (event.usage !== null) usage = event.usage;
      if (event.token) {
        if (firstToken < 0) firstToken = now;
        else itl.push(now - lastToken);
        lastToken = now;
        tokenEvents++;
      }
    } else if (event.kind === "done") {
      lastLine = now;
      sawDone = true;
    } else if (streamError === null) {
      streamError = event.kind === "error"
        ? { errorClass: "server_error_event", error: event.message }
        : { errorClass: "malformed_stream", error: event.message };
    }
  };

  const request = http.request(
    {
      agent: target.agent,
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      method: "POST",
      headers: target.headers,
    },
    (response) => {
      status = response.statusCode ?? null;
      response.setEncoding("utf8");
      if (status !== 200) {
        response.on("data", (chunk: string) => {
          if (plainBody.length < 500) plainBody += chunk;
        });
        response.on("end", () => finish(`http_${status}`, `HTTP ${status}: ${plainBody.slice(0, 500)}`));
      } else if (target.stream) {
        response.on("data", (chunk: string) => {
          const now = performance.now();
          parser.push(chunk, (data) => onData(data, now));
        });
        response.on("end", () => {
          const now = performance.now();
          parser.end((data) => onData(data, now));
          if (streamError !== null) finish(streamError.errorClass, streamError.error);
          else if (tokenEvents === 0) finish("no_token_events", "stream had no token event");
          else if (!sawDone) finish("malformed_stream", "stream ended without [DONE]");
          else finish(null, null);
        });
      } else {
        response.on("data", (chunk: string) => {
          plainBody += chunk;
        });
        response.on("end", () => {
          const now = performance.now();
          finishPlain(now);
        });
      }
      response.on("error", (error: Error) => finish("connection_reset", error.message));
      response.on("aborted", () => finish("connection_reset", "response aborted"));
    },
  );

  const finishPlain = (now: number): void => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(plainBody) ?? {};
    } catch {
      finish("malformed_stream", `response is not JSON: ${plainBody.slice(0, 80)}`);
      return;
    }
    if (parsed.error !== undefined && parsed.error !== null) {
      finish("server_error_event", JSON.stringify(parsed.error).slice(0, 200));
      return;
    }
    usage = readUsage(parsed.usage);
    // Non-streaming: TTFT = E2E, no ITL (loadgen.md §(b) 7).
    firstToken = now;
    lastToken = now;
    lastLine = now;
    tokenEvents = 1;
    finish(null, null);
  };

  request.on("error", (error: Error & { code?: string }) => {
    if (finished) return;
    finish(status === null ? "connect" : "connection_reset", `${error.code ?? "error"}: ${error.message}`);
  });
  request.end(body);
  return (errorClass = "aborted", message = "run aborted") => {
    finish(errorClass, message);
    request.destroy();
  };
}
