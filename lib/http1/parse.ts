/**
 * HTTP/1.1 message framing as pure functions over byte buffers: finding and parsing request and
 * response heads, and decoding `Transfer-Encoding: chunked` incrementally. No I/O, so the server
 * and the connection pool share it and tests feed it bytes directly.
 * @module
 */

/** A malformed or over-limit message; `status` is the answer a server gives (400, 413, 431, 501). */
export class HttpParseError extends Error {
  override name = "HttpParseError";
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Framing and connection facts shared by request and response heads. */
export interface MessageHead {
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: number;
  /** Header names (lower case) and values, alternating: `[name0, value0, name1, value1, ...]`. */
  headers: string[];
  /** Bytes of the head, the blank line included. */
  headBytes: number;
  /** `Content-Length`, when given. */
  contentLength: number | undefined;
  /** `Transfer-Encoding` ends in `chunked`. */
  chunked: boolean;
  /** The connection may carry another message afterwards. */
  keepAlive: boolean;
}

/** A parsed request line and headers. */
export interface RequestHead extends MessageHead {
  method: string;
  /** The request target as sent, e.g. `/v1/completions?x=1`. */
  target: string;
  /** `Expect: 100-continue` was sent. */
  expectContinue: boolean;
}

/** A parsed status line and headers. */
export interface ResponseHead extends MessageHead {
  status: number;
  reason: string;
}

// ChunkedDecoder states.
const State = { Size: 0, Extension: 1, Data: 2, DataEnd: 3, TrailerStart: 4, Trailer: 5 } as const;
const utf8 = new TextEncoder();
const CR = 13;
const LF = 10;

/**
 * The index just past the blank line ending a head in `buffer[start, end)`, or -1 when it has not
 * all arrived. `from` skips bytes already searched.
 */
export function findHeadEnd(buffer: Uint8Array, start: number, end: number, from = start): number {
  for (let i = Math.max(start, from - 3); i < end; i++) {
    if (buffer[i] !== LF) continue;
    if (buffer[i + 1] === LF && i + 1 < end) return i + 2;
    if (buffer[i + 1] === CR && buffer[i + 2] === LF && i + 2 < end) return i + 3;
  }
  return -1;
}

/** Parses the request head in `buffer[start, headEnd)` (from {@linkcode findHeadEnd}). */
export function parseRequestHead(buffer: Uint8Array, start: number, headEnd: number): RequestHead {
  const lines = headLines(buffer, start, headEnd);
  const requestLine = lines[0]!;
  const first = requestLine.indexOf(" ");
  const second = requestLine.indexOf(" ", first + 1);
  if (first <= 0 || second <= first + 1) {
    throw new HttpParseError(
      400,
      `Malformed request line '${clip(requestLine)}': expected METHOD TARGET HTTP/1.x`,
    );
  }
  const minorVersion = versionOf(requestLine.slice(second + 1), requestLine);
  const head: RequestHead = {
    method: requestLine.slice(0, first),
    target: requestLine.slice(first + 1, second),
    expectContinue: false,
    ...messageHead(lines, minorVersion, headEnd - start),
  };
  const expect = headerValue(head.headers, "expect");
  head.expectContinue = expect !== undefined && expect.toLowerCase() === "100-continue";
  return head;
}

/** Parses the response head in `buffer[start, headEnd)`. */
export function parseResponseHead(buffer: Uint8Array, start: number, headEnd: number): ResponseHead {
  const lines = headLines(buffer, start, headEnd);
  const statusLine = lines[0]!;
  const first = statusLine.indexOf(" ");
  const status = Number(statusLine.slice(first + 1, first + 4));
  if (first <= 0 || !Number.isInteger(status) || status < 100 || status > 999) {
    throw new HttpParseError(502, `Malformed status line '${clip(statusLine)}'`);
  }
  return {
    status,
    reason: statusLine.slice(first + 5),
    ...messageHead(lines, versionOf(statusLine.slice(0, first), statusLine), headEnd - start),
  };
}

/** The first value of header `name` (lower case) in a head's alternating list. */
export function headerValue(headers: readonly string[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
  return undefined;
}

/**
 * Decodes a chunked body as its bytes arrive, in pieces of any size. `decode` hands the payload
 * out as subarrays of the input (no copies) and returns how many input bytes it used: all of them,
 * or fewer when the body ended inside the input (the rest belongs to the next message).
 */
export class ChunkedDecoder {
  #state: number = State.Size;
  #remaining = 0;
  #sizeDigits = 0;
  #done = false;

  /** The terminating zero-size chunk and the trailers have been read. */
  get done(): boolean {
    return this.#done;
  }

  /** Decodes `input[start, end)`; calls `onData` for each payload piece. Throws HttpParseError. */
  decode(input: Uint8Array, start: number, end: number, onData: (piece: Uint8Array) => void): number {
    let i = start;
    while (i < end && !this.#done) {
      const byte = input[i]!;
      switch (this.#state) {
        case State.Size: {
          const digit = hexValue(byte);
          if (digit >= 0) {
            if (++this.#sizeDigits > 12) throw new HttpParseError(400, "Chunk size too large");
            this.#remaining = this.#remaining * 16 + digit;
          } else if (byte === LF) {
            this.#endSizeLine();
          } else if (byte === 59 /* ; */ || byte === 32 || byte === 9) {
            this.#state = State.Extension;
          } else if (byte !== CR) {
            throw new HttpParseError(400, `Malformed chunk size: unexpected byte ${byte}`);
          }
          i++;
          break;
        }
        case State.Extension:
          if (byte === LF) this.#endSizeLine();
          i++;
          break;
        case State.Data: {
          const take = Math.min(this.#remaining, end - i);
          onData(input.subarray(i, i + take));
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = State.DataEnd;
          break;
        }
        case State.DataEnd:
          if (byte === LF) this.#state = State.Size;
          else if (byte !== CR) throw new HttpParseError(400, "Chunk data longer than its size");
          i++;
          break;
        case State.TrailerStart:
          if (byte === LF) this.#done = true;
          else if (byte !== CR) this.#state = State.Trailer;
          i++;
          break;
        case State.Trailer:
          if (byte === LF) this.#state = State.TrailerStart;
          i++;
          break;
      }
    }
    return i - start;
  }

  #endSizeLine(): void {
    if (this.#sizeDigits === 0) throw new HttpParseError(400, "Malformed chunk size: no digits");
    this.#state = this.#remaining === 0 ? State.TrailerStart : State.Data;
    this.#sizeDigits = 0;
  }
}

/** Bytes 0–255 as the characters U+0000–U+00FF (heads are ASCII; this keeps any byte exact). */
export function latin1(buffer: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i += 4096) {
    text += String.fromCharCode.apply(
      null,
      buffer.subarray(i, Math.min(end, i + 4096)) as unknown as number[],
    );
  }
  return text;
}

/** The inverse of {@linkcode latin1}: one byte per character (characters above U+00FF are cut to 8 bits). */
export function latin1Bytes(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length);
  // Native UTF-8 encoding equals Latin-1 for ASCII, which heads nearly always are.
  const { read, written } = utf8.encodeInto(text, bytes);
  if (read === text.length && written === text.length) return bytes;
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function headLines(buffer: Uint8Array, start: number, headEnd: number): string[] {
  const lines = latin1(buffer, start, headEnd).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith("\r")) lines[i] = line.slice(0, -1);
  }
  while (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function messageHead(lines: string[], minorVersion: number, headBytes: number): MessageHead {
  const headers: string[] = [];
  let contentLength: number | undefined;
  let chunked = false;
  let connection = "";
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0 || line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) {
      throw new HttpParseError(400, `Malformed header line '${clip(line)}': expected NAME: VALUE`);
    }
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.push(name, value);
    if (name === "content-length") {
      const length = Number(value);
      if (!/^\d+$/.test(value) || (contentLength !== undefined && contentLength !== length)) {
        throw new HttpParseError(
          400,
          `Bad Content-Length '${clip(value)}': expected one non-negative integer`,
        );
      }
      contentLength = length;
    } else if (name === "transfer-encoding") {
      const codings = value.toLowerCase().split(",").map((coding) => coding.trim());
      if (
        codings[codings.length - 1] !== "chunked" || codings.some((c) => c !== "chunked" && c !== "identity")
      ) {
        throw new HttpParseError(501, `Unsupported Transfer-Encoding '${clip(value)}': only chunked`);
      }
      chunked = true;
    } else if (name === "connection") {
      connection = value.toLowerCase();
    }
  }
  if (chunked) contentLength = undefined; // RFC 9112 §6.3: chunked wins over Content-Length
  const keepAlive = minorVersion >= 1 ? !connection.includes("close") : connection.includes("keep-alive");
  return { minorVersion, headers, headBytes, contentLength, chunked, keepAlive };
}

function versionOf(version: string, line: string): number {
  if (version === "HTTP/1.1") return 1;
  if (version === "HTTP/1.0") return 0;
  throw new HttpParseError(505, `Unsupported HTTP version in '${clip(line)}': expected HTTP/1.0 or HTTP/1.1`);
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  return -1;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
