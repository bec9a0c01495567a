// Goal: UpstreamAgent, the proxy's keep-alive pool, reuses idle connections (LIFO), opens new ones
// only for concurrent requests, drops sockets the server closed or marked `Connection: close`, and
// closes everything on destroy(). Method: node:http requests through the agent to a raw TCP HTTP/1.1
// server (Deno.listen) that counts accepted connections and can close them on demand.
import assert from "node:assert/strict";
import * as http from "node:http";
import { UpstreamAgent } from "../../lib/router/upstream_agent.ts";
import { waitFor } from "./_upstream.ts";

interface RawServer {
  port: number;
  accepted: number;
  /** Closes every open connection from the server side. */
  dropAll(): void;
  close(): Promise<void>;
}

/** Answers every request on a connection with `ok`; `/close` answers with `Connection: close`. */
function rawServer(): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  const state = {
    port: (listener.addr as Deno.NetAddr).port,
    accepted: 0,
    dropAll() {
      for (const conn of conns) conn.close();
      conns.clear();
    },
    async close() {
      listener.close();
      state.dropAll();
      await Promise.allSettled(tasks);
    },
  };
  const serve = async (conn: Deno.Conn): Promise<void> => {
    const buffer = new Uint8Array(65536);
    let text = "";
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        text += new TextDecoder().decode(buffer.subarray(0, n));
        let end: number;
        while ((end = text.indexOf("\r\n\r\n")) >= 0) {
          const head = text.slice(0, end);
          const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
          if (text.length < end + 4 + length) break;
          text = text.slice(end + 4 + length);
          const close = head.startsWith("POST /close");
          await conn.write(new TextEncoder().encode(
            `HTTP/1.1 200 OK\r\ncontent-length: 2\r\n${close ? "connection: close\r\n" : ""}\r\nok`,
          ));
          if (close) {
            conns.delete(conn);
            conn.close();
            return;
          }
        }
      }
    } catch {
      // closed by dropAll()
    }
    if (conns.delete(conn)) conn.close();
  };
  (async () => {
    try {
      for await (const conn of listener) {
        state.accepted++;
        conns.add(conn);
        tasks.push(serve(conn));
      }
    } catch {
      // listener closed
    }
  })();
  return state;
}

function post(agent: UpstreamAgent, port: number, path = "/"): Promise<{ body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      agent: agent as unknown as http.Agent,
      hostname: "127.0.0.1",
      port,
      method: "POST",
      path,
      headers: ["host", `127.0.0.1:${port}`, "content-length", "2"],
    });
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.on("data", (chunk: Uint8Array) => body += new TextDecoder().decode(chunk));
      res.on("end", () => resolve({ body, reused: req.reusedSocket }));
      res.on("error", reject);
    });
    req.end("{}");
  });
}

Deno.test("UpstreamAgent reuses one connection for sequential requests and one per concurrent request", async () => {
  const server = rawServer();
  const agent = new UpstreamAgent();
  try {
    const first = await post(agent, server.port);
    assert.deepEqual(first, { body: "ok", reused: false });
    await waitFor(() => agent.idleCount() === 1, 1000, "socket back in the pool");
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await post(agent, server.port), { body: "ok", reused: true });
      await waitFor(() => agent.idleCount() === 1, 1000, "socket back in the pool");
    }
    assert.equal(server.accepted, 1);
    const concurrent = await Promise.all([0, 1, 2].map(() => post(agent, server.port)));
    assert.ok(concurrent.every((result) => result.body === "ok"));
    assert.equal(server.accepted, 3, "the idle socket plus two new ones");
    await waitFor(() => agent.idleCount() === 3, 1000, "all three idle");
  } finally {
    agent.destroy();
    await server.close();
  }
});

Deno.test("UpstreamAgent drops sockets the server closed or answered with Connection: close", async () => {
  const server = rawServer();
  const agent = new UpstreamAgent();
  try {
    await post(agent, server.port);
    await waitFor(() => agent.idleCount() === 1, 1000, "socket idle");
    server.dropAll();
    await waitFor(() => agent.idleCount() === 0, 1000, "closed idle socket dropped");
    assert.deepEqual(await post(agent, server.port), { body: "ok", reused: false });
    assert.equal(server.accepted, 2);

    await waitFor(() => agent.idleCount() === 1, 1000, "socket idle");
    assert.equal((await post(agent, server.port, "/close")).body, "ok");
    await waitFor(() => agent.idleCount() === 0, 1000, "Connection: close socket not pooled");
    assert.deepEqual(await post(agent, server.port), { body: "ok", reused: false });
    assert.equal(server.accepted, 3);
  } finally {
    agent.destroy();
    await server.close();
  }
});
