// Goal: HTTP/1.1 framing parsed as RFC 9112 says: heads found across any split, request and status
// lines and headers read (names lower-cased, values trimmed, framing and keep-alive derived),
// malformed input rejected with the status a server answers, and chunked bodies decoded whatever
// the read boundaries (every split point of a body with extensions and trailers).
// Method: byte strings written by hand; the chunked decoder fed the same body cut at every offset.
import assert from "node:assert/strict";
import {
  ChunkedDecoder,
  findHeadEnd,
  headerValue,
  HttpParseError,
  latin1,
  latin1Bytes,
  parseRequestHead,
  parseResponseHead,
} from "../../lib/http1/parse.ts";

const bytes = (text: string) => latin1Bytes(text);

Deno.test("findHeadEnd() finds the blank line whatever the split, CRLF or bare LF", () => {
  const head = bytes("GET / HTTP/1.1\r\nhost: x\r\n\r\nBODY");
  assert.equal(findHeadEnd(head, 0, head.length), head.length - 4);
  for (let end = 0; end < head.length - 4; end++) assert.equal(findHeadEnd(head, 0, end), -1, `end ${end}`);
  // resuming from where the last search stopped still finds a terminator straddling the boundary
  assert.equal(findHeadEnd(head, 0, head.length, head.length - 6), head.length - 4);
  const bare = bytes("GET / HTTP/1.1\nhost: x\n\nBODY");
  assert.equal(findHeadEnd(bare, 0, bare.length), bare.length - 4);
});

Deno.test("parseRequestHead() reads method, target, headers and framing", () => {
  const text = "POST /v1/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length:  12 \r\n" +
    "X-Request-Id: r1\r\nExpect: 100-continue\r\n\r\n";
  const head = parseRequestHead(bytes(text), 0, text.length);
  assert.equal(head.method, "POST");
  assert.equal(head.target, "/v1/completions?x=1");
  assert.equal(head.minorVersion, 1);
  assert.equal(head.contentLength, 12);
  assert.equal(head.chunked, false);
  assert.equal(head.keepAlive, true);
  assert.equal(head.expectContinue, true);
  assert.equal(head.headBytes, text.length);
  assert.equal(headerValue(head.headers, "x-request-id"), "r1");
  assert.deepEqual(head.headers.slice(0, 2), ["host", "a"]);

  const chunked =
    "POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\nconnection: close\r\n\r\n";
  const c = parseRequestHead(bytes(chunked), 0, chunked.length);
  assert.equal(c.chunked, true);
  assert.equal(c.contentLength, undefined, "chunked wins over Content-Length");
  assert.equal(c.keepAlive, false);

  const old = "GET / HTTP/1.0\r\n\r\n";
  assert.equal(parseRequestHead(bytes(old), 0, old.length).keepAlive, false);
  const oldKeep = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
  assert.equal(parseRequestHead(bytes(oldKeep), 0, oldKeep.length).keepAlive, true);
});

Deno.test("parseRequestHead() rejects malformed heads with the status to answer", () => {
  const cases: [string, number, RegExp][] = [
    ["GARBAGE\r\n\r\n", 400, /request line/],
    ["GET / HTTP/2.0\r\n\r\n", 505, /HTTP version/],
    ["GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400, /header line/],
    ["GET / HTTP/1.1\r\ncontent-length: -1\r\n\r\n", 400, /Content-Length/],
    ["GET / HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n", 400, /Content-Length/],
    ["GET / HTTP/1.1\r\ntransfer-encoding: gzip\r\n\r\n", 501, /Transfer-Encoding/],
  ];
  for (const [text, status, message] of cases) {
    assert.throws(() => parseRequestHead(bytes(text), 0, text.length), (error: unknown) => {
      assert.ok(error instanceof HttpParseError, text);
      assert.equal(error.status, status, text);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("parseResponseHead() reads status, reason and framing; rejects a bad status line", () => {
  const text = "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n";
  const head = parseResponseHead(bytes(text), 0, text.length);
  assert.equal(head.status, 404);
  assert.equal(head.reason, "Not Found");
  assert.equal(head.contentLength, 7);
  assert.equal(head.keepAlive, true);
  const bad = "HTTP/1.1 abc\r\n\r\n";
  assert.throws(() => parseResponseHead(bytes(bad), 0, bad.length), HttpParseError);
});

Deno.test("ChunkedDecoder decodes a body split at every offset and stops at its end", () => {
  const wire = "5;ext=1\r\nhello\r\n1A\r\n" + "abcdefghijklmnopqrstuvwxyz" +
    "\r\n0\r\nx-trailer: 1\r\n\r\nNEXT";
  const input = bytes(wire);
  for (let split = 0; split <= input.length; split++) {
    const decoder = new ChunkedDecoder();
    let out = "";
    const onData = (piece: Uint8Array) => out += latin1(piece, 0, piece.length);
    const bodyEnd = input.length - 4;
    const used1 = decoder.decode(input, 0, split, onData);
    assert.equal(used1, Math.min(split, bodyEnd), `split ${split}`);
    const used2 = decoder.decode(input, used1, input.length, onData);
    assert.equal(decoder.done, true);
    assert.equal(used1 + used2, bodyEnd, "stops before the next message");
    assert.equal(out, "helloabcdefghijklmnopqrstuvwxyz", `split ${split}`);
  }
});

Deno.test("ChunkedDecoder rejects a bad size and data longer than its size", () => {
  assert.throws(() => new ChunkedDecoder().decode(bytes("zz\r\n"), 0, 4, () => {}), HttpParseError);
  assert.throws(
    () => new ChunkedDecoder().decode(bytes("1\r\nab\r\n"), 0, 7, () => {}),
    /longer than its size/,
  );
  assert.throws(() => new ChunkedDecoder().decode(bytes("\r\n"), 0, 2, () => {}), /no digits/);
});

Deno.test("latin1Bytes() and latin1() round-trip every byte value", () => {
  const all = new Uint8Array(256).map((_, i) => i);
  assert.deepEqual(latin1Bytes(latin1(all, 0, all.length)), all);
  assert.deepEqual(latin1Bytes("abc"), new Uint8Array([97, 98, 99]));
});
