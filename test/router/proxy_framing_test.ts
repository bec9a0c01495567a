// Goal: the proxy forwards every way an HTTP/1.1 upstream may delimit its answer (Content-Length,
// chunked in many writes, until close), to HTTP/1.1 and HTTP/1.0 clients, byte for byte, reading
// the usage from the tail in each case; and a keep-alive connection the upstream dropped while
// idle is retried on a fresh connection without failing the request or the backend.
// Method: a raw TCP upstream on loopback that writes exact bytes per prompt; the router in front;
// fetch and a raw socket as clients; the decision log shows the usage the router read.
import assert from "node:assert/strict";
import { MemoryDecisionSink, serveRouter } from "../../lib/router/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const USAGE = '"usage":{"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}';
const SSE = [
  'data: {"choices":[{"text":" a"}]}\n\n',
  'data: {"choices":[{"text":" b"}]}\n\n',
  `data: {"choices":[],${USAGE}}\n\n`,
  "data: [DONE]\n\n",
];
const JSON_BODY = `{"choices":[{"text":" a b"}],${USAGE}}`;

/**
 * A raw upstream. Prompt `length`: JSON with Content-Length; `chunked`: the SSE events as chunks
 * in separate writes; `close`: SSE with no length, ended by closing. With `oneShot`, every
 * connection answers one request and closes on the next without answering (a stale keep-alive).
 */
function rawUpstream(options: { oneShot?: boolean } = {}) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const conns = new Set<Deno.Conn>();
  (async () => {
    for await (const conn of listener) {
      connections++;
      conns.add(conn);
      void serve(conn).finally(() => conns.delete(conn));
    }
  })().catch(() => {});
  async function serve(conn: Deno.Conn): Promise<void> {
    let text = "";
    const buffer = new Uint8Array(65536);
    let answered = 0;
    try {
      for (;;) {
        const headEnd = text.indexOf("\r\n\r\n");
        const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
        if (headEnd < 0 || text.length < headEnd + 4 + length) {
          const n = await conn.read(buffer);
          if (n === null) return;
          text += decoder.decode(buffer.subarray(0, n));
          continue;
        }
        const body = text.slice(headEnd + 4, headEnd + 4 + length);
        text = text.slice(headEnd + 4 + length);
        if (options.oneShot && answered > 0) return; // drop the request unanswered
        answered++;
        const prompt = body.includes("/health") ? "health" : JSON.parse(body || "{}").prompt;
        if (prompt === "length" || prompt === undefined) {
          await conn.write(encoder.encode(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${JSON_BODY.length}\r\n\r\n${JSON_BODY}`,
          ));
        } else if (prompt === "chunked") {
          await conn.write(
            encoder.encode(
              "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n",
            ),
          );
          for (const event of SSE) {
            await new Promise((resolve) => setTimeout(resolve, 2));
            await conn.write(encoder.encode(`${event.length.toString(16)}\r\n${event}\r\n`));
          }
          await conn.write(encoder.encode("0\r\n\r\n"));
        } else if (prompt === "close") {
          await conn.write(
            encoder.encode("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"),
          );
          for (const event of SSE) await conn.write(encoder.encode(event));
          return;
        }
      }
    } catch {
      // the router went away
    } finally {
      closeQuietly(conn);
    }
  }
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    get connections() {
      return connections;
    },
    close() {
      listener.close();
      for (const conn of conns) closeQuietly(conn);
    },
  };
}

/** Writes `text` to the router on a new connection and returns all it answers until it closes. */
async function exchangeRaw(port: number, text: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encoder.encode(text));
    let answer = "";
    const buffer = new Uint8Array(65536);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      answer += decoder.decode(buffer.subarray(0, n));
    }
    return answer;
  } finally {
    closeQuietly(conn);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

function routerFor(backend: string, decisionSink?: MemoryDecisionSink) {
  return serveRouter({ strategy: "round_robin", backends: [backend], decisionSink, healthIntervalS: 0 });
}

function post(prompt: string, stream = true): RequestInit {
  return { method: "POST", body: JSON.stringify({ model: "m", prompt, stream }) };
}

Deno.test("serveRouter() forwards Content-Length, chunked and close-delimited answers unchanged", async () => {
  const upstream = rawUpstream();
  const sink = new MemoryDecisionSink();
  const router = await routerFor(upstream.url, sink);
  try {
    for (let round = 0; round < 2; round++) {
      const length = await fetch(`${router.url}/v1/completions`, post("length", false));
      assert.equal(length.headers.get("content-length"), String(JSON_BODY.length));
      assert.equal(await length.text(), JSON_BODY);
      const chunked = await fetch(`${router.url}/v1/completions`, post("chunked"));
      assert.equal(chunked.headers.get("content-type"), "text/event-stream");
      assert.equal(await chunked.text(), SSE.join(""));
      const close = await fetch(`${router.url}/v1/completions`, post("close"));
      assert.equal(await close.text(), SSE.join(""));
    }
    assert.equal(sink.records.length, 6);
    for (const record of sink.records) {
      assert.equal(record.ok, true);
      assert.equal(record.cached_tokens, 4, "usage read from the tail");
      assert.equal(record.prompt_tokens, 5);
    }
    assert.ok(upstream.connections <= 4, `keep-alive reused (${upstream.connections} connections)`);
  } finally {
    await router.shutdown();
    upstream.close();
  }
});

Deno.test("serveRouter() answers an HTTP/1.0 client by decoding a chunked upstream and closing", async () => {
  const upstream = rawUpstream();
  const router = await routerFor(upstream.url);
  try {
    const body = JSON.stringify({ model: "m", prompt: "chunked", stream: true });
    const answer = await exchangeRaw(
      router.port,
      `POST /v1/completions HTTP/1.0\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    assert.match(answer, /^HTTP\/1\.0 200 OK\r\n/);
    assert.doesNotMatch(answer, /transfer-encoding/i);
    assert.match(answer, /connection: close/);
    assert.equal(answer.slice(answer.indexOf("\r\n\r\n") + 4), SSE.join(""));
  } finally {
    await router.shutdown();
    upstream.close();
  }
});

Deno.test("serveRouter() frames a close-delimited answer as chunks that end exactly, on a kept-alive client connection", async () => {
  const upstream = rawUpstream();
  const router = await routerFor(upstream.url);
  try {
    const request = (prompt: string, close: boolean) => {
      const body = JSON.stringify({ model: "m", prompt, stream: true });
      return `POST /v1/completions HTTP/1.1\r\ncontent-length: ${body.length}\r\n` +
        `${close ? "connection: close\r\n" : ""}\r\n${body}`;
    };
    const answer = await exchangeRaw(router.port, request("close", false) + request("length", true));
    const second = answer.indexOf("HTTP/1.1 200 OK", 1);
    const first = answer.slice(0, second);
    assert.match(first, /transfer-encoding: chunked/);
    const chunks = first.slice(first.indexOf("\r\n\r\n") + 4);
    assert.ok(
      chunks.endsWith("\r\n0\r\n\r\n"),
      `ends with the last chunk and nothing after: ${JSON.stringify(chunks.slice(-12))}`,
    );
    let data = "";
    for (let at = 0;;) {
      const sizeEnd = chunks.indexOf("\r\n", at);
      const size = parseInt(chunks.slice(at, sizeEnd), 16);
      if (size === 0) break;
      data += chunks.slice(sizeEnd + 2, sizeEnd + 2 + size);
      at = sizeEnd + 2 + size + 2;
    }
    assert.equal(data, SSE.join(""));
    assert.ok(answer.slice(second).endsWith(JSON_BODY));
  } finally {
    await router.shutdown();
    upstream.close();
  }
});

Deno.test("serveRouter() retries a dropped keep-alive connection on a fresh one", async () => {
  const upstream = rawUpstream({ oneShot: true });
  const sink = new MemoryDecisionSink();
  const router = await routerFor(upstream.url, sink);
  try {
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${router.url}/v1/completions`, post("length", false));
      assert.equal(response.status, 200);
      assert.equal(await response.text(), JSON_BODY);
    }
    assert.equal(sink.records.length, 4);
    assert.ok(sink.records.every((record) => record.ok));
    assert.equal(router.core.pool.healthyViews().length, 1, "the backend stays in rotation");
    assert.equal(upstream.connections, 4, "one fresh connection per request after each drop");
  } finally {
    await router.shutdown();
    upstream.close();
  }
});
