/**
 * Performance goal: open loop at 1,000 req/s keeps send lag p99 <= 2 ms (Poisson arrivals on an
 * absolute schedule, 64-chunk streams from an instant server in another process).
 *   deno run -A test/bench/client_open_loop.ts [--rate 1000] [--seconds 10]
 */
import { runBenchmark } from "../../lib/client/run_benchmark.ts";
import type { WorkloadRequest } from "../../lib/workload/types.ts";
import { startInstantServer } from "./_server_process.ts";

const arg = (name: string, fallback: number) => {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};
const rate = arg("rate", 1000);
const seconds = arg("seconds", 10);
const workers = arg("workers", 0);
const server = await startInstantServer(64);
try {
  const requests: WorkloadRequest[] = Array.from({ length: Math.round(rate * seconds) }, (_, i) => ({
    id: `o-${i}`,
    prompt: "hello world",
    promptTokens: 2,
    outputTokens: 64,
  }));
  await runBenchmark({
    baseUrl: server.url,
    model: "m",
    clientWorkers: workers,
    requests: requests.slice(0, 2000),
    maxConcurrency: 64,
  });
  const { summary, records } = await runBenchmark({
    baseUrl: server.url,
    model: "m",
    clientWorkers: workers,
    requests,
    requestRate: rate,
    seed: 1,
  });
  const late = records.map((r) => r.sent_ms! - r.scheduled_ms).sort((a, b) => a - b);
  console.log(JSON.stringify({
    rate,
    workers,
    requests: requests.length,
    failed: summary.failed,
    achieved_rate: +(summary.completed / summary.duration).toFixed(1),
    send_lag_p50_ms: +summary.send_lag_p50_ms.toFixed(3),
    send_lag_p99_ms: +summary.send_lag_p99_ms.toFixed(3),
    send_lag_max_ms: +summary.send_lag_max_ms.toFixed(3),
    late_max_ms: +late[late.length - 1]!.toFixed(3),
    event_loop_lag_p99_ms: +(summary.event_loop_lag_p99_ms ?? NaN).toFixed(2),
    client_cpu_percent: Math.round(summary.client_cpu_percent ?? NaN),
    busiest_thread_cpu_percent: summary.client_busiest_thread_cpu_percent === null
      ? null
      : Math.round(summary.client_busiest_thread_cpu_percent),
    valid: summary.valid,
    goal_met: summary.send_lag_p99_ms <= 2,
  }));
} finally {
  await server.stop();
}
