// Goal: Http1ConnectionPool reuses the most recently released connection (LIFO), opens new ones
// when none is idle or `fresh` is asked, never reuses one released as not reusable or with unread
// bytes, and drops an idle connection as soon as the server closes it.
// Method: a raw loopback listener that counts connections and can close them on demand.
import assert from "node:assert/strict";
import { Http1ConnectionPool } from "../../lib/http1/connection_pool.ts";

function listen() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  (async () => {
    for await (const conn of listener) accepted.push(conn);
  })().catch(() => {});
  const target = { hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port };
  return {
    target,
    accepted,
    close() {
      listener.close();
      for (const conn of accepted) {
        try {
          conn.close();
        } catch {
          // closed
        }
      }
    },
  };
}

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("Http1ConnectionPool reuses LIFO, opens fresh ones on demand, drops unreusable ones", async () => {
  const server = listen();
  const pool = new Http1ConnectionPool();
  try {
    const a = await pool.acquire(server.target);
    const b = await pool.acquire(server.target);
    assert.equal(a.reused, false);
    pool.release(a, true);
    pool.release(b, true);
    const again = await pool.acquire(server.target);
    assert.equal(again, b, "the last released comes first");
    assert.equal(again.reused, true);
    const fresh = await pool.acquire(server.target, true);
    assert.notEqual(fresh, a);
    pool.release(fresh, false);
    assert.equal(fresh.closed, true, "released as not reusable: closed");
    assert.equal(await pool.acquire(server.target), a);
    await tick();
    assert.equal(server.accepted.length, 3);
    assert.equal(pool.size, 2);
  } finally {
    pool.destroy();
    server.close();
  }
});

Deno.test("Http1ConnectionPool drops an idle connection the server closed", async () => {
  const server = listen();
  const pool = new Http1ConnectionPool();
  try {
    const a = await pool.acquire(server.target);
    pool.release(a, true);
    await tick();
    server.accepted[0]!.close();
    await tick();
    assert.equal(a.closed, true);
    assert.equal(pool.size, 0);
    const b = await pool.acquire(server.target);
    assert.notEqual(b, a);
    assert.equal(b.reused, false);
  } finally {
    pool.destroy();
    server.close();
  }
});

Deno.test("Http1ConnectionPool forgets a connection its user closed (no leak on aborts and timeouts)", async () => {
  const server = listen();
  const pool = new Http1ConnectionPool();
  try {
    const a = await pool.acquire(server.target);
    await pool.acquire(server.target);
    assert.equal(pool.size, 2);
    a.close();
    assert.equal(pool.size, 1);
  } finally {
    pool.destroy();
    assert.equal(pool.size, 0);
    server.close();
  }
});
