// Goal: EngineCore behaves like vLLM V1 where routers can see it: prefix hits cut TTFT by the modelled
// saving, ITL grows with batch and context, prefills stall co-scheduled decodes, KV pressure queues or
// preempts but never fails, limits hold, output is deterministic. Method: virtual time (VirtualClock),
// no jitter, exact expectations computed from the same timing model.
import assert from "node:assert/strict";
import {
  addDecode,
  addPrefill,
  createTimingModel,
  emptyStepShape,
  loadProfile,
} from "../../lib/engine/mod.ts";
import { parsePrometheusText } from "../../lib/prom/mod.ts";
import { meanGap, promptIds, VirtualEngine } from "./_virtual.ts";

const LLAMA = loadProfile("llama-3.1-8b-h100");
const llamaModel = createTimingModel(LLAMA, 25_999 * 16);

function metric(engine: VirtualEngine, name: string, labels: Record<string, string> = {}): number {
  return parsePrometheusText(engine.core.renderMetrics())
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

Deno.test("EngineCore a repeated prompt's TTFT falls by the modelled prefill saving and cached_tokens says why", () => {
  const engine = new VirtualEngine({ profile: LLAMA });
  const ids = promptIds(2048);
  const first = engine.submit(ids, 4);
  engine.runToIdle();
  const second = engine.submit(ids, 4);
  engine.runToIdle();
  const ttft1 = first.tokenMs[0]! - first.submitMs;
  const ttft2 = second.tokenMs[0]! - second.submitMs;
  assert.equal(first.finish!.cachedTokens, 0);
  assert.equal(second.finish!.cachedTokens, 2032); // 2047 rounded down to whole blocks
  const fresh = emptyStepShape();
  addPrefill(fresh, 2048, 0);
  const cached = emptyStepShape();
  addPrefill(cached, 16, 2032);
  assert.ok(Math.abs(ttft1 - llamaModel.stepMs(fresh)) < 1e-9);
  assert.ok(Math.abs(ttft2 - llamaModel.stepMs(cached)) < 1e-9);
  assert.ok(ttft1 - ttft2 > 60, `saving ${ttft1 - ttft2} ms`);
  assert.equal(metric(engine, "vllm:prefix_cache_hits_total"), 2032);
  assert.equal(metric(engine, "vllm:prefix_cache_queries_total"), 4096);
});

Deno.test("EngineCore ITL rises with batch size and with context length", () => {
  const itl = (batch: number, promptTokens: number) => {
    const engine = new VirtualEngine({ profile: LLAMA });
    const records = Array.from(
      { length: batch },
      (_, i) => engine.submit(promptIds(promptTokens, i + 1), 32),
    );
    engine.runToIdle();
    return meanGap(records[0]!.tokenMs.slice(4));
  };
  const single = itl(1, 128);
  const batch64 = itl(64, 128);
  const batch256 = itl(256, 128);
  assert.ok(single < batch64 && batch64 < batch256, `${single} < ${batch64} < ${batch256}`);
  assert.ok(Math.abs(single - 6.4) < 0.3, `batch-1 ITL ${single}`);
  const longContext = itl(16, 8192);
  const shortContext = itl(16, 128);
  assert.ok(longContext > shortContext * 1.3, `${longContext} vs ${shortContext}`);
});

Deno.test("EngineCore a prefill co-scheduled with decodes raises their ITL by the chunk's cost", () => {
  const engine = new VirtualEngine({ profile: LLAMA });
  const decoders = Array.from({ length: 8 }, (_, i) => engine.submit(promptIds(64, i + 1), 40));
  engine.runUntil(100);
  engine.submit(promptIds(4096, 99), 2);
  engine.runToIdle();
  const gaps = decoders[0]!.tokenMs.slice(1).map((t, i) => t - decoders[0]!.tokenMs[i]!);
  const sorted = gaps.slice().sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  const spike = sorted[sorted.length - 1]!;
  const mixed = emptyStepShape();
  for (let i = 0; i < 8; i++) addDecode(mixed, 64 + 10);
  addPrefill(mixed, 4096, 0);
  assert.ok(spike > median * 5, `spike ${spike} vs median ${median}`);
  assert.ok(
    Math.abs(spike - llamaModel.stepMs(mixed)) < 0.5,
    `spike ${spike}, modelled ${llamaModel.stepMs(mixed)}`,
  );
});

Deno.test("EngineCore requests that do not fit the free KV queue or preempt, and all complete", () => {
  // 64 usable blocks = 1,024 tokens; 8 requests need 300 tokens each.
  const engine = new VirtualEngine({ profile: LLAMA, numGpuBlocks: 65, maxModelLen: 1024 });
  const records = Array.from({ length: 8 }, (_, i) => engine.submit(promptIds(200, i + 1), 100));
  engine.runToIdle();
  for (const record of records) {
    assert.equal(record.finish?.finishReason, "length");
    assert.equal(record.texts.length, 100);
    assert.equal(record.finish?.completionTokens, 100);
  }
  assert.ok(metric(engine, "vllm:num_preemptions_total") > 0, "expected preemptions");
  assert.equal(metric(engine, "vllm:request_success_total", { finished_reason: "length" }), 8);
  assert.equal(engine.core.snapshot().freeBlocks, 64);
  assert.ok(engine.steps.every((step) => step.numPrefills + step.numDecodes > 0));
});

Deno.test("EngineCore preempts the newest request (LIFO), admits nobody in that step, recomputes it later", () => {
  const engine = new VirtualEngine({ profile: LLAMA, numGpuBlocks: 33, maxModelLen: 512 });
  const a = engine.submit(promptIds(100, 1), 300);
  const b = engine.submit(promptIds(100, 2), 300);
  engine.runToIdle();
  assert.equal(a.texts.length, 300);
  assert.equal(b.texts.length, 300);
  // LIFO: the newest (b) is preempted, so a finishes first.
  assert.ok(a.tokenMs[299]! < b.tokenMs[299]!);
  assert.ok(metric(engine, "vllm:num_preemptions_total") >= 1);
  assert.ok(engine.steps.some((step) => step.numPreemptions > 0 && step.numPrefills === 0));
  // The victim's prefix is looked up again when it is re-admitted.
  assert.ok(metric(engine, "vllm:prefix_cache_queries_total") > 200);
  assert.equal(metric(engine, "vllm:prompt_tokens_total"), 200);
});

Deno.test("EngineCore respects max_num_seqs and chunks prefills to max_num_batched_tokens", () => {
  const engine = new VirtualEngine({ profile: LLAMA, maxNumSeqs: 4, maxNumBatchedTokens: 512 });
  const records = Array.from({ length: 10 }, (_, i) => engine.submit(promptIds(1500, i + 1), 5));
  engine.runToIdle();
  for (const step of engine.steps) {
    assert.ok(step.numPrefills + step.numDecodes <= 4);
    assert.ok(step.prefillTokens + step.numDecodes <= 512);
  }
  assert.equal(records[0]!.tokenMs.length, 5);
  // 1,500 tokens in 512-token chunks: the first token comes at the end of the third step.
  assert.equal(records[0]!.tokenMs[0], engine.steps[2]!.deadlineMs);
  // TTFT includes queueing: the last request waits for earlier ones.
  assert.ok(records[9]!.tokenMs[0]! > records[0]!.tokenMs[4]!);
});

Deno.test("EngineCore output is deterministic per seed; natural lengths honour min_tokens and max_tokens", () => {
  const run = (seed: number) => {
    const engine = new VirtualEngine({ profile: LLAMA, seed });
    const records = Array.from(
      { length: 40 },
      (_, i) => engine.submit(promptIds(50, i), 400, { ignoreEos: false, minTokens: 20 }),
    );
    engine.runToIdle();
    return records;
  };
  const a = run(1);
  const b = run(1);
  const c = run(2);
  assert.deepEqual(a.map((r) => r.texts.join("")), b.map((r) => r.texts.join("")));
  assert.notDeepEqual(a.map((r) => r.texts.join("")), c.map((r) => r.texts.join("")));
  const lengths = a.map((r) => r.texts.length);
  assert.ok(lengths.every((n) => n >= 21 && n <= 400), `lengths ${lengths}`);
  assert.ok(new Set(lengths).size > 10, "lengths should vary");
  for (const r of a) {
    assert.equal(r.finish!.completionTokens, r.texts.length);
    assert.equal(r.finish!.finishReason, r.texts.length === 400 ? "length" : "stop");
    if (r.finish!.finishReason === "stop") {
      assert.equal(r.texts[r.texts.length - 1], "", "EOS carries no text");
    }
  }
});

Deno.test("EngineCore abort() frees the request's blocks and records an abort", () => {
  const engine = new VirtualEngine({ profile: LLAMA });
  const record = engine.submit(promptIds(500), 1000);
  engine.runUntil(200);
  assert.ok(record.tokenMs.length > 0);
  assert.ok(engine.core.snapshot().freeBlocks < 25_999);
  assert.equal(engine.core.abort(record.id), true);
  assert.equal(record.finish?.finishReason, "abort");
  assert.equal(engine.core.snapshot().freeBlocks, 25_999);
  assert.equal(engine.core.abort(record.id), false);
  engine.runToIdle();
  assert.equal(metric(engine, "vllm:request_success_total", { finished_reason: "abort" }), 1);
  assert.ok(engine.core.idle);
});

Deno.test("EngineCore divides durations by the speedup ratio; metrics' arrival excludes the API overhead", () => {
  const durations = (speedupRatio: number) => {
    const engine = new VirtualEngine({ profile: LLAMA, speedupRatio, apiOverheadMs: 8 });
    const record = engine.submit(promptIds(1024), 10);
    engine.runToIdle();
    return { ttft: record.tokenMs[0]! - record.submitMs, engine };
  };
  const slow = durations(1);
  const fast = durations(10);
  assert.ok(Math.abs(slow.ttft / fast.ttft - 10) < 1e-6);
  const shape = emptyStepShape();
  addPrefill(shape, 1024, 0);
  assert.ok(Math.abs(slow.ttft - (8 + llamaModel.stepMs(shape))) < 1e-9);
  const ttftSum = metric(slow.engine, "vllm:time_to_first_token_seconds_sum");
  assert.ok(Math.abs(ttftSum * 1000 - llamaModel.stepMs(shape)) < 1e-6, `metric TTFT ${ttftSum}`);
});

Deno.test("EngineCore jitter is seeded: same seed, same step times", () => {
  const run = () => {
    const engine = new VirtualEngine({ profile: LLAMA, jitterSigma: 0.05, seed: 7 });
    engine.submit(promptIds(100), 20);
    engine.runToIdle();
    return engine.steps.map((s) => s.modelledMs);
  };
  const a = run();
  assert.deepEqual(a, run());
  assert.ok(new Set(a.slice(1).map((x) => x.toFixed(6))).size > 5);
});

Deno.test("EngineCore emitAheadMs builds a step's output early but ends its turn at the deadline, timing unchanged", () => {
  const run = (emitAheadMs: number) => {
    const engine = new VirtualEngine({ profile: LLAMA }, { emitAheadMs });
    const turnEnds: number[] = [];
    engine.core.onTurnEnd(() => turnEnds.push(engine.clock.nowMs()));
    const records = Array.from({ length: 4 }, (_, i) => engine.submit(promptIds(256, i + 1), 20));
    engine.runToIdle();
    return { engine, turnEnds, records };
  };
  const plain = run(0);
  const ahead = run(1);
  const deadlines = ahead.engine.steps.map((step) => step.deadlineMs);
  assert.deepEqual(deadlines, plain.engine.steps.map((step) => step.deadlineMs), "same step timing");
  const metrics = (engine: VirtualEngine) =>
    Object.entries(engine.core.collectMetrics()).filter(([key]) => !key.includes("_created{"));
  assert.deepEqual(metrics(ahead.engine), metrics(plain.engine), "same metrics (bar creation wall times)");
  for (const step of ahead.engine.steps) {
    assert.ok(Math.abs(step.endedMs - (step.deadlineMs - 1)) < 1e-9, "the step's end ran 1 ms ahead");
  }
  for (const deadline of deadlines) {
    assert.ok(ahead.turnEnds.includes(deadline), `a turn ends at ${deadline}`);
  }
  for (const [i, record] of ahead.records.entries()) {
    const plainTimes = plain.records[i]!.tokenMs;
    assert.deepEqual(record.tokenMs, plainTimes.map((t) => t - 1), "sinks hear each token 1 ms early");
  }
});
