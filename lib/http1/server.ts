/**
 * A small HTTP/1.1 server on raw TCP (`Deno.listen`) for hot proxy paths. Deno.serve builds a
 * Request, a Response and a web stream per exchange; here the handler gets the parsed head and
 * the whole body, and writes bytes straight to the socket (head and first body bytes in one
 * write), which halves a streaming proxy's latency (README → Performance). Keep-alive, pipelined
 * requests (answered in order), `Expect: 100-continue` and chunked request bodies are supported;
 * malformed or oversized requests get a 4xx and the connection is closed.
 * @module
 */
import { concatBytes } from "../core/bytes.ts";
import { ConnReader } from "./conn_reader.ts";
import { ChunkedDecoder, headerValue, HttpParseError, latin1Bytes, parseRequestHead } from "./parse.ts";

/** Options for {@linkcode serveHttp1}. */
export interface Http1ServerOptions {
  /** @default "127.0.0.1" */
  hostname?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Largest request head accepted (431 beyond). @default 65536 */
  maxHeadBytes?: number;
  /** Largest request body accepted (413 beyond). */
  maxBodyBytes: number;
  /** Called for each request rejected before the handler (status 400, 413, 431, 501, 505). */
  onRejected?: (status: number, message: string) => void;
}

/** A request with its whole body. */
export interface Http1Request {
  method: string;
  /** The path without the query, e.g. `/v1/completions`. */
  path: string;
  /** The query with its `?`, or "". */
  query: string;
  /** Header names (lower case) and values, alternating. */
  headers: readonly string[];
  body: Uint8Array<ArrayBuffer>;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: number;
}

/** Handles one request; must eventually call `end`, `send` or `abort` on the response. */
export type Http1Handler = (request: Http1Request, response: Http1Response) => unknown;

/** A running server. */
export interface Http1Server {
  readonly port: number;
  readonly hostname: string;
  /** Stops accepting, closes idle connections, waits for open exchanges, then closes the rest. */
  shutdown(): Promise<void>;
}

/** How a response body is delimited on the wire. */
export type BodyFraming = number | "chunked" | "close";

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  499: "Client Closed Request",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};
const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");
const CRLF = new Uint8Array([13, 10]);
const encoder = new TextEncoder();

/** One exchange's writable side. Writes never reject: they resolve false once the client is gone. */
export class Http1Response {
  readonly #conn: Deno.Conn;
  readonly #minorVersion: number;
  #keepAlive: boolean;
  #started = false;
  #ended = false;
  #clientClosed = false;
  #onClientClose: (() => void) | undefined;
  #resolveFinished!: () => void;
  /** Resolves when the response ended or the client went away. */
  readonly finished: Promise<void> = new Promise((resolve) => this.#resolveFinished = resolve);

  /** @internal created by the server per request. */
  constructor(conn: Deno.Conn, minorVersion: number, keepAlive: boolean) {
    this.#conn = conn;
    this.#minorVersion = minorVersion;
    this.#keepAlive = keepAlive;
  }

  /** The client understands `Transfer-Encoding: chunked` (HTTP/1.1). */
  get chunkedAllowed(): boolean {
    return this.#minorVersion >= 1;
  }

  /** The head has been written. */
  get started(): boolean {
    return this.#started;
  }

  /** The client closed the connection (or a write to it failed). */
  get clientClosed(): boolean {
    return this.#clientClosed;
  }

  /** The connection stays open for another request after this response. */
  get keepAlive(): boolean {
    return this.#keepAlive;
  }

  /** Sets the one callback run when the client goes away before the response ends. */
  onClientClose(callback: (() => void) | undefined): void {
    this.#onClientClose = callback;
  }

  /**
   * Writes the head and, in the same write, `body` (already in the chosen framing: a number is
   * `Content-Length`, "chunked" means the caller writes chunk-framed bytes, "close" ends the body
   * by closing the connection). `headers` alternate names and values; framing and connection
   * headers are added here and must not be among them.
   */
  start(
    status: number,
    reason: string,
    headers: readonly string[],
    framing: BodyFraming,
    body?: Uint8Array,
  ): Promise<boolean> {
    if (this.#started) throw new Error("Http1Response.start called twice");
    this.#started = true;
    if (framing === "close" || (framing === "chunked" && !this.chunkedAllowed)) this.#keepAlive = false;
    let head = `HTTP/1.${this.#minorVersion} ${status} ${reason || STATUS_TEXT[status] || "Status"}\r\n`;
    for (let i = 0; i + 1 < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    if (typeof framing === "number") head += `content-length: ${framing}\r\n`;
    else if (framing === "chunked") head += "transfer-encoding: chunked\r\n";
    head += this.#keepAlive
      ? (this.#minorVersion === 0 ? "connection: keep-alive\r\n\r\n" : "\r\n")
      : "connection: close\r\n\r\n";
    const headBytes = latin1Bytes(head);
    return this.write(body === undefined || body.length === 0 ? headBytes : concatBytes([headBytes, body]));
  }

  /** Writes body bytes as they are (in the framing given to `start`). */
  async write(bytes: Uint8Array): Promise<boolean> {
    if (this.#clientClosed) return false;
    try {
      for (let offset = 0; offset < bytes.length;) {
        offset += await this.#conn.write(offset === 0 ? bytes : bytes.subarray(offset));
      }
      return true;
    } catch {
      this.clientGone();
      return false;
    }
  }

  /** Ends the response (the body must be complete in its framing). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onClientClose = undefined;
    this.#resolveFinished();
  }

  /** Sends a whole response with a `Content-Length` body and ends it. */
  async send(status: number, headers: readonly string[], body: Uint8Array | string): Promise<void> {
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    await this.start(status, "", headers, bytes.length, bytes);
    this.end();
  }

  /** Sends a fetch `Response` (its body read whole) and ends. */
  async sendResponse(response: Response): Promise<void> {
    const body = new Uint8Array(await response.arrayBuffer());
    const headers: string[] = [];
    response.headers.forEach((value, name) => {
      if (name !== "content-length" && name !== "transfer-encoding" && name !== "connection") {
        headers.push(name, value);
      }
    });
    await this.start(response.status, response.statusText, headers, body.length, body);
    this.end();
  }

  /** Ends the exchange by closing the connection (the client sees a cut-off response). */
  abort(): void {
    this.#keepAlive = false;
    this.end();
  }

  /** @internal the server saw the client close; also used when a write fails. */
  clientGone(): void {
    if (this.#clientClosed) return;
    this.#clientClosed = true;
    this.#keepAlive = false;
    const callback = this.#onClientClose;
    this.#onClientClose = undefined;
    if (!this.#ended) {
      callback?.();
      this.#resolveFinished();
    }
  }
}

/** Starts an HTTP/1.1 server; `handler` runs for every well-formed request. */
export function serveHttp1(options: Http1ServerOptions, handler: Http1Handler): Http1Server {
  const hostname = options.hostname ?? "127.0.0.1";
  const listener = Deno.listen({ hostname, port: options.port ?? 0 });
  const maxHeadBytes = options.maxHeadBytes ?? 65536;
  const open = new Set<Deno.Conn>();
  const idle = new Set<Deno.Conn>();
  const exchanges = new Set<Promise<void>>();
  let closing = false;

  async function serveConnection(conn: Deno.TcpConn): Promise<void> {
    open.add(conn);
    conn.setNoDelay(true);
    const reader = new ConnReader(conn, 16 * 1024, maxHeadBytes + options.maxBodyBytes + 64 * 1024);
    try {
      while (!closing) {
        idle.add(conn);
        let request: Http1Request | undefined;
        let keepAlive = false;
        try {
          const headEnd = await reader.readHead(maxHeadBytes);
          idle.delete(conn);
          if (headEnd < 0) break;
          const head = parseRequestHead(reader.buffer, reader.start, headEnd);
          reader.consume(head.headBytes);
          if (head.contentLength !== undefined && head.contentLength > options.maxBodyBytes) {
            throw new HttpParseError(
              413,
              `Request body of ${head.contentLength} bytes exceeds the limit of ${options.maxBodyBytes} bytes`,
            );
          }
          if (
            head.expectContinue && head.minorVersion >= 1 && (head.chunked || (head.contentLength ?? 0) > 0)
          ) {
            await conn.write(CONTINUE);
          }
          const body = await readBody(reader, head.contentLength, head.chunked, options.maxBodyBytes);
          if (body === undefined) break; // the client went away mid-body
          const query = head.target.indexOf("?");
          request = {
            method: head.method,
            path: pathOf(query < 0 ? head.target : head.target.slice(0, query)),
            query: query < 0 ? "" : head.target.slice(query),
            headers: head.headers,
            body,
            minorVersion: head.minorVersion,
          };
          keepAlive = head.keepAlive && headerValue(head.headers, "upgrade") === undefined;
        } catch (error) {
          idle.delete(conn);
          if (!(error instanceof HttpParseError)) throw error;
          options.onRejected?.(error.status, error.message);
          await rejectRequest(conn, error);
          break;
        }
        const response = new Http1Response(conn, request.minorVersion, keepAlive);
        reader.watchEof(() => response.clientGone());
        const exchange = runHandler(handler, request, response);
        exchanges.add(exchange);
        await exchange;
        exchanges.delete(exchange);
        reader.watchEof(undefined);
        if (!response.keepAlive || reader.eof) break;
      }
    } catch {
      // a connection-level failure: nothing more to say to this client
    } finally {
      idle.delete(conn);
      open.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch {
        return; // the listener was closed
      }
      void serveConnection(conn);
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    hostname,
    async shutdown() {
      if (closing) return;
      closing = true;
      listener.close();
      await accepting;
      for (const conn of idle) conn.close();
      await Promise.race([Promise.all(exchanges), new Promise((resolve) => setTimeout(resolve, 5000))]);
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
    },
  };
}

/**
 * A chunked body frame of `bytes`: size line, data, CRLF. Empty bytes give the last chunk with no
 * trailers, `0\r\n\r\n`, which ends the body.
 */
export function chunkFrame(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes([latin1Bytes(`${bytes.length.toString(16)}\r\n`), bytes, CRLF]);
}

async function runHandler(
  handler: Http1Handler,
  request: Http1Request,
  response: Http1Response,
): Promise<void> {
  try {
    await handler(request, response);
  } catch (error) {
    if (!response.started) {
      const message = `Server error: ${(error as Error).message}`;
      await response.send(
        500,
        ["content-type", "application/json"],
        JSON.stringify({ error: { message, type: "server_error", code: 500 } }),
      );
    } else {
      response.abort();
    }
  }
  await response.finished;
}

async function rejectRequest(conn: Deno.Conn, error: HttpParseError): Promise<void> {
  const body = JSON.stringify({
    error: { message: error.message, type: "invalid_request_error", code: error.status },
  });
  // A response that closes the connection; its write resolves false (never throws) if the client is gone.
  await new Http1Response(conn, 1, false).send(error.status, ["content-type", "application/json"], body);
}

/** Reads a body of `length` bytes or a chunked body; undefined when the client closes first. */
async function readBody(
  reader: ConnReader,
  length: number | undefined,
  chunked: boolean,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (!chunked) {
    const bytes = length ?? 0;
    while (reader.available < bytes) if (!(await reader.fill())) return undefined;
    const body = reader.buffer.slice(reader.start, reader.start + bytes);
    reader.consume(bytes);
    return body;
  }
  const decoder = new ChunkedDecoder();
  const pieces: Uint8Array[] = [];
  let total = 0;
  const onData = (piece: Uint8Array) => {
    total += piece.length;
    if (total > maxBytes) {
      throw new HttpParseError(413, `Request body exceeds the limit of ${maxBytes} bytes`);
    }
    pieces.push(piece.slice());
  };
  for (;;) {
    reader.consume(decoder.decode(reader.buffer, reader.start, reader.end, onData));
    if (decoder.done) break;
    if (!(await reader.fill())) return undefined;
  }
  return concatBytes(pieces);
}

/** An origin-form path; an absolute-form target (`http://host/path`) is reduced to its path. */
function pathOf(target: string): string {
  if (target.startsWith("/")) return target;
  const scheme = target.indexOf("://");
  if (scheme < 0) return target;
  const slash = target.indexOf("/", scheme + 3);
  return slash < 0 ? "/" : target.slice(slash);
}
