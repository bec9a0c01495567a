// Goal: the engine's start-up warm-up runs real requests through the engine code, and leaves the
// served engine untouched: no counted tokens, no cached blocks, a first request with no cache hit.
// Method: warmUpEngine directly, then serveEngine with and without warm-up on free ports, reading
// /metrics and the first response's cached_tokens.
import assert from "node:assert/strict";
import { resolveEngineConfig, serveEngine, warmUpEngine } from "../../lib/engine/mod.ts";
import { parsePrometheusText } from "../../lib/prom/mod.ts";

Deno.test("warmUpEngine() completes every synthetic request and generates their tokens", () => {
  const report = warmUpEngine(resolveEngineConfig({ profile: "qwen2.5-1.5b-l4", seed: 3 }), 40);
  assert.equal(report.requests, 40);
  assert.ok(report.outputTokens >= 40 * 16, `${report.outputTokens} tokens for 40 requests of >= 16`);
});

Deno.test("warmUpEngine() with a small max_model_len still runs requests that fit", () => {
  const report = warmUpEngine(resolveEngineConfig({ maxModelLen: 200, numGpuBlocks: 64 }), 20);
  assert.ok(report.requests > 0 && report.requests <= 20, `${report.requests} requests accepted`);
  assert.ok(report.outputTokens >= report.requests * 16);
});

Deno.test("serveEngine() warms up without counting tokens or caching blocks of the served engine", async () => {
  const server = await serveEngine({ speedupRatio: 100, warmUpRequests: 64 });
  try {
    const samples = parsePrometheusText(await (await fetch(`${server.url}/metrics`)).text());
    const value = (name: string) =>
      samples.filter((sample) => sample.name === name).reduce((sum, sample) => sum + sample.value, 0);
    assert.equal(value("vllm:prompt_tokens_total"), 0);
    assert.equal(value("vllm:generation_tokens_total"), 0);
    assert.equal(value("vllm:prefix_cache_queries_total"), 0);
    assert.equal(value("vllm:iteration_tokens_total_count"), 0);
    assert.deepEqual(
      { cachedBlocks: server.core.snapshot().cachedBlocks, steps: server.core.snapshot().steps },
      { cachedBlocks: 0, steps: 0 },
    );
  } finally {
    await server.shutdown();
  }
});
