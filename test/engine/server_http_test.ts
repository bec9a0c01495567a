// Goal: behaviour that only shows through the real server: the official `openai` client streams from
// it, a disconnecting client frees its request and KV blocks, /kv_events mirrors the cache with the
// block hashes routers compute, /tokenize and /reset_prefix_cache work, KV pressure never fails a
// request, and a repeated prompt's TTFT falls in real time. Method: serveEngine on port 0, real HTTP.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { blockHashes } from "../../lib/core/block_hash.ts";
import { tokenize } from "../../lib/core/tokens.ts";
import { chatPromptText, type EngineServer, serveEngine } from "../../lib/engine/mod.ts";
import { parsePrometheusText } from "../../lib/prom/mod.ts";

async function withServer(
  options: Parameters<typeof serveEngine>[0],
  fn: (server: EngineServer) => Promise<void>,
): Promise<void> {
  const server = await serveEngine({ port: 0, model: "m", ...options });
  try {
    await fn(server);
  } finally {
    await server.shutdown();
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("serveEngine() streams to the official openai client (chat and completions)", async () => {
  await withServer({ speedupRatio: 100 }, async (server) => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused" });
    const params = {
      model: "m",
      messages: [{ role: "user", content: "Say something." }],
      max_completion_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
      ignore_eos: true, // vLLM extension
    } as OpenAI.ChatCompletionCreateParamsStreaming;
    const chat = await client.chat.completions.create(params);
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of chat) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.equal(finish, "length");
    assert.equal(usage?.completion_tokens, 8);
    assert.equal(countWords(text), 8);
    const completion = await client.completions.create({
      model: "m",
      prompt: "Once upon a time",
      max_tokens: 5,
      stream: false,
    });
    assert.equal(
      completion.usage?.completion_tokens,
      completion.choices[0]!.finish_reason === "length" ? 5 : completion.usage?.completion_tokens,
    );
    assert.equal(completion.usage?.prompt_tokens_details?.cached_tokens, 0);
  });
});

function countWords(text: string): number {
  return text.split(" ").filter((word) => word !== "").length;
}

Deno.test("serveEngine() a client that disconnects mid-stream frees its request and blocks", async () => {
  await withServer({ speedupRatio: 1 }, async (server) => {
    const total = server.core.snapshot().freeBlocks;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/completions`, {
      method: "POST",
      body: JSON.stringify({
        prompt: "a long story ".repeat(300),
        max_tokens: 5000,
        ignore_eos: true,
        stream: true,
      }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    assert.equal(server.core.snapshot().running, 1);
    assert.ok(server.core.snapshot().freeBlocks < total);
    controller.abort();
    await reader.cancel().catch(() => {});
    await waitFor(() => server.core.idle, "the aborted request to leave the engine");
    assert.equal(server.core.snapshot().freeBlocks, total);
    const metrics = parsePrometheusText(server.core.renderMetrics());
    assert.equal(
      metrics.find((s) => s.name === "vllm:request_success_total" && s.labels.finished_reason === "abort")
        ?.value,
      1,
    );
  });
});

Deno.test("serveEngine() /kv_events streams stored blocks with the router-visible hashes, and cleared on reset", async () => {
  await withServer({ speedupRatio: 100 }, async (server) => {
    const events = await fetch(`${server.url}/kv_events`);
    assert.equal(events.headers.get("content-type"), "application/x-ndjson");
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const lines: Array<Record<string, unknown>> = [];
    const readUntil = async (predicate: () => boolean) => {
      while (!predicate()) {
        const { value, done } = await reader.read();
        if (done) throw new Error("kv_events ended");
        buffer += value;
        const parts = buffer.split("\n");
        buffer = parts.pop()!;
        for (const part of parts) lines.push(JSON.parse(part));
      }
    };
    await readUntil(() => lines.length >= 1);
    assert.equal(lines[0]!.type, "cleared");
    const messages = [{ role: "system", content: "You are terse. ".repeat(20) }, {
      role: "user",
      content: "Hello",
    }];
    await (await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ messages, max_tokens: 3 }),
    })).json();
    const expected = blockHashes(tokenize(chatPromptText(messages)), 16);
    await readUntil(() =>
      lines.filter((l) => l.type === "stored").flatMap((l) => l.block_hashes as number[]).length >=
        expected.length
    );
    const stored = lines.filter((l) => l.type === "stored");
    assert.deepEqual(stored.flatMap((l) => l.block_hashes as number[]).slice(0, expected.length), expected);
    assert.equal(stored[0]!.parent_hash, null);
    assert.equal(typeof stored[0]!.engine_time_ms, "number");
    const tokenized =
      await (await fetch(`${server.url}/tokenize`, { method: "POST", body: JSON.stringify({ messages }) }))
        .json();
    assert.deepEqual(tokenized.tokens, tokenize(chatPromptText(messages)));
    assert.equal(tokenized.count, tokenized.tokens.length);
    const reset = await fetch(`${server.url}/reset_prefix_cache`, { method: "POST" });
    assert.equal(reset.status, 200);
    await reset.body?.cancel();
    await readUntil(() => lines[lines.length - 1]!.type === "cleared" && lines.length > 1);
    assert.equal(server.core.snapshot().cachedBlocks, 0);
    await reader.cancel();
  });
});

Deno.test("serveEngine() under KV pressure every concurrent request completes (queued or preempted, never failed)", async () => {
  await withServer({ speedupRatio: 200, numGpuBlocks: 60, maxModelLen: 900 }, async (server) => {
    const results = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      const response = await fetch(`${server.url}/v1/completions`, {
        method: "POST",
        body: JSON.stringify({
          prompt: `client ${i} `.repeat(100),
          max_tokens: 150,
          ignore_eos: true,
          stream: true,
          stream_options: { include_usage: true },
        }),
      });
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.ok(text.endsWith("data: [DONE]\n\n"));
      const usage = JSON.parse(text.split("\n\n").filter((b) => b.includes('"usage"')).pop()!.slice(6)).usage;
      return usage.completion_tokens as number;
    }));
    assert.deepEqual(results, Array(10).fill(150));
    const metrics = parsePrometheusText(server.core.renderMetrics());
    const value = (name: string) =>
      metrics.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
    assert.ok(value("vllm:num_preemptions_total") > 0, "expected preemptions with 59 usable blocks");
    assert.equal(value("vllm:generation_tokens_total"), 1500);
  });
});

Deno.test("serveEngine() a repeated long prompt's real-time TTFT falls by the modelled prefill saving", async () => {
  await withServer({ speedupRatio: 1, profile: "llama-3.1-8b-h100" }, async (server) => {
    const prompt = "shared context about routing engines ".repeat(700); // ≈ 4,200 tokens
    const ttft = async () => {
      const start = performance.now();
      const response = await fetch(`${server.url}/v1/completions`, {
        method: "POST",
        body: JSON.stringify({
          prompt,
          max_tokens: 2,
          stream: true,
          stream_options: { include_usage: true },
        }),
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = (await reader.read()).value ?? "";
      const first = performance.now() - start;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      const usage = JSON.parse(text.split("\n\n").filter((b) => b.includes('"usage"')).pop()!.slice(6)).usage;
      return {
        first,
        cached: usage.prompt_tokens_details.cached_tokens as number,
        prompt: usage.prompt_tokens as number,
      };
    };
    const cold = await ttft();
    const warm = await ttft();
    assert.equal(cold.cached, 0);
    assert.equal(warm.cached, Math.floor((warm.prompt - 1) / 16) * 16);
    // Modelled: ≈ 8 ms API + 148 ms prefill cold, ≈ 8 + 7 ms warm.
    assert.ok(
      cold.first - warm.first > 90,
      `cold ${cold.first.toFixed(1)} ms, warm ${warm.first.toFixed(1)} ms`,
    );
    assert.ok(warm.first < 80, `warm TTFT ${warm.first.toFixed(1)} ms`);
  });
});
