/**
 * Before/after of the pacing clock: the same open-loop run (Poisson, --rate req/s, 64-chunk streams
 * from the instant server in another process) on RealClock (setTimeout) and on PreciseClock
 * (Worker-woken timers), alternating, --rounds times each. Prints one JSON line per run.
 *   deno run -A test/bench/client_pacing_ab.ts [--rate 1000] [--seconds 5] [--rounds 2]
 */
import { runBenchmarkWith } from "../../lib/client/run_benchmark.ts";
import { httpTransport } from "../../lib/client/transport.ts";
import { type Clock, RealClock } from "../../lib/core/clock.ts";
import { PreciseClock } from "../../lib/core/precise_clock.ts";
import type { WorkloadRequest } from "../../lib/workload/types.ts";
import { startInstantServer } from "./_server_process.ts";

const arg = (name: string, fallback: number) => {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};
const rate = arg("rate", 1000);
const seconds = arg("seconds", 5);
const rounds = arg("rounds", 2);
const server = await startInstantServer(64);
const requests: WorkloadRequest[] = Array.from({ length: Math.round(rate * seconds) }, (_, i) => ({
  id: `ab-${i}`,
  prompt: "hello world",
  promptTokens: 2,
  outputTokens: 64,
}));
const transport = httpTransport({
  baseUrl: server.url,
  endpoint: "chat",
  dialect: "sglang",
  stream: true,
  timeoutMs: 60_000,
  maxSockets: Infinity,
});
try {
  // Warm the JIT and the connection pool.
  await runBenchmarkWith(transport, new RealClock(), {
    model: "m",
    requests: requests.slice(0, 2000),
    maxConcurrency: 64,
  });
  for (let round = 0; round < rounds; round++) {
    for (const name of ["RealClock", "PreciseClock"]) {
      const clock: Clock = name === "RealClock" ? new RealClock() : new PreciseClock();
      if (clock instanceof PreciseClock) await clock.sleepUntil(clock.nowMs() + 100); // Worker up
      const { summary } = await runBenchmarkWith(transport, clock, {
        model: "m",
        requests,
        requestRate: rate,
        seed: round + 1,
        selfMonitor: true,
      });
      if (clock instanceof PreciseClock) clock.close();
      console.log(JSON.stringify({
        clock: name,
        rate,
        failed: summary.failed,
        send_lag_p50_ms: +summary.send_lag_p50_ms.toFixed(3),
        send_lag_p99_ms: +summary.send_lag_p99_ms.toFixed(3),
        send_lag_max_ms: +summary.send_lag_max_ms.toFixed(3),
        event_loop_lag_p99_ms: +(summary.event_loop_lag_p99_ms ?? NaN).toFixed(2),
        client_cpu_percent: Math.round(summary.client_cpu_percent ?? NaN),
      }));
    }
  }
} finally {
  transport.close();
  await server.stop();
}
