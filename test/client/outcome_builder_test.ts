/**
 * Goal: OutcomeBuilder gives in-process transports the HTTP client's measurement rules (TTFT, ITL,
 * E2E per dialect, no-token streams as failures).
 * Method: events at chosen VirtualClock times, outcomes compared field by field.
 */
import assert from "node:assert/strict";
import { OutcomeBuilder } from "../../lib/client/outcome_builder.ts";
import { VirtualClock } from "../../lib/core/clock.ts";

const USAGE = { promptTokens: 10, completionTokens: 3, cachedTokens: 4 };

Deno.test("OutcomeBuilder measures TTFT, ITL and the sglang E2E at the last line", () => {
  const clock = new VirtualClock(100);
  const builder = new OutcomeBuilder(clock);
  clock.runUntil(105);
  builder.line(); // role chunk: no token
  for (const t of [130, 140, 155]) {
    clock.runUntil(t);
    builder.token();
  }
  clock.runUntil(157);
  const outcome = builder.finish(USAGE);
  assert.equal(builder.done, true);
  assert.deepEqual(outcome, {
    success: true,
    errorClass: null,
    error: null,
    httpStatus: 200,
    ttftMs: 30,
    itlMs: [10, 15],
    e2eMs: 57,
    tokenEvents: 3,
    usage: USAGE,
  });
});

Deno.test("OutcomeBuilder with the vllm dialect ends E2E at the last token; no token is a failure", () => {
  const clock = new VirtualClock();
  const vllm = new OutcomeBuilder(clock, "vllm");
  clock.runUntil(20);
  vllm.token();
  clock.runUntil(25);
  assert.equal(vllm.finish(null).e2eMs, 20);

  const empty = new OutcomeBuilder(clock);
  clock.runUntil(40);
  const failed = empty.finish(USAGE);
  assert.equal(failed.success, false);
  assert.equal(failed.errorClass, "no_token_events");
  assert.equal(failed.ttftMs, null);

  const timedOut = new OutcomeBuilder(clock).fail("timeout", "no complete response within 5 ms");
  assert.equal(timedOut.errorClass, "timeout");
  assert.equal(timedOut.httpStatus, null);
});
