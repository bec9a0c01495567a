/**
 * Keep-alive TCP connections to a few fixed upstreams, reused last-in-first-out (the most recently
 * used connection is the warmest). An idle connection is watched for the server closing it
 * (uvicorn closes idle keep-alive connections after 5 s) and dropped when it does; one found
 * stale anyway shows up as end of stream before any response byte, which callers retry on a
 * fresh connection.
 * @module
 */
import { ConnReader } from "./conn_reader.ts";

/** Where an upstream listens. */
export interface UpstreamTarget {
  hostname: string;
  port: number;
}

/** One pooled connection with its read buffer. */
export class UpstreamConnection {
  readonly conn: Deno.TcpConn;
  readonly reader: ConnReader;
  /** It served an earlier exchange (so a failure before any answer may just mean it went stale). */
  reused = false;
  #closed = false;

  readonly #onClose: (connection: UpstreamConnection) => void;

  /** @internal made by the pool, which `onClose` tells when the connection is closed by anyone. */
  constructor(conn: Deno.TcpConn, readonly key: string, onClose: (connection: UpstreamConnection) => void) {
    this.conn = conn;
    this.#onClose = onClose;
    this.reader = new ConnReader(conn, 64 * 1024, 16 * 1024 * 1024);
  }

  /** Closed by either side. */
  get closed(): boolean {
    return this.#closed || this.reader.eof;
  }

  /** Writes all of `bytes`; throws when the connection fails. */
  async write(bytes: Uint8Array): Promise<void> {
    for (let offset = 0; offset < bytes.length;) {
      offset += await this.conn.write(offset === 0 ? bytes : bytes.subarray(offset));
    }
  }

  /** Closes the connection (a pending read then ends as end of stream). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose(this);
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** LIFO keep-alive pools, one per `host:port`. */
export class Http1ConnectionPool {
  readonly #idle = new Map<string, UpstreamConnection[]>();
  readonly #all = new Set<UpstreamConnection>();
  readonly #maxIdlePerTarget: number;
  #destroyed = false;

  /** `maxIdlePerTarget` bounds the idle connections kept per upstream (extra ones are closed). */
  constructor(options: { maxIdlePerTarget?: number } = {}) {
    this.#maxIdlePerTarget = options.maxIdlePerTarget ?? 1024;
  }

  /** An idle connection to `target`, or a new one. Throws what `Deno.connect` throws. */
  async acquire(target: UpstreamTarget, fresh = false): Promise<UpstreamConnection> {
    const key = `${target.hostname}:${target.port}`;
    const idle = this.#idle.get(key);
    while (!fresh && idle !== undefined && idle.length > 0) {
      const connection = idle.pop()!;
      if (connection.closed) continue;
      connection.reader.watchEof(undefined);
      connection.reused = true;
      return connection;
    }
    if (this.#destroyed) throw new Error("Connection pool is closed");
    const conn = await Deno.connect({ hostname: target.hostname, port: target.port });
    conn.setNoDelay(true);
    const connection = new UpstreamConnection(conn, key, (closed) => this.#all.delete(closed));
    this.#all.add(connection);
    return connection;
  }

  /**
   * Returns a connection whose exchange ended cleanly with the connection reusable; anything
   * else (or unread bytes left over) is closed.
   */
  release(connection: UpstreamConnection, reusable: boolean): void {
    let idle = this.#idle.get(connection.key);
    if (
      !reusable || this.#destroyed || connection.closed || connection.reader.available > 0 ||
      (idle?.length ?? 0) >= this.#maxIdlePerTarget
    ) {
      connection.close();
      return;
    }
    if (idle === undefined) this.#idle.set(connection.key, idle = []);
    idle.push(connection);
    connection.reader.watchEof(() => {
      const index = idle.indexOf(connection);
      if (index >= 0) idle.splice(index, 1);
      connection.close();
    });
  }

  /** Open connections (idle and in use). */
  get size(): number {
    return this.#all.size;
  }

  /** Closes every connection; later `acquire` calls throw. */
  destroy(): void {
    this.#destroyed = true;
    for (const connection of [...this.#all]) connection.close();
    this.#idle.clear();
  }
}
