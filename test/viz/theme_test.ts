// Goal: theme.ts gives every strategy one colour everywhere, a stable order, and labels with units.
// Method: call the helpers on known and unknown names.
import assert from "node:assert/strict";
import {
  metricLabel,
  orderSeries,
  replicaColor,
  seriesColors,
  STRATEGY_COLORS,
  strategyColor,
} from "../../lib/viz/theme.ts";

Deno.test("strategyColor() is fixed for known strategies and stable for unknown names", () => {
  assert.equal(strategyColor("pow2"), STRATEGY_COLORS.pow2);
  assert.equal(strategyColor("pow2 · run-a"), STRATEGY_COLORS.pow2);
  assert.equal(strategyColor("my_router"), strategyColor("my_router"));
  assert.equal(new Set(Object.values(STRATEGY_COLORS)).size, Object.keys(STRATEGY_COLORS).length);
});

Deno.test("orderSeries() puts known strategies in STRATEGY_ORDER, then the rest alphabetically", () => {
  assert.deepEqual(orderSeries(["zeta", "kv_aware", "pow2 · b", "alpha", "round_robin", "pow2 · a"]), [
    "round_robin",
    "pow2 · a",
    "pow2 · b",
    "kv_aware",
    "alpha",
    "zeta",
  ]);
});

Deno.test("seriesColors() shades one strategy's labels differently", () => {
  const [a, b] = seriesColors(["pow2 · a", "pow2 · b"]);
  assert.notEqual(a, b);
  assert.deepEqual(seriesColors(["kv_aware"]), [STRATEGY_COLORS.kv_aware]);
});

Deno.test("metricLabel() names metrics with units", () => {
  assert.equal(metricLabel("mean_ttft_ms"), "Mean TTFT (ms)");
  assert.equal(metricLabel("p99_e2e_latency_ms"), "P99 E2E latency (ms)");
  assert.equal(metricLabel("request_throughput_per_s"), "Request throughput (req/s)");
  assert.equal(metricLabel("mean_queue_time_ms"), "Mean queue time (ms)");
});

Deno.test("replicaColor() gives 8 distinct colours for 8 replicas", () => {
  assert.equal(new Set(Array.from({ length: 8 }, (_, i) => replicaColor(i))).size, 8);
});
