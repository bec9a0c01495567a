// Goal: the engine CSV row is the per-replica average of what each engine's own histograms and
// counters gained during the run. Method: two constructed scrapes per replica.
import assert from "node:assert/strict";
import { engineMetricsRow, engineTotals } from "../../lib/sweep/engine_metrics.ts";

function exposition(ttftSum: number, ttftCount: number, hits: number, queries: number): string {
  return [
    "# TYPE vllm:time_to_first_token_seconds histogram",
    `vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="m"} ${ttftCount}`,
    `vllm:time_to_first_token_seconds_sum{engine="0",model_name="m"} ${ttftSum}`,
    `vllm:time_to_first_token_seconds_count{engine="0",model_name="m"} ${ttftCount}`,
    "# TYPE vllm:prefix_cache_hits counter",
    `vllm:prefix_cache_hits_total{engine="0",model_name="m"} ${hits}`,
    "# TYPE vllm:prefix_cache_queries counter",
    `vllm:prefix_cache_queries_total{engine="0",model_name="m"} ${queries}`,
    "# TYPE vllm:request_success counter",
    `vllm:request_success_total{engine="0",finished_reason="length",model_name="m"} ${ttftCount}`,
    `vllm:request_success_total{engine="0",finished_reason="stop",model_name="m"} 1`,
    "",
  ].join("\n");
}

Deno.test("engineMetricsRow() averages per-replica deltas over the run", () => {
  const before = [engineTotals(exposition(1, 10, 0, 100)), engineTotals(exposition(0, 0, 0, 0))];
  const after = [engineTotals(exposition(2, 20, 50, 300)), engineTotals(exposition(3, 10, 150, 200))];
  const row = engineMetricsRow(before, after);
  // Replica 0: 1 s over 10 requests = 100 ms; replica 1: 3 s over 10 = 300 ms; mean 200 ms.
  assert.ok(Math.abs(row.mean_ttft_ms! - 200) < 1e-9);
  assert.equal(row.request_success, 10);
  assert.equal(row.prefix_cache_hits_tokens, 100);
  assert.equal(row.prefix_cache_queries_tokens, 200);
  assert.equal(row.prefix_cache_hit_rate, 0.5);
  assert.equal(row.mean_queue_time_ms, null);
});

Deno.test("engineMetricsRow() leaves out a replica that did not answer", () => {
  const row = engineMetricsRow([engineTotals(exposition(0, 0, 0, 0)), undefined], [
    engineTotals(exposition(1, 4, 0, 10)),
    undefined,
  ]);
  assert.equal(row.mean_ttft_ms, 250);
});
