/**
 * Goal: the summary follows loadgen.md §(b): TPOT only for requests with more than one output token,
 * failed requests excluded from latency and token figures but counted by class, throughputs over
 * the run duration, goodput per vLLM, sglang peak metrics, validity from send lag and CPU.
 * Method: hand-built records with round numbers and hand-computed expectations.
 */
import assert from "node:assert/strict";
import {
  maxConcurrentRequests,
  maxOutputTokensPerS,
  summarize,
  type SummaryInput,
} from "../../lib/client/summary.ts";
import type { RequestRecord } from "../../lib/client/types.ts";

function record(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    index: 0,
    id: "r",
    session_id: null,
    scheduled_ms: 0,
    released_ms: 0,
    sent_ms: 0,
    send_lag_ms: 0,
    queue_ms: 0,
    success: true,
    error_class: null,
    error: null,
    http_status: 200,
    ttft_ms: 100,
    itl_ms: [],
    e2e_ms: 100,
    tpot_ms: null,
    output_tokens: 1,
    output_tokens_server: 1,
    requested_output_tokens: 1,
    token_events: 1,
    prompt_tokens: 10,
    prompt_tokens_server: 10,
    cached_tokens: 0,
    end_ms: 100,
    ...overrides,
  };
}

function input(records: RequestRecord[], overrides: Partial<SummaryInput> = {}): SummaryInput {
  return {
    records,
    durationMs: 2000,
    dialect: "sglang",
    warmupRequests: 0,
    warmupFailed: 0,
    eventLoopLagMs: [0.1, 0.2],
    cpuPercent: 10,
    sendLagP99ThresholdMs: 10,
    cpuPercentThreshold: 95,
    runStartEpochMs: 0,
    requestRate: Infinity,
    burstiness: 1,
    maxConcurrency: Infinity,
    arrival: "all_at_once",
    ...overrides,
  };
}

const records = [
  // 3 tokens: TPOT = (300 - 100) / 2 = 100
  record({
    ttft_ms: 100,
    e2e_ms: 300,
    tpot_ms: 100,
    itl_ms: [50, 150],
    output_tokens: 3,
    prompt_tokens: 20,
    prompt_tokens_server: 20,
    cached_tokens: 10,
  }),
  // one token: no TPOT
  record({
    ttft_ms: 200,
    e2e_ms: 200,
    output_tokens: 1,
    prompt_tokens: 10,
    prompt_tokens_server: 10,
    cached_tokens: 0,
  }),
  // failed: excluded everywhere but counted
  record({
    success: false,
    error_class: "http_503",
    ttft_ms: null,
    e2e_ms: null,
    output_tokens: 0,
    prompt_tokens: 1000,
  }),
  record({
    success: false,
    error_class: "timeout",
    ttft_ms: null,
    e2e_ms: null,
    output_tokens: 0,
    prompt_tokens: 1000,
  }),
];

Deno.test("summarize() excludes failed requests and takes TPOT only from requests with >1 token", () => {
  const s = summarize(input(records));
  assert.equal(s.completed, 2);
  assert.equal(s.failed, 2);
  assert.deepEqual(s.errors_by_class, { http_503: 1, timeout: 1 });
  assert.equal(s.duration, 2);
  assert.equal(s.total_input_tokens, 30);
  assert.equal(s.total_output_tokens, 4);
  assert.equal(s.request_throughput, 1);
  assert.equal(s.input_throughput, 15);
  assert.equal(s.output_throughput, 2);
  assert.equal(s.total_throughput, 17);
  assert.equal(s.mean_ttft_ms, 150);
  assert.equal(s.median_ttft_ms, 150);
  assert.equal(s.std_ttft_ms, 50);
  assert.equal(s.mean_tpot_ms, 100);
  assert.equal(s.p99_tpot_ms, 100);
  assert.equal(s.mean_itl_ms, 100);
  assert.equal(s.max_itl_ms, 150);
  assert.equal(s.mean_e2e_latency_ms, 250);
  assert.equal(s.concurrency, 0.25); // (0.3 + 0.2) s / 2 s
  assert.equal(s.cache_hit_rate, 10 / 30);
  assert.equal(s.total_cached_tokens, 10);
  assert.equal(s.request_goodput, null);
  assert.equal(s.valid, true);
  assert.equal(s.request_rate, "inf");
});

Deno.test("summarize() computes goodput with every given SLO, TPOT of a 1-token request as 0", () => {
  assert.equal(summarize(input(records, { goodput: { ttftMs: 150 } })).request_goodput, 0.5);
  assert.equal(summarize(input(records, { goodput: { tpotMs: 50 } })).request_goodput, 0.5);
  assert.equal(summarize(input(records, { goodput: { ttftMs: 250, e2elMs: 300 } })).request_goodput, 1);
});

Deno.test("summarize() marks a run invalid when send lag p99 or CPU exceed their thresholds", () => {
  const lagged = records.map((r, i) => ({ ...r, send_lag_ms: i === 0 ? 50 : 0 }));
  const s = summarize(input(lagged, { arrival: "rate" }));
  assert.equal(s.valid, false);
  assert.match(s.invalid_reason!, /send lag p99/);
  const busy = summarize(input(records, { cpuPercent: 99 }));
  assert.equal(busy.valid, false);
  assert.match(busy.invalid_reason!, /CPU 99%/);
});

Deno.test("maxOutputTokensPerS() and maxConcurrentRequests() use sglang's 1-second bins", () => {
  const a = record({ sent_ms: 0, ttft_ms: 500, itl_ms: [200, 200, 200], e2e_ms: 1100 }); // events 500, 700, 900, 1100
  const b = record({ sent_ms: 400, ttft_ms: 100, itl_ms: [100], e2e_ms: 2700 }); // events 500, 600; ends 3100
  assert.equal(maxOutputTokensPerS([a, b]), 5); // bin 0: 500,700,900,500,600
  assert.equal(maxConcurrentRequests([a, b]), 2); // a in bins 0..1, b in bins 0..3
  assert.equal(maxOutputTokensPerS([]), 0);
});
