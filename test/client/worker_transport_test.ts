/**
 * Goal: runBenchmark with its HTTP work spread over Worker isolates (clientWorkers: 2) gives the same
 * records as the single-isolate transport: every request recorded, token events and usage read,
 * timing taken in the Worker with the hop counted as send lag, timeouts and errors classified, and
 * CPU judged by the busiest thread.
 * Method: the scripted SSE fixture (test/client/_sse_server.ts) on a free port; bounds are generous
 * because the machine is shared.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/client/run_benchmark.ts";
import type { WorkloadRequest } from "../../lib/workload/types.ts";
import { startSseFixture } from "./_sse_server.ts";

function requests(count: number, outputTokens = 4): WorkloadRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `w-${i}`,
    prompt: `hello ${i}`,
    promptTokens: 2,
    outputTokens,
  }));
}

Deno.test("runBenchmark() with clientWorkers 2 records streamed requests like the main-thread transport", async () => {
  const server = startSseFixture({ firstMs: 20, gapMs: 5 });
  try {
    const { summary, records } = await runBenchmark({
      baseUrl: server.url,
      model: "ok",
      requests: requests(12, 5),
      maxConcurrency: 4,
      clientWorkers: 2,
    });
    assert.equal(summary.completed, 12);
    assert.equal(records.length, 12);
    records.forEach((r, i) => {
      assert.equal(r.index, i);
      assert.equal(r.success, true, r.error ?? "");
      assert.equal(r.token_events, 5);
      assert.equal(r.itl_ms.length, 4);
      assert.ok(r.ttft_ms! >= 19 && r.ttft_ms! < 500, `ttft ${r.ttft_ms}`);
      assert.ok(r.send_lag_ms! >= 0);
      assert.equal(r.cached_tokens, 4);
      assert.equal(r.end_ms, r.sent_ms! + r.e2e_ms!);
    });
    assert.equal(summary.total_output_tokens, 60);
    assert.equal(typeof summary.client_busiest_thread_cpu_percent, "number");
    assert.equal(server.bodies.length, 12);
  } finally {
    await server.shutdown();
  }
});

Deno.test("runBenchmark() with clientWorkers 2 classifies HTTP errors and times out hung requests", async () => {
  const server = startSseFixture();
  try {
    const failed = await runBenchmark({
      baseUrl: server.url,
      model: "http500",
      requests: requests(3),
      clientWorkers: 2,
    });
    assert.deepEqual(failed.summary.errors_by_class, { http_500: 3 });
    const hung = await runBenchmark({
      baseUrl: server.url,
      model: "hang",
      requests: requests(2),
      timeoutMs: 100,
      clientWorkers: 2,
    });
    assert.deepEqual(hung.summary.errors_by_class, { timeout: 2 });
  } finally {
    await server.shutdown();
  }
});
