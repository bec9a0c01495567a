// Goal: the issue-8 budget "1,000,000 requests over 16 engines simulated in under 60 s". Method:
// build a `random` workload of short prompts (U[32, 64] prompt tokens, U[16, 32] output tokens),
// then simulate it with simulatePoint (the sweep's simulated point: the client runner, the router
// strategy and 16 mock engines' schedulers on one VirtualClock) open loop at a rate that keeps every
// engine busy, with no run folder (so no timeseries sampling and no decision log: only the client
// records and summary). Prints the workload build time and the simulation's wall time separately,
// with virtual duration, throughput and the process's peak RSS.
// Run: deno run -A --v8-flags=--max-old-space-size=8192 test/bench/sim_million_bench.ts
//   [--requests 1000000] [--engines 16] [--rate 4000] [--concurrency 4096] [--strategy round_robin]
import { runCli } from "../../lib/core/cli.ts";
import { createRng } from "../../lib/core/rng.ts";
import { parseStrategySweepConfig, simulatePoint } from "../../lib/sweep/mod.ts";
import { createWorkload, type WorkloadSpec } from "../../lib/workload/mod.ts";

await runCli({
  usage: "deno run -A test/bench/sim_million_bench.ts [options]",
  summary: "Simulates N requests over a fleet of mock engines in virtual time and prints the wall time.",
  flags: {
    requests: { type: "number", integer: true, min: 1, default: 1_000_000, help: "Requests to simulate" },
    engines: { type: "number", integer: true, min: 1, default: 16, help: "Simulated engines" },
    rate: { type: "number", default: 4000, help: "Open-loop request rate, req/s of virtual time" },
    concurrency: { type: "number", integer: true, min: 1, default: 4096, help: "Client concurrency cap" },
    strategy: { type: "string", default: "round_robin", help: "Router strategy" },
    "input-len": { type: "number", integer: true, min: 1, default: 64, help: "Most prompt tokens" },
    "output-len": { type: "number", integer: true, min: 1, default: 32, help: "Most output tokens" },
  },
}, async (values) => {
  const config = parseStrategySweepConfig({
    mode: "sim",
    strategies: [values.strategy],
    fleet: { numServers: values.engines, speedupRatio: 1 },
    workload: {
      name: "random",
      numPrompts: values.requests,
      inputLen: values["input-len"],
      outputLen: values["output-len"],
      rangeRatio: 0.5,
    },
    client: { maxConcurrency: values.concurrency, requestRate: values.rate, timeoutS: 3600 },
  });
  const workloadStartMs = performance.now();
  const { requests } = createWorkload(
    config.workload as WorkloadSpec,
    createRng(config.seed).fork("workload"),
  );
  const workloadS = (performance.now() - workloadStartMs) / 1000;
  const simStartMs = performance.now();
  const run = await simulatePoint(config, values.strategy, config.seed, requests, { epochOffsetMs: 0 });
  const simS = (performance.now() - simStartMs) / 1000;
  const summary = run.result.summary;
  console.log(JSON.stringify({
    requests: values.requests,
    engines: values.engines,
    strategy: values.strategy,
    workload_build_s: +workloadS.toFixed(2),
    simulate_wall_s: +simS.toFixed(2),
    virtual_duration_s: +(run.virtualMs / 1000).toFixed(1),
    virtual_over_wall: +(run.virtualMs / 1000 / simS).toFixed(1),
    requests_per_wall_s: Math.round(values.requests / simS),
    completed: summary.completed,
    failed: summary.failed,
    request_throughput_per_s: +summary.request_throughput.toFixed(1),
    output_tokens: summary.total_output_tokens,
    mean_ttft_ms: +summary.mean_ttft_ms.toFixed(2),
    mean_tpot_ms: +summary.mean_tpot_ms.toFixed(2),
    p99_itl_ms: +summary.p99_itl_ms.toFixed(2),
    rss_mb: Math.round(Deno.memoryUsage().rss / 2 ** 20),
  }));
});
