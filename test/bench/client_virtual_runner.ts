/**
 * The runner's own cost in virtual time (issue 8 budget: 1,000,000 requests over 16 engines in under
 * 60 s of wall time): runBenchmarkWith on a VirtualClock with a transport that answers every request
 * after fixed virtual delays (first token 50 ms, 16 tokens 10 ms apart), open loop at --rate req/s.
 *   deno run -A test/bench/client_virtual_runner.ts [--requests 1000000] [--rate 2000]
 */
import { type BenchmarkResult, runBenchmarkWith } from "../../lib/client/run_benchmark.ts";
import type { ClientTransport } from "../../lib/client/transport.ts";
import { VirtualClock } from "../../lib/core/clock.ts";
import type { WorkloadRequest } from "../../lib/workload/types.ts";

const arg = (name: string, fallback: number) => {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};
const count = arg("requests", 1_000_000);
const rate = arg("rate", 2000);
const tokens = 16;
const clock = new VirtualClock();
const itl = new Array<number>(tokens - 1).fill(10);
const transport: ClientTransport = {
  send(_body, onOutcome, request) {
    const timer = clock.setTimer(clock.nowMs() + 50 + 10 * (tokens - 1), () =>
      onOutcome({
        success: true,
        errorClass: null,
        error: null,
        httpStatus: 200,
        ttftMs: 50,
        itlMs: itl,
        e2eMs: 50 + 10 * (tokens - 1),
        tokenEvents: tokens,
        usage: { promptTokens: request.promptTokens, completionTokens: tokens, cachedTokens: 0 },
      }));
    return () => timer.cancel();
  },
  close() {},
};
const requests: WorkloadRequest[] = Array.from({ length: count }, (_, i) => ({
  id: `v-${i}`,
  prompt: "hello world, a short prompt",
  promptTokens: 6,
  outputTokens: tokens,
}));
const started = performance.now();
let result: BenchmarkResult | undefined;
void runBenchmarkWith(transport, clock, {
  model: "m",
  requests,
  requestRate: rate,
  onComplete: (r) => result = r,
});
while (result === undefined && clock.runNext()) { /* step */ }
const wallS = (performance.now() - started) / 1000;
console.log(JSON.stringify({
  requests: count,
  virtual_duration_s: result!.summary.duration,
  wall_s: +wallS.toFixed(2),
  requests_per_wall_s: Math.round(count / wallS),
  completed: result!.summary.completed,
}));
