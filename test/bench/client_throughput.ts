/**
 * Performance goal: one client process drives >= 10,000 streamed requests/s (64 chunks each)
 * against an instant server in another process.
 *   deno run -A test/bench/client_throughput.ts [--requests 60000] [--concurrency 64] [--pin]
 * --pin puts the server on CPU 0 and expects the client to be run with `taskset -c 1`.
 */
import { runBenchmark } from "../../lib/client/run_benchmark.ts";
import type { WorkloadRequest } from "../../lib/workload/types.ts";
import { startInstantServer } from "./_server_process.ts";

const arg = (name: string, fallback: number) => {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};
const count = arg("requests", 60000);
const concurrency = arg("concurrency", 64);
const workers = arg("workers", 0);
const server = await startInstantServer(64, Deno.args.includes("--pin") ? 0 : undefined);
try {
  const requests: WorkloadRequest[] = Array.from({ length: count }, (_, i) => ({
    id: `b-${i}`,
    prompt: "hello world",
    promptTokens: 2,
    outputTokens: 64,
  }));
  // Warm the JIT and the connection pool.
  await runBenchmark({
    baseUrl: server.url,
    model: "m",
    clientWorkers: workers,
    requests: requests.slice(0, 5000),
    maxConcurrency: concurrency,
  });
  const { summary } = await runBenchmark({
    baseUrl: server.url,
    model: "m",
    clientWorkers: workers,
    requests,
    maxConcurrency: concurrency,
  });
  console.log(JSON.stringify({
    requests: count,
    workers,
    concurrency,
    completed: summary.completed,
    failed: summary.failed,
    duration_s: +summary.duration.toFixed(3),
    request_throughput: Math.round(summary.request_throughput),
    token_events_per_s: Math.round(summary.request_throughput * 64),
    client_cpu_percent: Math.round(summary.client_cpu_percent ?? NaN),
    busiest_thread_cpu_percent: summary.client_busiest_thread_cpu_percent === null
      ? null
      : Math.round(summary.client_busiest_thread_cpu_percent),
    event_loop_lag_p99_ms: +(summary.event_loop_lag_p99_ms ?? NaN).toFixed(2),
    goal_met: summary.request_throughput >= 10000 && summary.failed === 0,
  }));
} finally {
  await server.stop();
}
