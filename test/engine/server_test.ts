// Goal: the real engine server honours the HTTP contract routers and the load generator rely on.
// Method: start serveEngine on a free port (high speedup so tests are fast), talk to it with fetch,
// and check SSE framing, usage with cached_tokens, prefix-cache speedups, errors and /metrics.
import assert from "node:assert/strict";
import { serveEngine } from "../../lib/engine/mod.ts";
import { parsePrometheusText } from "../../lib/prom/mod.ts";

interface SseResult {
  events: unknown[];
  done: boolean;
  firstChoiceMs: number;
}

async function streamSse(url: string, body: unknown): Promise<SseResult> {
  const start = performance.now();
  const response = await fetch(url, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  const text = await response.text();
  const blocks = text.split("\n\n").filter((block) => block !== "");
  const events: unknown[] = [];
  let done = false;
  let firstChoiceMs = -1;
  for (const block of blocks) {
    assert.ok(block.startsWith("data: "), `bad SSE block ${block}`);
    const data = block.slice(6);
    assert.equal(done, false, "event after [DONE]");
    if (data === "[DONE]") {
      done = true;
      continue;
    }
    events.push(JSON.parse(data));
  }
  firstChoiceMs = performance.now() - start;
  return { events, done, firstChoiceMs };
}

Deno.test("serveEngine() streams chat with a role chunk, content, usage with cached_tokens and [DONE]", async () => {
  const server = await serveEngine({ port: 0, speedupRatio: 50, model: "m" });
  try {
    const body = {
      model: "m",
      messages: [{ role: "user", content: "Tell me a story about the sea ".repeat(20) }],
      max_completion_tokens: 6,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    };
    const first = await streamSse(`${server.url}/v1/chat/completions`, body);
    assert.equal(first.done, true);
    const chunks = first.events as Array<
      {
        object: string;
        choices: Array<{ delta: { role?: string; content?: string }; finish_reason: string | null }>;
        usage?: Record<string, unknown>;
      }
    >;
    assert.equal(chunks[0]!.choices[0]!.delta.role, "assistant");
    assert.equal(chunks[0]!.choices[0]!.delta.content, "");
    const content = chunks.filter((c) => c.choices.length > 0 && c.choices[0]!.delta.role === undefined);
    assert.equal(content.length, 6);
    assert.equal(content[5]!.choices[0]!.finish_reason, "length");
    const usage = chunks[chunks.length - 1]!;
    assert.deepEqual(usage.choices, []);
    const promptTokens = (usage.usage as { prompt_tokens: number }).prompt_tokens;
    assert.deepEqual(usage.usage, {
      prompt_tokens: promptTokens,
      total_tokens: promptTokens + 6,
      completion_tokens: 6,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    const second = await streamSse(`${server.url}/v1/chat/completions`, body);
    const usage2 = (second.events[second.events.length - 1] as {
      usage: { prompt_tokens_details: { cached_tokens: number } };
    }).usage;
    assert.equal(usage2.prompt_tokens_details.cached_tokens, Math.floor((promptTokens - 1) / 16) * 16);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveEngine() answers bad requests with vLLM's error shape and 4xx", async () => {
  const server = await serveEngine({ port: 0, speedupRatio: 50, model: "m" });
  try {
    const cases: Array<[string, string, number]> = [
      ["/v1/completions", "{not json", 400],
      ["/v1/completions", JSON.stringify({ prompt: "hi", max_tokens: 0 }), 400],
      ["/v1/completions", JSON.stringify({ prompt: "hi", max_tokens: 10_000_000 }), 400],
      ["/v1/completions", JSON.stringify({ model: "other", prompt: "hi" }), 404],
      ["/v1/chat/completions", JSON.stringify({ messages: [] }), 400],
    ];
    for (const [path, body, status] of cases) {
      const response = await fetch(`${server.url}${path}`, { method: "POST", body });
      const json = await response.json();
      assert.equal(response.status, status, body);
      assert.equal(json.error.code, status);
      assert.equal(typeof json.error.message, "string");
    }
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
    const models = await (await fetch(`${server.url}/v1/models`)).json();
    assert.equal(models.data[0].id, "m");
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveEngine() /metrics counts the tokens the client received", async () => {
  const server = await serveEngine({ port: 0, speedupRatio: 50, model: "m" });
  try {
    let completion = 0;
    let prompt = 0;
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${server.url}/v1/completions`, {
        method: "POST",
        body: JSON.stringify({ prompt: `request ${i} about things`, max_tokens: 20 }),
      });
      const json = await response.json();
      completion += json.usage.completion_tokens;
      prompt += json.usage.prompt_tokens;
    }
    const samples = parsePrometheusText(await (await fetch(`${server.url}/metrics`)).text());
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    assert.equal(value("vllm:generation_tokens_total", { model_name: "m", engine: "0" }), completion);
    assert.equal(value("vllm:prompt_tokens_total"), prompt);
    assert.equal(value("vllm:request_success_total"), 3);
    assert.equal(value("vllm:num_requests_running"), 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveEngine() listens only after the modelled startup delay (divided by the speedup)", async () => {
  const start = performance.now();
  const server = await serveEngine({ port: 0, startupDelayS: 2, speedupRatio: 10 });
  try {
    assert.ok(performance.now() - start >= 190, `ready after ${performance.now() - start} ms`);
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveEngine() streams many requests at once whole, with ASCII and non-ASCII model names", async () => {
  // Streams with output in the same turn are written with one encode; a non-ASCII name takes the
  // per-stream path. Either way every stream must carry exactly its own chunks.
  for (const model of ["ascii-model", "mödel-ü"]) {
    const server = await serveEngine({ model, speedupRatio: 50, warmUpRequests: 0 });
    try {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          streamSse(`${server.url}/v1/completions`, {
            model,
            prompt: `stream ${i} `.repeat(20),
            max_tokens: 10 + i,
            ignore_eos: true,
            stream: true,
            stream_options: { include_usage: true },
          })),
      );
      results.forEach((result, i) => {
        assert.ok(result.done, `stream ${i} ended with [DONE]`);
        const chunks = result.events as Array<
          { model: string; choices: unknown[]; usage?: { completion_tokens: number } }
        >;
        assert.ok(chunks.every((chunk) => chunk.model === model));
        assert.equal(chunks.filter((chunk) => chunk.choices.length > 0).length, 10 + i);
        assert.equal(chunks.at(-1)!.usage!.completion_tokens, 10 + i);
      });
    } finally {
      await server.shutdown();
    }
  }
});
