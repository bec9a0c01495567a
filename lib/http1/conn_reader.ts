/**
 * A growable read buffer over one TCP connection. Messages are parsed in place from
 * `buffer[start, end)`; `consume` drops what was used. At most one read is outstanding: a read
 * started to notice the peer closing ({@linkcode ConnReader.watchEof}) is the one the next `fill`
 * awaits, so no bytes are lost between messages.
 * @module
 */
import { findHeadEnd, HttpParseError } from "./parse.ts";

/** Buffered reads from a `Deno.Conn`. Read errors count as end of stream. */
export class ConnReader {
  /** The bytes read and not yet consumed are `buffer[start, end)`. */
  buffer: Uint8Array<ArrayBuffer>;
  start = 0;
  end = 0;
  readonly #conn: Deno.Conn;
  readonly #maxBytes: number;
  #pending: Promise<boolean> | undefined;
  #eof = false;
  #onEof: (() => void) | undefined;

  /** `initialBytes` is the first buffer size; it doubles up to `maxBytes` when a message needs it. */
  constructor(conn: Deno.Conn, initialBytes = 16 * 1024, maxBytes = 1024 * 1024) {
    this.#conn = conn;
    this.buffer = new Uint8Array(initialBytes);
    this.#maxBytes = Math.max(initialBytes, maxBytes);
  }

  /** The peer closed (or the connection failed); no more bytes will come. */
  get eof(): boolean {
    return this.#eof;
  }

  /** Bytes buffered and not consumed. */
  get available(): number {
    return this.end - this.start;
  }

  /** Drops `bytes` from the front of the buffered bytes. */
  consume(bytes: number): void {
    this.start += bytes;
    if (this.start === this.end) this.start = this.end = 0;
  }

  /**
   * Reads more bytes (awaiting a read already under way). Resolves false at end of stream.
   * Throws HttpParseError 431 when the buffer is at `maxBytes` and full.
   */
  fill(): Promise<boolean> {
    return this.#pending ?? this.#read();
  }

  /**
   * Calls `onEof` once if the peer closes while nobody is reading (e.g. a client abandoning a
   * streamed response, or a server closing an idle keep-alive connection). Bytes that arrive
   * meanwhile stay buffered. `undefined` stops watching.
   */
  watchEof(onEof: (() => void) | undefined): void {
    this.#onEof = onEof;
    if (onEof === undefined || this.#pending !== undefined) return;
    if (this.#eof) {
      this.#onEof = undefined;
      onEof();
      return;
    }
    if (this.end < this.buffer.length || this.start > 0) void this.#read();
  }

  /**
   * Reads until a whole head is buffered and returns its end index, or -1 at end of stream.
   * Throws HttpParseError 431 past `maxHeadBytes`.
   */
  async readHead(maxHeadBytes: number): Promise<number> {
    let searched = this.start;
    for (;;) {
      const headEnd = findHeadEnd(this.buffer, this.start, this.end, searched);
      if (headEnd >= 0 && headEnd - this.start <= maxHeadBytes) return headEnd;
      if (headEnd >= 0 || this.end - this.start >= maxHeadBytes) {
        throw new HttpParseError(431, `Message head exceeds ${maxHeadBytes} bytes`);
      }
      searched = this.end;
      const offset = searched - this.start;
      if (!(await this.fill())) return -1;
      searched = this.start + offset;
    }
  }

  #read(): Promise<boolean> {
    if (this.#eof) return Promise.resolve(false);
    this.#makeRoom();
    const promise = this.#conn.read(this.buffer.subarray(this.end)).then(
      (bytes) => {
        this.#pending = undefined;
        if (bytes === null) return this.#ended();
        this.end += bytes;
        return true;
      },
      () => {
        this.#pending = undefined;
        return this.#ended();
      },
    );
    this.#pending = promise;
    return promise;
  }

  #ended(): false {
    this.#eof = true;
    const onEof = this.#onEof;
    this.#onEof = undefined;
    onEof?.();
    return false;
  }

  #makeRoom(): void {
    if (this.end < this.buffer.length) return;
    if (this.start > 0) {
      this.buffer.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      return;
    }
    if (this.buffer.length >= this.#maxBytes) {
      throw new HttpParseError(431, `Message needs more than ${this.#maxBytes} buffered bytes`);
    }
    const grown = new Uint8Array(Math.min(this.#maxBytes, this.buffer.length * 2));
    grown.set(this.buffer.subarray(0, this.end));
    this.buffer = grown;
  }
}
