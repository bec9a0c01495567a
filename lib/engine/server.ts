/**
 * The HTTP adapter (Deno.serve) over {@linkcode EngineCore}: vLLM's OpenAI-compatible endpoints,
 * /metrics, /kv_events (NDJSON), /tokenize, /reset_prefix_cache. This is the only engine file that
 * does real I/O. A stream's writes happen once per engine step (one token per request per step); a
 * client that disconnects aborts its request, which frees its KV blocks.
 * @module
 */
import { type Clock, RealClock } from "../core/clock.ts";
import { PreciseClock } from "../core/precise_clock.ts";
import { createRng } from "../core/rng.ts";
import { EXPOSITION_CONTENT_TYPE } from "../prom/mod.ts";
import { type EngineOptions, resolveEngineConfig } from "./config.ts";
import { EngineCore } from "./engine_core.ts";
import type { KvEvent } from "./kv_events.ts";
import {
  type ApiError,
  apiError,
  completionResponseJson,
  engineRequestInput,
  type GenerateRequest,
  isApiError,
  parseGenerateRequest,
  parseTokenizeRequest,
  SSE_DONE,
  SseChunkBuilder,
  usageJson,
} from "./openai_api.ts";
import type { FinishResult, RequestSink } from "./request.ts";
import { DEFAULT_WARM_UP_REQUESTS, warmUpEngine } from "./warm_up.ts";

/** Options of {@linkcode serveEngine}: engine settings plus where to listen. */
export interface EngineServerOptions extends EngineOptions {
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /**
   * Clock of the engine loop. @default a PreciseClock: steps end within ~0.1 ms of their modelled
   * deadline without busy-waiting (setTimeout alone fires 1-2 ms late), or a RealClock that wakes
   * `spinMs` early and spins when `spinMs` is given.
   */
  clock?: Clock;
  /** Use a spinning RealClock instead of the default PreciseClock (ms of busy-wait per step). */
  spinMs?: number;
  /**
   * Synthetic requests run through a private engine in virtual time before listening (see
   * {@linkcode warmUpEngine}); 0 skips the warm-up. @default DEFAULT_WARM_UP_REQUESTS
   */
  warmUpRequests?: number;
}

/** A running engine server. */
export interface EngineServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** The engine behind the server (metrics, snapshots, step observers). */
  core: EngineCore;
  /** Aborts in-flight requests, closes streams and stops listening. */
  shutdown(): Promise<void>;
}

const encoder = new TextEncoder();
/** How long before a step's deadline `serveEngine` builds its output on real time (covers the step-end work's p99, ~1 ms at 256 streams). */
export const EMIT_AHEAD_MS = 1.5;
const JSON_HEADERS = { "content-type": "application/json" };
const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

/** Starts an engine and its HTTP server; resolves once it listens (after the modelled startup delay). */
export async function serveEngine(options: EngineServerOptions = {}): Promise<EngineServer> {
  const config = resolveEngineConfig(options);
  const ownClock = options.clock === undefined && options.spinMs === undefined
    ? new PreciseClock()
    : undefined;
  await ownClock?.whenReady();
  const clock = options.clock ?? ownClock ?? new RealClock({ spinMs: options.spinMs ?? 0 });
  // On real time the step's SSE text is built ahead of its deadline; at the deadline only the flush remains.
  const emitAheadMs = options.clock === undefined ? EMIT_AHEAD_MS : 0;
  const core = new EngineCore(config, { clock, rng: createRng(config.seed), emitAheadMs });
  const warmUpRequests = options.warmUpRequests ?? DEFAULT_WARM_UP_REQUESTS;
  if (warmUpRequests > 0) warmUpEngine(config, warmUpRequests);
  if (config.startupDelayS > 0) {
    await clock.sleepUntil(clock.nowMs() + (config.startupDelayS * 1000) / config.speedupRatio);
  }
  const kvStreams = new Set<StreamState>();
  const idPrefix = randomHex(6);
  let sequence = 0;
  const nextId = (endpoint: "chat" | "completions") =>
    `${endpoint === "chat" ? "chatcmpl" : "cmpl"}-${idPrefix}${(sequence++).toString(16).padStart(8, "0")}`;
  const limits = { servedModel: config.model, maxModelLen: config.maxModelLen };
  const createdS = Math.floor(Date.now() / 1000);

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const method = request.method;
    const route = ROUTES[path];
    if (route === undefined) return jsonResponse(404, { detail: "Not Found" });
    if (!route.includes(method)) return jsonResponse(405, { detail: "Method Not Allowed" });
    switch (path) {
      case "/health":
        return new Response(null, { status: 200 });
      case "/metrics":
        return new Response(core.renderMetrics(), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } });
      case "/v1/models":
        return jsonResponse(200, {
          object: "list",
          data: [{
            id: config.model,
            object: "model",
            created: createdS,
            owned_by: "vllm",
            root: config.model,
            parent: null,
            max_model_len: config.maxModelLen,
            permission: [],
          }],
        });
      case "/reset_prefix_cache":
        core.resetPrefixCache();
        flushDirty();
        return new Response(null, { status: 200 });
      case "/kv_events":
        return kvEventsResponse();
      case "/tokenize": {
        const body = await readJson(request);
        if (isApiError(body)) return errorResponse(body);
        const parsed = parseTokenizeRequest(body.value, limits);
        if (isApiError(parsed)) return errorResponse(parsed);
        return jsonResponse(200, {
          count: parsed.tokens.length,
          max_model_len: config.maxModelLen,
          tokens: parsed.tokens,
          token_strs: null,
        });
      }
      case "/v1/completions":
      case "/v1/chat/completions": {
        const endpoint = path === "/v1/completions" ? "completions" : "chat";
        const body = await readJson(request);
        if (isApiError(body)) return errorResponse(body);
        const parsed = parseGenerateRequest(endpoint, body.value, limits);
        if (isApiError(parsed)) return errorResponse(parsed);
        return parsed.stream ? streamResponse(parsed) : unaryResponse(parsed);
      }
    }
    return jsonResponse(404, { detail: "Not Found" });
  }

  function submit(parsed: GenerateRequest, id: string, sink: RequestSink): void {
    core.submit(engineRequestInput(parsed, id), sink);
  }

  /** Streams with output since the last turn end, written once per request per engine turn. */
  let dirty: StreamState[] = [];
  /** Output already encoded (ahead of the step's deadline), enqueued at the turn end. */
  let prepared: StreamState[] = [];
  let preparedBytes: Uint8Array[] = [];
  /** Bodies that end at the next turn end, after their last output (never ahead of the step's deadline). */
  let ending: (() => void)[] = [];
  const prepare = () => {
    const streams = dirty;
    dirty = [];
    encodeTogether(streams, (stream, bytes) => {
      prepared.push(stream);
      preparedBytes.push(bytes);
    });
  };
  const flushDirty = () => {
    prepare();
    const streams = prepared;
    const bytes = preparedBytes;
    prepared = [];
    preparedBytes = [];
    for (let i = 0; i < streams.length; i++) streams[i]!.enqueue(bytes[i]!);
    if (ending.length > 0) {
      const endings = ending;
      ending = [];
      for (const end of endings) end();
    }
  };
  core.onStep(prepare);
  core.onTurnEnd(flushDirty);

  function streamResponse(parsed: GenerateRequest): Response {
    const id = nextId(parsed.endpoint);
    const created = Math.floor(Date.now() / 1000);
    const chunks = new SseChunkBuilder(
      parsed.endpoint,
      id,
      created,
      parsed.model,
      parsed.continuousUsageStats,
    );
    const promptTokens = parsed.promptTokenIds.length;
    let completion = 0;
    const state = new StreamState(() => core.abort(id));
    const sink: RequestSink = {
      onToken(_tokenId, text, finishReason) {
        completion++;
        if (!state.open) return;
        const usage = parsed.continuousUsageStats ? usageJson(promptTokens, completion, 0) : null;
        if (state.pending === "") dirty.push(state);
        state.pending += chunks.token(text, finishReason, usage);
      },
      onFinish(result: FinishResult) {
        if (!state.open) return;
        if (result.finishReason === "abort") { // outside any step: nothing to hold back
          state.close();
          return;
        }
        if (state.pending === "") dirty.push(state);
        state.pending += parsed.includeUsage ? chunks.usage(result) + SSE_DONE : SSE_DONE;
        ending.push(() => state.close());
      },
    };
    submit(parsed, id, sink);
    return new Response(state.body, { headers: SSE_HEADERS });
  }

  /**
   * Non-streaming: the body is a stream written once at the end, so a client that disconnects
   * cancels it (aborting the request) without Deno's legacy request.signal semantics.
   */
  function unaryResponse(parsed: GenerateRequest): Response {
    const id = nextId(parsed.endpoint);
    const created = Math.floor(Date.now() / 1000);
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let open = true;
    let text = "";
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      cancel() {
        open = false;
        core.abort(id);
      },
    });
    submit(parsed, id, {
      onToken(_tokenId, piece) {
        text += piece;
      },
      onFinish(result) {
        if (!open) return;
        open = false;
        const body = result.finishReason === "abort"
          ? undefined
          : encoder.encode(completionResponseJson(parsed.endpoint, id, created, parsed.model, text, result));
        const end = () => {
          try {
            if (body !== undefined) controller.enqueue(body);
            controller.close();
          } catch {
            // the client went away meanwhile
          }
        };
        if (body === undefined) end(); // an abort happens outside any step: nothing to hold back
        else ending.push(end);
      },
    });
    return new Response(body, { headers: JSON_HEADERS });
  }

  function kvEventsResponse(): Response {
    let unsubscribe: (() => void) | null = null;
    const state = new StreamState(() => {
      unsubscribe?.();
      unsubscribe = null;
      kvStreams.delete(state);
    });
    const write = (events: readonly KvEvent[]) => {
      if (!state.open) return;
      if (state.pending === "") dirty.push(state);
      for (const event of events) state.pending += JSON.stringify(event) + "\n";
    };
    kvStreams.add(state);
    write([{ type: "cleared", engine_time_ms: core.nowMs() }, ...core.kvSnapshot()]);
    state.flush();
    unsubscribe = core.onKvEvents(write);
    return new Response(state.body, { headers: { "content-type": "application/x-ndjson" } });
  }

  const server = Deno.serve({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: () => {},
    onError: (error) => {
      console.error(`routebench engine: internal error: ${error instanceof Error ? error.stack : error}`);
      return errorResponse(apiError(500, "Internal server error"));
    },
  }, handle);
  const address = server.addr as Deno.NetAddr;
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    core,
    shutdown() {
      closed ??= (async () => {
        core.close();
        flushDirty();
        for (const stream of kvStreams) stream.close();
        kvStreams.clear();
        await server.shutdown();
        ownClock?.close();
      })();
      return closed;
    },
  };
}

/**
 * Encodes the pending output of `streams` with one UTF-8 encode for all instead of one per stream
 * (the encode calls were ~16% of the engine's CPU with ~200 streams) and hands each stream's bytes
 * to `emit`. SSE text is ASCII unless a model name or prompt echo is not; then bytes and characters
 * do not line up and each stream encodes its own.
 */
function encodeTogether(
  streams: readonly StreamState[],
  emit: (stream: StreamState, bytes: Uint8Array) => void,
): void {
  let text = "";
  for (const stream of streams) if (stream.open) text += stream.pending;
  if (text === "") return;
  const bytes = encoder.encode(text);
  const ascii = bytes.length === text.length;
  let at = 0;
  for (const stream of streams) {
    if (!stream.open || stream.pending === "") continue;
    const length = stream.pending.length;
    emit(stream, ascii ? bytes.subarray(at, at + length) : encoder.encode(stream.pending));
    stream.pending = "";
    at += length;
  }
}

/** One SSE response body: output buffered between engine turns, abort on client cancel. */
class StreamState {
  readonly body: ReadableStream<Uint8Array>;
  pending = "";
  open = true;
  #controller!: ReadableStreamDefaultController<Uint8Array>;

  constructor(onCancel: () => void) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      cancel: () => {
        this.open = false;
        this.pending = "";
        onCancel();
      },
    });
  }

  /** Writes the buffered output, if any. */
  flush(): void {
    if (!this.open || this.pending === "") return;
    const text = this.pending;
    this.pending = "";
    this.enqueue(encoder.encode(text));
  }

  /** Writes bytes (the caller encoded the buffered output). */
  enqueue(bytes: Uint8Array): void {
    if (!this.open) return;
    try {
      this.#controller.enqueue(bytes);
    } catch {
      this.open = false; // the client went away between turns
    }
  }

  /** Ends the body. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    try {
      this.#controller.close();
    } catch { /* already closed by the client */ }
  }
}

const ROUTES: Readonly<Record<string, readonly string[]>> = {
  "/health": ["GET"],
  "/metrics": ["GET"],
  "/v1/models": ["GET"],
  "/reset_prefix_cache": ["POST"],
  "/kv_events": ["GET"],
  "/tokenize": ["POST"],
  "/v1/completions": ["POST"],
  "/v1/chat/completions": ["POST"],
};

async function readJson(request: Request): Promise<{ value: unknown } | ApiError> {
  let text: string;
  try {
    text = await request.text();
  } catch {
    return apiError(400, "Could not read the request body");
  }
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return apiError(400, `Request body is not valid JSON: ${error instanceof Error ? error.message : error}`);
  }
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

function errorResponse(error: ApiError): Response {
  return jsonResponse(error.status, error.body);
}

function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return Array.from(buffer, (b) => b.toString(16).padStart(2, "0")).join("");
}
