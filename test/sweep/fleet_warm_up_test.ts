// Goal: the fleet warm-up uses prompts that share no prefix with each other or the default workload,
// and resetting the caches after it works on our engine and is survivable on servers without the route.
// Method: token prefixes of the generated requests; a real mock engine on a free port (cached blocks
// before and after the reset); a plain Deno.serve that answers 404 (logged in the run's logs, no throw).
import assert from "node:assert/strict";
import { tokenize } from "../../lib/core/tokens.ts";
import { serveEngine } from "../../lib/engine/mod.ts";
import { fleetWarmUpRequests, resetPrefixCachesAfterWarmUp } from "../../lib/sweep/fleet_warm_up.ts";
import { memoizedWorkload, parseStrategySweepConfig } from "../../lib/sweep/mod.ts";

const firstBlock = (text: string) => tokenize(text).slice(0, 16).join(",");

Deno.test("fleetWarmUpRequests() prompts share no first block with each other or the default workload", () => {
  const warmUp = fleetWarmUpRequests(64);
  assert.equal(new Set(warmUp.map((request) => request.id)).size, 64);
  const warmBlocks = new Set(warmUp.map((request) => firstBlock(request.prompt!)));
  assert.equal(warmBlocks.size, 64);
  const config = parseStrategySweepConfig({});
  for (const request of memoizedWorkload(config)(config.seed)) {
    assert.ok(!warmBlocks.has(firstBlock(request.prompt!)), `${request.id} starts like a warm-up prompt`);
  }
  assert.ok(warmUp.every((request) => request.promptTokens === tokenize(request.prompt!).length));
});

Deno.test("resetPrefixCachesAfterWarmUp() empties an engine's cache, and only logs a server without the route", async () => {
  const runDir = await Deno.makeTempDir({ prefix: "routebench-warmup-" });
  await Deno.mkdir(`${runDir}/logs`);
  const engine = await serveEngine({ speedupRatio: 100, warmUpRequests: 0 });
  const bare = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("no", { status: 404 }),
  );
  try {
    const response = await fetch(`${engine.url}/v1/completions`, {
      method: "POST",
      body: JSON.stringify({ model: engine.core.config.model, prompt: "warm ".repeat(64), max_tokens: 4 }),
    });
    await response.text();
    assert.ok(engine.core.snapshot().cachedBlocks > 0);
    await resetPrefixCachesAfterWarmUp(engine.url, runDir);
    assert.equal(engine.core.snapshot().cachedBlocks, 0);
    await assert.rejects(Deno.stat(`${runDir}/logs/warm_up.log`), Deno.errors.NotFound);
    await resetPrefixCachesAfterWarmUp(`http://127.0.0.1:${bare.addr.port}`, runDir);
    assert.match(await Deno.readTextFile(`${runDir}/logs/warm_up.log`), /reset_prefix_cache answered 404/);
  } finally {
    await engine.shutdown();
    await bare.shutdown();
    await Deno.remove(runDir, { recursive: true });
  }
});
