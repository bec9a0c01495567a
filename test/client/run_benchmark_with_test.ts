/**
 * Goal: the runner behind runBenchmark runs unchanged in virtual time (issue 8): with a VirtualClock
 * and an in-process transport it works entirely inside timer callbacks, records exactly the delays
 * the transport produced, paces closed loop, open loop and trace times exactly, enforces timeouts
 * on the clock, and the summary is the same summarize().
 * Method: a fake transport (test fixture) answering after fixed virtual delays; the clock is stepped
 * synchronously with runNext() until onComplete fires, so any dependence on real time (an await
 * between phases, a setTimeout) would leave the run unfinished.
 */
import assert from "node:assert/strict";
import { runBenchmarkWith, type RunnerOptions } from "../../lib/client/run_benchmark.ts";
import type { RequestOutcome } from "../../lib/client/stream_request.ts";
import type { ClientTransport } from "../../lib/client/transport.ts";
import type { BenchmarkResult } from "../../lib/client/run_benchmark.ts";
import { VirtualClock } from "../../lib/core/clock.ts";
import type { WorkloadRequest } from "../../lib/workload/types.ts";

/** Delays of the fake: first token after `firstMs`, then one per `gapMs`; `hang` never answers. */
interface FakeScript {
  firstMs: number;
  gapMs: number;
  hang?: boolean;
}

/** A transport that streams `outputTokens` token events on the virtual clock. */
function fakeTransport(clock: VirtualClock, script: FakeScript): ClientTransport & { bodies: string[] } {
  const bodies: string[] = [];
  return {
    bodies,
    send(body, onOutcome, request) {
      bodies.push(body);
      const sentAt = clock.nowMs();
      let finished = false;
      const itl: number[] = [];
      let first = -1;
      let last = -1;
      const finish = (outcome: Partial<RequestOutcome>) => {
        if (finished) return;
        finished = true;
        onOutcome({
          success: true,
          errorClass: null,
          error: null,
          httpStatus: 200,
          ttftMs: first < 0 ? null : first - sentAt,
          itlMs: itl,
          e2eMs: last < 0 ? null : last - sentAt,
          tokenEvents: itl.length + (first < 0 ? 0 : 1),
          usage: { promptTokens: request.promptTokens, completionTokens: itl.length + 1, cachedTokens: 0 },
          ...outcome,
        });
      };
      if (!script.hang) {
        const tokens = request.outputTokens;
        for (let k = 0; k < tokens; k++) {
          clock.setTimer(sentAt + script.firstMs + k * script.gapMs, () => {
            if (finished) return;
            const now = clock.nowMs();
            if (first < 0) first = now;
            else itl.push(now - last);
            last = now;
            if (k === tokens - 1) finish({});
          });
        }
      }
      return (errorClass = "aborted", message = "aborted") =>
        finish({ success: false, errorClass, error: message, usage: null });
    },
    close() {},
  };
}

function requests(count: number, outputTokens = 4): WorkloadRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `v-${i}`,
    prompt: `hello ${i}`,
    promptTokens: 2,
    outputTokens,
  }));
}

/** Runs to completion by stepping the clock synchronously; fails if the run needs real time. */
function runVirtual(
  clock: VirtualClock,
  transport: ClientTransport,
  options: Omit<RunnerOptions, "model">,
): BenchmarkResult {
  let result: BenchmarkResult | undefined;
  const promise = runBenchmarkWith(transport, clock, {
    model: "m",
    ...options,
    onComplete: (r) => result = r,
  });
  promise.catch(() => {});
  while (result === undefined && clock.runNext()) { /* step */ }
  assert.ok(result !== undefined, "the run did not complete inside the clock's callbacks");
  return result;
}

Deno.test("runBenchmarkWith() closed loop on a VirtualClock records the transport's delays exactly", () => {
  const clock = new VirtualClock(1000);
  const transport = fakeTransport(clock, { firstMs: 30, gapMs: 10 });
  const { records, summary } = runVirtual(clock, transport, { requests: requests(6, 4), maxConcurrency: 2 });
  assert.equal(records.length, 6);
  assert.deepEqual(records.map((r) => r.sent_ms), [0, 0, 60, 60, 120, 120]);
  assert.deepEqual(records.map((r) => r.queue_ms), [0, 0, 60, 60, 120, 120]);
  for (const r of records) {
    assert.equal(r.success, true);
    assert.equal(r.ttft_ms, 30);
    assert.deepEqual(r.itl_ms, [10, 10, 10]);
    assert.equal(r.e2e_ms, 60);
    assert.equal(r.tpot_ms, 10);
    assert.equal(r.send_lag_ms, 0);
    assert.equal(r.end_ms, r.sent_ms! + 60);
  }
  assert.equal(summary.duration, 0.18);
  assert.equal(summary.completed, 6);
  assert.equal(summary.mean_ttft_ms, 30);
  assert.equal(summary.p99_itl_ms, 10);
  assert.equal(summary.mean_e2e_latency_ms, 60);
  assert.equal(summary.request_throughput, 6 / 0.18);
  assert.equal(summary.run_start_epoch_ms, 1000);
  assert.equal(summary.client_cpu_percent, null);
  assert.equal(summary.event_loop_lag_p99_ms, null);
  assert.equal(summary.valid, true);
  assert.equal(JSON.parse(transport.bodies[0]!).max_tokens, 4);
});

Deno.test("runBenchmarkWith() open loop at a rate sends exactly on the schedule in virtual time", () => {
  const clock = new VirtualClock();
  const transport = fakeTransport(clock, { firstMs: 25, gapMs: 5 });
  const constant = runVirtual(clock, transport, {
    requests: requests(20, 3),
    requestRate: 100,
    burstiness: Infinity,
  });
  constant.records.forEach((r, i) => {
    assert.equal(r.scheduled_ms, i * 10);
    assert.equal(r.sent_ms, r.scheduled_ms);
    assert.equal(r.send_lag_ms, 0);
    assert.equal(r.ttft_ms, 25);
    assert.deepEqual(r.itl_ms, [5, 5]);
    assert.equal(r.e2e_ms, 35);
  });
  assert.equal(constant.summary.arrival, "rate");
  assert.equal(constant.summary.duration, (190 + 35) / 1000);
  assert.equal(constant.summary.send_lag_p99_ms, 0);

  // Poisson times are arbitrary doubles: t0 + offset - t0 may differ from offset in the last bit.
  const close = (a: number | null, b: number) => assert.ok(Math.abs(a! - b) < 1e-9, `${a} != ${b}`);
  const poisson = runVirtual(clock, transport, { requests: requests(50, 2), requestRate: 40, seed: 3 });
  for (const r of poisson.records) {
    close(r.sent_ms, r.scheduled_ms);
    close(r.send_lag_ms, 0);
    close(r.ttft_ms, 25);
    close(r.e2e_ms, 30);
  }
  assert.ok(poisson.records[49]!.scheduled_ms > 0);
});

Deno.test("runBenchmarkWith() replays trace times exactly and runs warmup first, excluded", () => {
  const clock = new VirtualClock();
  const transport = fakeTransport(clock, { firstMs: 40, gapMs: 7 });
  const timed = requests(3, 2).map((r, i) => ({ ...r, arrivalMs: [0, 5, 17.5][i]! }));
  const { records, summary } = runVirtual(clock, transport, { requests: timed, warmupRequests: 2 });
  assert.equal(summary.arrival, "trace");
  assert.equal(summary.warmup_requests, 2);
  assert.equal(records.length, 3);
  assert.equal(transport.bodies.length, 5);
  // The run starts when the warmup (two requests at once, 40 + 7 ms) has finished.
  assert.equal(summary.run_start_epoch_ms, 47);
  assert.deepEqual(records.map((r) => r.sent_ms), [0, 5, 17.5]);
  for (const r of records) {
    assert.equal(r.ttft_ms, 40);
    assert.deepEqual(r.itl_ms, [7]);
    assert.equal(r.e2e_ms, 47);
  }
  assert.equal(summary.duration, (17.5 + 47) / 1000);
});

Deno.test("runBenchmarkWith() enforces timeouts on the clock and reports progress on it", () => {
  const clock = new VirtualClock();
  const transport = fakeTransport(clock, { firstMs: 0, gapMs: 0, hang: true });
  const progress: number[] = [];
  const { records, summary } = runVirtual(clock, transport, {
    requests: requests(3),
    requestRate: 1,
    burstiness: Infinity,
    timeoutMs: 1500,
    onProgress: (p) => progress.push(p.elapsedMs),
  });
  assert.deepEqual(records.map((r) => r.error_class), ["timeout", "timeout", "timeout"]);
  assert.deepEqual(records.map((r) => r.sent_ms), [0, 1000, 2000]);
  assert.equal(summary.duration, 3.5);
  assert.deepEqual(summary.errors_by_class, { timeout: 3 });
  assert.deepEqual(progress.slice(0, 3), [250, 500, 750]);
  assert.equal(progress.at(-1), 3500);
});

Deno.test("runBenchmarkWith() accepts outcomes delivered synchronously inside send()", () => {
  const clock = new VirtualClock();
  let sends = 0;
  const transport: ClientTransport = {
    send(_body, onOutcome) {
      sends++;
      onOutcome({
        success: false,
        errorClass: "connect",
        error: "refused",
        httpStatus: null,
        ttftMs: null,
        itlMs: [],
        e2eMs: null,
        tokenEvents: 0,
        usage: null,
      });
      return () => {};
    },
    close() {},
  };
  const { records, summary } = runVirtual(clock, transport, { requests: requests(5), maxConcurrency: 2 });
  assert.equal(sends, 5);
  assert.equal(records.length, 5);
  assert.deepEqual(summary.errors_by_class, { connect: 5 });
});
