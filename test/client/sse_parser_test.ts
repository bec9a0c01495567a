/**
 * Goal: SseParser splits streams into event data however the bytes are chunked; classifySseData
 * detects token events per dialect with the fast path agreeing with JSON.parse.
 * Method: feed a fixed stream in every split position and compare; classify hand-written payloads.
 */
import assert from "node:assert/strict";
import { SseParser } from "../../lib/client/sse_parser.ts";
import { classifySseData } from "../../lib/client/sse_event.ts";

const STREAM = 'data: {"a":1}\n\n: comment\n\nevent: x\ndata: line1\ndata: line2\n\ndata:[DONE]\n\n';

Deno.test("SseParser yields the same events for every split of the stream", () => {
  const expected = ['{"a":1}', "line1\nline2", "[DONE]"];
  for (let cut = 0; cut <= STREAM.length; cut++) {
    const parser = new SseParser();
    const got: string[] = [];
    parser.push(STREAM.slice(0, cut), (d) => got.push(d));
    parser.push(STREAM.slice(cut), (d) => got.push(d));
    assert.equal(parser.end((d) => got.push(d)), true);
    assert.deepEqual(got, expected, `cut at ${cut}`);
  }
});

Deno.test("SseParser accepts CRLF line ends and a final event without its blank line", () => {
  const parser = new SseParser();
  const got: string[] = [];
  parser.push('data: {"a":1}\r\n\r\ndata: [DONE]', (d) => got.push(d));
  parser.end((d) => got.push(d));
  assert.deepEqual(got, ['{"a":1}', "[DONE]"]);
});

Deno.test("classifySseData() detects sglang token events on chat and completions", () => {
  const chatToken = '{"choices":[{"index":0,"delta":{"content":"hi"}}]}';
  const chatRole = '{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}';
  const reasoning = '{"choices":[{"index":0,"delta":{"reasoning_content":"hm","content":null}}]}';
  const spaced = '{"choices": [{"index": 0, "delta": {"content": "hi"}}]}';
  const text = '{"choices":[{"index":0,"text":"\\"q"}]}';
  const emptyText = '{"choices":[{"index":0,"text":""}]}';
  const usage =
    '{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":3}}}';
  assert.deepEqual(classifySseData(chatToken, "chat", "sglang"), { kind: "data", token: true, usage: null });
  assert.deepEqual(classifySseData(chatRole, "chat", "sglang"), { kind: "data", token: false, usage: null });
  assert.deepEqual(classifySseData(chatRole, "chat", "vllm"), { kind: "data", token: true, usage: null });
  assert.deepEqual(classifySseData(reasoning, "chat", "sglang"), { kind: "data", token: true, usage: null });
  assert.deepEqual(classifySseData(spaced, "chat", "sglang"), { kind: "data", token: true, usage: null });
  assert.deepEqual(classifySseData(text, "completions", "sglang"), {
    kind: "data",
    token: true,
    usage: null,
  });
  assert.deepEqual(classifySseData(emptyText, "completions", "sglang"), {
    kind: "data",
    token: false,
    usage: null,
  });
  assert.deepEqual(classifySseData(usage, "completions", "sglang"), {
    kind: "data",
    token: false,
    usage: { promptTokens: 5, completionTokens: 2, cachedTokens: 3 },
  });
  const emptyReasoning = '{"choices":[{"index":0,"delta":{"reasoning_content":"","content":"x"}}]}';
  const reasoningKey = '{"choices":[{"index":0,"delta":{"reasoning":"r","content":""}}]}';
  const intent = '{"choices":[{"index":0,"delta":{"intent":"x","content":""}}]}';
  assert.deepEqual(classifySseData(emptyReasoning, "chat", "sglang"), {
    kind: "data",
    token: true,
    usage: null,
  });
  assert.deepEqual(classifySseData(reasoningKey, "chat", "sglang"), {
    kind: "data",
    token: true,
    usage: null,
  });
  assert.deepEqual(classifySseData(intent, "chat", "sglang"), { kind: "data", token: false, usage: null });
  assert.deepEqual(classifySseData("[DONE]", "chat", "sglang"), { kind: "done" });
  assert.equal(classifySseData("{oops", "chat", "sglang").kind, "malformed");
  assert.equal(classifySseData('{"error":{"message":"x"}}', "chat", "sglang").kind, "error");
});
