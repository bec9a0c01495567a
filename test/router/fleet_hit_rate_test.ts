// Goal: on a fleet of 4 mock engines with a shared-prefix conversation workload, the cache-aware
// strategies route conversations back to the engine that cached them: prefix_aware and kv_aware
// (fed by the engines' /kv_events) give a higher engine prefix-cache hit rate than pow2.
// Method: for each strategy, fresh in-process engines (serveEngine, sped up) behind a real router
// (serveRouter), the `conversations` workload sent by the real client (runBenchmark, chat endpoint);
// the hit rate is the client's Σ cached_tokens / Σ prompt_tokens from the engines' usage.
import assert from "node:assert/strict";
import { createRng } from "../../lib/core/rng.ts";
import { serveEngine } from "../../lib/engine/mod.ts";
import { runBenchmark } from "../../lib/client/mod.ts";
import { createWorkload } from "../../lib/workload/mod.ts";
import { serveRouter } from "../../lib/router/mod.ts";

async function hitRate(strategy: string, strategyConfig: Record<string, unknown> = {}): Promise<number> {
  const engines = await Promise.all(
    Array.from({ length: 4 }, (_, i) => serveEngine({ speedupRatio: 50, seed: i })),
  );
  const router = await serveRouter({
    strategy,
    strategyConfig,
    backends: engines.map((e) => e.url),
    seed: 1,
  });
  try {
    const { requests } = createWorkload(
      { name: "conversations", numPrompts: 240, maxConversations: 60, minOutputLen: 4, maxOutputLen: 8 },
      createRng(3),
    );
    const { summary } = await runBenchmark({
      baseUrl: router.url,
      model: "Qwen/Qwen2.5-1.5B-Instruct",
      endpoint: "chat",
      requests,
      maxConcurrency: 8,
      seed: 3,
    });
    assert.equal(summary.failed, 0, `${strategy}: failed requests`);
    assert.equal([...router.core.inFlight().values()].reduce((a, b) => a + b, 0), 0);
    assert.ok(summary.cache_hit_rate !== null, "engines report cached_tokens");
    return summary.cache_hit_rate;
  } finally {
    await router.shutdown();
    await Promise.all(engines.map((engine) => engine.shutdown()));
  }
}

Deno.test("prefix_aware and kv_aware beat pow2 on engine prefix-cache hit rate (4 mock engines)", async () => {
  const pow2 = await hitRate("pow2");
  const prefixAware = await hitRate("prefix_aware");
  const kvAware = await hitRate("kv_aware");
  const kvApprox = await hitRate("kv_aware", { useKvEvents: false });
  console.log(
    `hit rate: pow2 ${pow2.toFixed(3)}, prefix_aware ${prefixAware.toFixed(3)}, kv_aware ${
      kvAware.toFixed(3)
    }, ` +
      `kv_aware(no events) ${kvApprox.toFixed(3)}`,
  );
  assert.ok(prefixAware > pow2 + 0.05, `prefix_aware ${prefixAware} vs pow2 ${pow2}`);
  assert.ok(kvAware > pow2 + 0.05, `kv_aware ${kvAware} vs pow2 ${pow2}`);
  assert.ok(kvApprox > pow2 + 0.05, `kv_aware(no events) ${kvApprox} vs pow2 ${pow2}`);
});
