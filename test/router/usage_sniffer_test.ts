// Goal: the proxy reads the engine's usage from the tail of the bytes it forwards: TailBuffer keeps
// copies of the last capacity bytes across chunk boundaries, multi-byte characters split between
// chunks decode intact, and findUsage reads the last usage object of an SSE stream or JSON body.
// Method: SSE bodies like the engine's, cut into chunks of several sizes.
import assert from "node:assert/strict";
import { TailBuffer } from "../../lib/router/usage_sniffer.ts";
import { findUsage } from "../../lib/router/mod.ts";
import { sseBody } from "./_upstream.ts";

const encoder = new TextEncoder();

function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

Deno.test("TailBuffer.text() is a suffix of the stream at least capacity bytes long", () => {
  const text = sseBody(64);
  const bytes = encoder.encode(text);
  for (const size of [64, 100, 333, 5000, bytes.length]) {
    const tail = new TailBuffer(2048);
    for (const piece of pieces(bytes, size)) tail.push(piece);
    const kept = tail.text();
    assert.ok(text.endsWith(kept), `suffix with ${size}-byte chunks`);
    assert.ok(kept.length >= Math.min(2048, text.length), `≥ 2048 chars with ${size}-byte chunks`);
  }
  assert.equal(new TailBuffer().text(), "");
});

Deno.test("TailBuffer keeps copies: reusing a pushed buffer does not change the tail; clear() empties it", () => {
  const buffer = new Uint8Array(100);
  const tail = new TailBuffer(150);
  let expected = "";
  for (const letter of "abcd") {
    buffer.fill(letter.charCodeAt(0));
    tail.push(buffer.subarray(0, 60));
    expected += letter.repeat(60);
  }
  assert.equal(tail.text(), expected.slice(-150));
  tail.clear();
  tail.push(encoder.encode("xy"));
  assert.equal(tail.text(), "xy");
});

Deno.test("TailBuffer.text() decodes a character split between chunks", () => {
  const bytes = encoder.encode('data: {"text":"café ✓"}\n\n');
  const tail = new TailBuffer();
  for (const piece of pieces(bytes, 3)) tail.push(piece);
  assert.equal(tail.text(), 'data: {"text":"café ✓"}\n\n');
});

Deno.test("findUsage() reads the usage of an SSE stream from its tail, and of a JSON body", () => {
  const bytes = encoder.encode(sseBody(64, 7));
  for (const size of [80, 1000, bytes.length]) {
    const tail = new TailBuffer();
    for (const piece of pieces(bytes, size)) tail.push(piece);
    assert.deepEqual(findUsage(tail.text()), { promptTokens: 10, completionTokens: 64, cachedTokens: 7 });
  }
  assert.deepEqual(findUsage(new TextDecoder().decode(bytes.subarray(-512))), {
    promptTokens: 10,
    completionTokens: 64,
    cachedTokens: 7,
  });
  const json = JSON.stringify({
    choices: [{ text: 'a "usage": {} inside a string' }],
    usage: { prompt_tokens: 4, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 2 } },
  });
  assert.deepEqual(findUsage(json), { promptTokens: 4, completionTokens: 1, cachedTokens: 2 });
  assert.equal(findUsage('data: {"choices":[]}\n\ndata: [DONE]\n\n'), undefined);
});
