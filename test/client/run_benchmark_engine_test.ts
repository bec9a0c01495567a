/**
 * Goal: against our own engine, the client measures what the engine models. (1) With a jitter-free
 * profile at speedup 1 and one request at a time, the client's TTFT and TPOT equal the engine's
 * modelled values within 1 ms. (2) A Mooncake replay whose two requests share k hash-id blocks sends
 * byte-identical prompt prefixes, and the engine's cached_tokens confirms the reuse.
 * Method: serveEngine in-process on a free port (real HTTP, no stubs); the modelled values come from
 * the engine's own timing model (createTimingModel over the profile, plus api_overhead_ms), and the
 * engine's step observer confirms the step shapes the model was asked about. The engine runs on a
 * PreciseClock (on Deno's setTimeout each of its two timers before the first token fires ~1 ms
 * late). The model's TTFT starts when the engine submits the request, so the measured HTTP transit
 * before that and the engine's measured timer lateness are taken out (see the test). A loaded, shared machine delays single requests, so TTFT and TPOT are
 * compared as medians over 7 requests.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/client/run_benchmark.ts";
import { countTokens } from "../../lib/core/tokens.ts";
import { PreciseClock } from "../../lib/core/precise_clock.ts";
import {
  addDecode,
  addPrefill,
  createTimingModel,
  emptyStepShape,
  loadProfile,
  serveEngine,
  type StepRecord,
} from "../../lib/engine/mod.ts";
import { percentile } from "../../lib/core/stats.ts";
import { BlockTexts, mooncakeWorkloadFromRows } from "../../lib/workload/mooncake.ts";
import { createRng } from "../../lib/core/rng.ts";
import { syntheticText } from "../../lib/workload/synthetic_text.ts";
import type { WorkloadRequest } from "../../lib/workload/types.ts";

const PROFILE = "qwen2.5-1.5b-l4";

Deno.test("runBenchmark() measures the engine's modelled TTFT and TPOT within 1 ms (jitter 0, speedup 1)", async () => {
  const profile = loadProfile(PROFILE);
  const numGpuBlocks = 4096;
  const blockSize = 16;
  const promptTokens = 1000; // < max_num_batched_tokens: one prefill step
  const outputTokens = 24;
  const count = 7;
  const clock = new PreciseClock();
  const server = await serveEngine({
    port: 0,
    clock,
    profile: PROFILE,
    numGpuBlocks,
    blockSize,
    jitterSigma: 0,
    speedupRatio: 1,
    // Distinct prompts would not hit anyway; off makes the prefill size certain.
    enablePrefixCaching: false,
  });
  const steps: StepRecord[] = [];
  const unsubscribe = server.core.onStep((step) => steps.push(step));
  // A delegating spy (not a stub): when the engine's handler hands each request to the core.
  const submittedAt: number[] = [];
  const submit = server.core.submit.bind(server.core);
  server.core.submit = (input, sink) => {
    submittedAt.push(performance.now());
    submit(input, sink);
  };
  try {
    const rng = createRng(7);
    const requests: WorkloadRequest[] = Array.from({ length: count }, (_, i) => {
      const prompt = syntheticText(rng, promptTokens);
      assert.equal(countTokens(prompt), promptTokens);
      return { id: `t-${i}`, prompt, promptTokens, outputTokens };
    });
    const { records, summary } = await runBenchmark({
      baseUrl: server.url,
      model: server.core.config.model,
      endpoint: "completions",
      requests,
      maxConcurrency: 1,
      warmupRequests: 1,
    });

    // The engine's model for one request alone: API overhead, one prefill step of the whole prompt
    // (first token), then one decode step per further token at context prompt + k - 1.
    const model = createTimingModel(profile, (numGpuBlocks - 1) * blockSize);
    const prefill = emptyStepShape();
    addPrefill(prefill, promptTokens, 0);
    const modelledTtftMs = profile.api_overhead_ms + model.stepMs(prefill);
    let decodeSumMs = 0;
    for (let k = 1; k < outputTokens; k++) {
      const decode = emptyStepShape();
      addDecode(decode, promptTokens + k - 1);
      decodeSumMs += model.stepMs(decode);
    }
    const modelledTpotMs = decodeSumMs / (outputTokens - 1);

    // The engine ran exactly those steps: per request one prefill and outputTokens - 1 decodes.
    const runSteps = steps.slice(-count * outputTokens);
    const prefills = runSteps.filter((s) => s.numPrefills === 1 && s.prefillTokens === promptTokens);
    assert.equal(prefills.length, count);
    assert.equal(
      runSteps.filter((s) => s.numDecodes === 1 && s.numPrefills === 0).length,
      count * (outputTokens - 1),
    );
    assert.ok(runSteps.every((s) => s.numPrefills + s.numDecodes === 1), "steps overlapped at concurrency 1");
    for (const s of prefills) assert.ok(Math.abs(s.modelledMs - model.stepMs(prefill)) < 1e-9);

    // The model starts when the engine's handler submits the request: the HTTP upload, JSON parse
    // and tokenization before that are real time the model does not contain. The engine's own
    // timer lateness (waking after the API overhead, emitting after the prefill deadline) is engine
    // slack. Both are measured on the client's clock (same process, performance.now); what is left
    // is the response's way back and the client's own measurement.
    const runStart = summary.run_start_epoch_ms - performance.timeOrigin;
    const submits = submittedAt.slice(-count);
    const residualTtftMs = records.map((r, i) => {
      assert.equal(r.success, true, r.error ?? "");
      assert.equal(r.prompt_tokens_server, promptTokens);
      assert.equal(r.output_tokens, outputTokens);
      assert.equal(r.token_events, outputTokens);
      const step = prefills[i]!;
      const transitMs = submits[i]! - (runStart + r.sent_ms!);
      const wakeLateMs = step.startMs - (submits[i]! + profile.api_overhead_ms);
      const emitLateMs = step.emittedMs - step.deadlineMs;
      assert.ok(
        transitMs >= 0 && wakeLateMs >= 0 && emitLateMs >= 0,
        `${transitMs} ${wakeLateMs} ${emitLateMs}`,
      );
      // Never faster than the model; a single request may be slowed by the shared machine.
      assert.ok(
        r.ttft_ms! >= modelledTtftMs + transitMs,
        `ttft ${r.ttft_ms} < ${modelledTtftMs} + ${transitMs}`,
      );
      return r.ttft_ms! - transitMs - wakeLateMs - emitLateMs;
    });
    const ttftMs = percentile(residualTtftMs, 50);
    const tpotMs = percentile(records.map((r) => r.tpot_ms!), 50);
    assert.ok(
      Math.abs(ttftMs - modelledTtftMs) <= 1,
      `median TTFT ${ttftMs.toFixed(3)} ms (less transit and engine timer lateness) vs modelled ${
        modelledTtftMs.toFixed(3)
      } ms`,
    );
    assert.ok(
      Math.abs(tpotMs - modelledTpotMs) <= 1,
      `median TPOT ${tpotMs.toFixed(3)} ms vs modelled ${modelledTpotMs.toFixed(3)} ms`,
    );
  } finally {
    unsubscribe();
    await server.shutdown();
    clock.close();
  }
});

Deno.test("runBenchmark() on a Mooncake replay: shared hash_ids give identical prefixes the engine caches", async () => {
  const k = 3;
  const traceBlock = 512;
  const engineBlock = 16;
  const shared = [11, 12, 13];
  const rows = [
    { timestamp: 1000, input_length: k * traceBlock + 200, output_length: 3, hash_ids: [...shared, 101] },
    { timestamp: 1040, input_length: k * traceBlock + 300, output_length: 3, hash_ids: [...shared, 202] },
  ];
  const { requests } = mooncakeWorkloadFromRows(rows, { blockSize: traceBlock });
  const [a, b] = requests as [WorkloadRequest, WorkloadRequest];
  const prefix = new BlockTexts(traceBlock).prompt(shared, k * traceBlock).text;
  assert.ok(
    a.prompt!.startsWith(prefix) && b.prompt!.startsWith(prefix),
    "shared blocks are not a shared prefix",
  );
  assert.notEqual(
    a.prompt!.slice(prefix.length, prefix.length + 40),
    b.prompt!.slice(prefix.length, prefix.length + 40),
  );
  assert.deepEqual(requests.map((r) => r.arrivalMs), [0, 40]);

  const server = await serveEngine({ port: 0, profile: PROFILE, blockSize: engineBlock, speedupRatio: 20 });
  try {
    const { records, summary } = await runBenchmark({
      baseUrl: server.url,
      model: server.core.config.model,
      endpoint: "completions",
      requests,
    });
    assert.equal(summary.arrival, "trace");
    assert.equal(summary.completed, 2);
    const [first, second] = records as [typeof records[0], typeof records[0]];
    assert.equal(first.prompt_tokens_server, rows[0]!.input_length);
    assert.equal(second.prompt_tokens_server, rows[1]!.input_length);
    assert.equal(first.cached_tokens, 0);
    assert.ok(
      second.cached_tokens! >= k * traceBlock - engineBlock,
      `second request cached ${second.cached_tokens} tokens, expected >= ${k * traceBlock - engineBlock}`,
    );
    // No more than the shared blocks: the fourth blocks differ.
    assert.ok(second.cached_tokens! < k * traceBlock + engineBlock, `cached ${second.cached_tokens}`);
  } finally {
    await server.shutdown();
  }
});
