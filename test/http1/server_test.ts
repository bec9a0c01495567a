// Goal: serveHttp1 speaks HTTP/1.1 to real clients over real sockets: keep-alive and pipelined
// requests answered in order, Expect: 100-continue, chunked request bodies, HTTP/1.0 closes,
// oversized / malformed requests answered with 4xx and the connection closed while the server
// goes on, a handler that throws gives 500, a client going away mid-response is reported, and
// fetch works against it. Method: a raw TCP client on loopback writing exact bytes.
import assert from "node:assert/strict";
import { chunkFrame, type Http1Handler, serveHttp1 } from "../../lib/http1/server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Echo handler: answers with method, path, query and body; `/stream` streams until told to stop. */
function echoServer(extra: Partial<Parameters<typeof serveHttp1>[0]> = {}, handler?: Http1Handler) {
  return serveHttp1(
    { maxBodyBytes: 1000, ...extra },
    handler ?? (async (request, response) => {
      if (request.path === "/throw") throw new Error("boom");
      const text = `${request.method} ${request.path} ${request.query} ${decoder.decode(request.body)}`;
      await response.send(200, ["content-type", "text/plain"], text);
    }),
  );
}

/** Writes `text` to a fresh connection and reads until the server closes it or `until` matches. */
async function talk(port: number, text: string | string[], until?: RegExp): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const parts = Array.isArray(text) ? text : [text];
  let received = "";
  const buffer = new Uint8Array(65536);
  try {
    for (const [index, part] of parts.entries()) {
      await conn.write(encoder.encode(part));
      if (index < parts.length - 1) {
        // wait for an interim answer before the next part (Expect: 100-continue)
        const n = await conn.read(buffer);
        received += decoder.decode(buffer.subarray(0, n ?? 0));
      }
    }
    for (;;) {
      if (until !== undefined && until.test(received)) break;
      const n = await conn.read(buffer);
      if (n === null) break;
      received += decoder.decode(buffer.subarray(0, n));
    }
  } finally {
    try {
      conn.close();
    } catch {
      // closed
    }
  }
  return received;
}

Deno.test("serveHttp1() answers pipelined keep-alive requests in order on one connection", async () => {
  const server = echoServer();
  try {
    const one = "POST /a?q=1 HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc";
    const two = "GET /b HTTP/1.1\r\nhost: x\r\n\r\n";
    const three = "POST /c HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nconnection: close\r\n\r\nzz";
    const answer = await talk(server.port, one + two + three);
    const bodies = answer.split("HTTP/1.1 200 OK").slice(1).map((part) => part.split("\r\n\r\n")[1]);
    assert.deepEqual(bodies, ["POST /a ?q=1 abc", "GET /b  ", "POST /c  zz"]);
    assert.match(answer, /connection: close\r\n\r\nPOST \/c/, "the last answer says it closes");
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() sends 100 Continue and reads chunked request bodies", async () => {
  const server = echoServer();
  try {
    const head =
      "POST /e HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n";
    const answer = await talk(server.port, [head, "body"]);
    assert.match(answer, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    assert.match(answer, /POST \/e {2}body$/);
    const chunked = "POST /c HTTP/1.1\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n" +
      "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
    assert.match(await talk(server.port, chunked), /POST \/c {2}abcde$/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() answers HTTP/1.0 and closes; fetch reads it", async () => {
  const server = echoServer();
  try {
    const answer = await talk(server.port, "GET /old HTTP/1.0\r\n\r\n");
    assert.match(answer, /^HTTP\/1\.0 200 OK\r\n/);
    assert.match(answer, /connection: close/);
    const response = await fetch(`http://127.0.0.1:${server.port}/f?z`, { method: "POST", body: "hi" });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "POST /f ?z hi");
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() rejects oversized and malformed requests, closes, and serves the next client", async () => {
  const rejected: number[] = [];
  const server = echoServer({ maxHeadBytes: 200, onRejected: (status) => rejected.push(status) });
  try {
    const big = await talk(server.port, "POST / HTTP/1.1\r\ncontent-length: 5000\r\n\r\n");
    assert.match(big, /^HTTP\/1\.1 413 .*\r\n[\s\S]*connection: close[\s\S]*exceeds the limit of 1000 bytes/);
    const chunkedBig = await talk(
      server.port,
      "POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n" + `7d0\r\n${"x".repeat(2000)}\r\n0\r\n\r\n`,
    );
    assert.match(chunkedBig, /^HTTP\/1\.1 413 /);
    const longHead = await talk(server.port, `GET / HTTP/1.1\r\nx-long: ${"y".repeat(400)}\r\n\r\n`);
    assert.match(longHead, /^HTTP\/1\.1 431 /);
    assert.match(await talk(server.port, "NONSENSE\r\n\r\n"), /^HTTP\/1\.1 400 [\s\S]*request line/);
    assert.match(
      await talk(server.port, "GET / HTTP/1.1\r\ntransfer-encoding: br\r\n\r\n"),
      /^HTTP\/1\.1 501 /,
    );
    assert.deepEqual(rejected, [413, 413, 431, 400, 501]);
    assert.match(await talk(server.port, "GET /ok HTTP/1.1\r\nconnection: close\r\n\r\n"), /GET \/ok/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() turns a throwing handler into a 500", async () => {
  const server = echoServer();
  try {
    const answer = await talk(server.port, "GET /throw HTTP/1.1\r\nconnection: close\r\n\r\n");
    assert.match(answer, /^HTTP\/1\.1 500 [\s\S]*boom/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() reports a client that goes away mid-response; writes then resolve false", async () => {
  let closedSeen!: () => void;
  const closed = new Promise<void>((resolve) => closedSeen = resolve);
  let writeAfterClose: boolean | undefined;
  const server = serveHttp1({ maxBodyBytes: 100 }, async (_request, response) => {
    response.onClientClose(() => closedSeen());
    await response.start(
      200,
      "",
      ["content-type", "text/event-stream"],
      "chunked",
      chunkFrame(encoder.encode("a")),
    );
    await closed;
    writeAfterClose = await response.write(chunkFrame(encoder.encode("b")));
    response.end();
  });
  try {
    const answer = await talk(server.port, "GET /s HTTP/1.1\r\n\r\n", /\r\n1\r\na\r\n$/);
    assert.match(answer, /transfer-encoding: chunked/);
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(writeAfterClose, false);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() shutdown() closes idle keep-alive connections", async () => {
  const server = echoServer();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(encoder.encode("GET / HTTP/1.1\r\n\r\n"));
  const buffer = new Uint8Array(4096);
  assert.ok((await conn.read(buffer))! > 0);
  await server.shutdown();
  assert.equal(await conn.read(buffer).catch(() => null), null, "the idle connection was closed");
  conn.close();
});
