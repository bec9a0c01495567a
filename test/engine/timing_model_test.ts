// Goal: the step-time models reproduce the calibration points of engines.md §10.3 and move in the
// directions routers react to. Method: pure calls of createTimingModel() on built-in profiles.
import assert from "node:assert/strict";
import {
  addDecode,
  addPrefill,
  createTimingModel,
  emptyStepShape,
  loadProfile,
  type StepShape,
} from "../../lib/engine/mod.ts";

function decodeShape(batch: number, context: number): StepShape {
  const shape = emptyStepShape();
  for (let i = 0; i < batch; i++) addDecode(shape, context);
  return shape;
}

function prefillShape(newTokens: number, cached = 0): StepShape {
  const shape = emptyStepShape();
  addPrefill(shape, newTokens, cached);
  return shape;
}

const llama = createTimingModel(loadProfile("llama-3.1-8b-h100"), 26_000 * 16);
const qwen = createTimingModel(loadProfile("qwen2.5-1.5b-l4"), 30_000 * 16);

function assertWithin(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= expected * tolerance,
    `${what}: ${actual.toFixed(2)} ms, expected ${expected} ms ±${tolerance * 100}%`,
  );
}

Deno.test("createTimingModel() llama-3.1-8b-h100 batch-1 decode step is 6.5 ms ±10%", () => {
  assertWithin(llama.stepMs(decodeShape(1, 1024)), 6.5, 0.1, "batch-1 decode, 1k context");
  assertWithin(llama.stepMs(decodeShape(1, 128)), 6.5, 0.1, "batch-1 decode, 128 context");
});

Deno.test("createTimingModel() llama-3.1-8b-h100 fresh 1,024-token prefill is 34 ms ±15%", () => {
  assertWithin(llama.stepMs(prefillShape(1024)), 34, 0.15, "1,024-token prefill");
});

Deno.test("createTimingModel() reproduces the §10.3 table within 10%", () => {
  assertWithin(llama.stepMs(decodeShape(32, 1024)), 9.1, 0.1, "llama batch 32");
  assertWithin(llama.stepMs(decodeShape(256, 1024)), 31, 0.1, "llama batch 256");
  assertWithin(llama.stepMs(prefillShape(512, 512)), 17.6, 0.1, "llama 1,024 with 512 cached");
  assertWithin(qwen.stepMs(decodeShape(1, 1024)), 14.1, 0.1, "qwen batch 1");
  assertWithin(qwen.stepMs(decodeShape(128, 1024)), 39, 0.1, "qwen batch 128");
  assertWithin(qwen.stepMs(prefillShape(1024)), 58, 0.1, "qwen 1,024 prefill");
  const mixed = decodeShape(32, 1024);
  addPrefill(mixed, 2048, 0);
  assertWithin(llama.stepMs(mixed), 72, 0.1, "llama 32 decodes + 2,048 chunk");
});

Deno.test("createTimingModel() step time rises with batch size and with context length", () => {
  for (const model of [llama, qwen]) {
    assert.ok(model.stepMs(decodeShape(256, 1024)) > model.stepMs(decodeShape(64, 1024)));
    assert.ok(model.stepMs(decodeShape(64, 1024)) > model.stepMs(decodeShape(8, 1024)));
    assert.ok(model.stepMs(decodeShape(32, 8192)) > model.stepMs(decodeShape(32, 1024)));
  }
  assert.equal(llama.stepMs(emptyStepShape()), 0);
});

Deno.test("createTimingModel() dynamo-polynomial adds prefill and occupancy-driven decode", () => {
  const model = createTimingModel(loadProfile("dynamo-polynomial"), 1_000_000);
  assertWithin(model.stepMs(prefillShape(1000)), 32.1, 0.02, "1,000-token prefill pass");
  assertWithin(model.stepMs(decodeShape(1, 10)), 5.74, 0.02, "decode, empty cache");
  assertWithin(model.stepMs(decodeShape(10, 50_000)), 26.3, 0.02, "decode, half occupancy");
  assertWithin(model.stepMs(decodeShape(10, 500_000)), 34.0, 0.02, "decode, saturated occupancy");
});

Deno.test("loadProfile() rejects unknown names and malformed files with one clear line", () => {
  assert.throws(() => loadProfile("nope"), /Unknown engine profile 'nope'/);
  const path = Deno.makeTempFileSync({ suffix: ".json" });
  try {
    Deno.writeTextFileSync(path, JSON.stringify({ ...loadProfile("qwen2.5-1.5b-l4"), max_num_seqs: -1 }));
    assert.throws(() => loadProfile(path), /field 'max_num_seqs' must be a positive integer/);
    Deno.writeTextFileSync(path, JSON.stringify({ ...loadProfile("qwen2.5-1.5b-l4"), name: "custom" }));
    assert.equal(loadProfile(path).name, "custom");
  } finally {
    Deno.removeSync(path);
  }
});
