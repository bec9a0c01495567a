/**
 * A minimal keep-alive agent for node:http requests to a few fixed backends: LIFO free lists per
 * `host:port`, no per-request socket options (node's Agent sets keep-alive, ref/unref and
 * timeouts on every reuse), no queueing (sockets are unlimited). It implements the duck-typed part
 * of node's Agent that `http.request` uses: `addRequest(req, options)` hands the request a socket
 * through `req.onSocket`; the request emits `free` on the socket when its response has ended with
 * the connection reusable.
 * @module
 */
import * as net from "node:net";
import type * as http from "node:http";

interface AgentRequestOptions {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
}

/** A LIFO keep-alive socket pool usable as `agent` in `http.request` options. */
export class UpstreamAgent {
  /** Read by node's ClientRequest: keep connections open after each response. */
  readonly keepAlive = true;
  readonly maxSockets = Infinity;
  readonly defaultPort = 80;
  readonly protocol = "http:";
  readonly options: Record<string, unknown> = {};
  readonly #free = new Map<string, net.Socket[]>();
  readonly #all = new Set<net.Socket>();
  #destroyed = false;

  /** Called by `http.request`: gives `req` an idle socket to its host, or a new one. */
  addRequest(req: http.ClientRequest, options: AgentRequestOptions): void {
    const host = options.hostname ?? options.host ?? "localhost";
    const port = Number(options.port ?? 80);
    const key = `${host}:${port}`;
    const free = this.#free.get(key);
    while (free !== undefined && free.length > 0) {
      const socket = free.pop()!;
      if (socket.destroyed || !socket.writable) continue;
      (req as { reusedSocket: boolean }).reusedSocket = true;
      req.onSocket(socket);
      return;
    }
    const socket = net.createConnection({ host, port, noDelay: true });
    this.#all.add(socket);
    // Errors while idle would otherwise be uncaught; while in use the request's own listener reports them.
    socket.on("error", () => {});
    socket.on("free", () => {
      if (this.#destroyed || socket.destroyed) return;
      let list = this.#free.get(key);
      if (list === undefined) this.#free.set(key, list = []);
      list.push(socket);
    });
    socket.on("close", () => {
      this.#all.delete(socket);
      const list = this.#free.get(key);
      const index = list?.lastIndexOf(socket) ?? -1;
      if (index >= 0) list!.splice(index, 1);
    });
    if (this.#destroyed) socket.destroy();
    req.onSocket(socket);
  }

  /** Idle sockets by `host:port` (tests). */
  idleCount(): number {
    let count = 0;
    for (const list of this.#free.values()) count += list.length;
    return count;
  }

  /** Closes every socket, idle or in use. */
  destroy(): void {
    this.#destroyed = true;
    for (const socket of this.#all) socket.destroy();
    this.#all.clear();
    this.#free.clear();
  }
}
