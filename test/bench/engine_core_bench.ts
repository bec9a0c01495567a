// Cost of the engine core alone (no HTTP): 256 concurrent requests decoding 200 tokens each in
// virtual time, tokens handed to a no-op sink. Run: deno bench -A test/bench/engine_core_bench.ts
import { VirtualClock } from "../../lib/core/clock.ts";
import { createRng } from "../../lib/core/rng.ts";
import { EngineCore, resolveEngineConfig } from "../../lib/engine/mod.ts";

const sink = { onToken() {}, onFinish() {} };

function run(streams: number, tokens: number): void {
  const clock = new VirtualClock();
  const core = new EngineCore(resolveEngineConfig({ apiOverheadMs: 0, maxNumSeqs: 1024 }), {
    clock,
    rng: createRng(1),
  });
  for (let i = 0; i < streams; i++) {
    const ids = Array.from({ length: 200 }, (_, j) => 256 + ((i * 1000 + j) % 90_000));
    core.submit({ id: `r${i}`, promptTokenIds: ids, maxTokens: tokens, ignoreEos: true }, sink);
  }
  while (clock.runNext());
}

Deno.bench("EngineCore 256 streams × 200 tokens (51,200 tokens) in virtual time", () => run(256, 200));
