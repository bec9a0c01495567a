/**
 * Goal: runBenchmark sends every request, measures TTFT/ITL/E2E per loadgen.md §(b), never drops a
 * request or an error, and paces closed and open loop as asked.
 * Method: a scripted Deno.serve SSE fixture (test/client/_sse_server.ts) with known chunk timing;
 * assertions use generous bounds since the machine is shared.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/client/run_benchmark.ts";
import type { WorkloadRequest } from "../../lib/workload/types.ts";
import { startSseFixture } from "./_sse_server.ts";

function requests(count: number, outputTokens = 4): WorkloadRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `r-${i}`,
    prompt: `hello ${i}`,
    promptTokens: 2,
    outputTokens,
  }));
}

Deno.test("runBenchmark() measures TTFT, ITL, TPOT and E2E of streamed chat requests", async () => {
  const server = startSseFixture({ firstMs: 30, gapMs: 20 });
  try {
    const { summary, records } = await runBenchmark({
      baseUrl: server.url,
      model: "ok",
      endpoint: "chat",
      requests: requests(3, 5),
      maxConcurrency: 1,
    });
    assert.equal(summary.completed, 3);
    assert.equal(summary.failed, 0);
    for (const r of records) {
      assert.equal(r.success, true);
      assert.equal(r.token_events, 5);
      assert.equal(r.itl_ms.length, 4);
      assert.ok(r.ttft_ms! >= 29 && r.ttft_ms! < 200, `ttft ${r.ttft_ms}`);
      for (const gap of r.itl_ms) assert.ok(gap >= 15 && gap < 150, `gap ${gap}`);
      assert.ok(r.e2e_ms! >= r.ttft_ms! + 4 * 15);
      assert.equal(r.output_tokens, 5);
      assert.equal(r.prompt_tokens_server, 11);
      assert.equal(r.cached_tokens, 4);
      assert.ok(Math.abs(r.tpot_ms! - (r.e2e_ms! - r.ttft_ms!) / 4) < 1e-9);
    }
    assert.equal(summary.total_output_tokens, 15);
    assert.equal(summary.total_input_tokens, 6);
    assert.equal(summary.total_cached_tokens, 12);
    assert.ok(Math.abs(summary.cache_hit_rate! - 4 / 11) < 1e-12);
    assert.equal(summary.max_concurrency, 1);
    const body = server.bodies[0]!;
    assert.deepEqual(body.messages, [{ role: "user", content: "hello 0" }]);
    assert.equal(body.max_tokens, 5);
    assert.equal(body.ignore_eos, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
  } finally {
    await server.shutdown();
  }
});

Deno.test("runBenchmark() with the sglang dialect ignores a role-only first chat chunk for TTFT", async () => {
  const server = startSseFixture({ firstMs: 40, gapMs: 0 });
  try {
    const sglang = await runBenchmark({ baseUrl: server.url, model: "role_first", requests: requests(1, 2) });
    assert.ok(sglang.records[0]!.ttft_ms! >= 39, `sglang ttft ${sglang.records[0]!.ttft_ms}`);
    assert.equal(sglang.records[0]!.token_events, 2);
    const vllm = await runBenchmark({
      baseUrl: server.url,
      model: "role_first",
      requests: requests(1, 2),
      dialect: "vllm",
    });
    assert.ok(vllm.records[0]!.ttft_ms! < 35, `vllm ttft ${vllm.records[0]!.ttft_ms}`);
    assert.equal(vllm.records[0]!.token_events, 3);
    assert.equal(vllm.summary.metric_dialect, "vllm");
  } finally {
    await server.shutdown();
  }
});

Deno.test("runBenchmark() records every failure with its class and excludes it from latency stats", async () => {
  const server = startSseFixture();
  try {
    const cases: Array<[string, string]> = [
      ["http500", "http_500"],
      ["malformed", "malformed_stream"],
      ["nodone", "malformed_stream"],
      ["error_event", "server_error_event"],
    ];
    for (const [model, errorClass] of cases) {
      const { summary, records } = await runBenchmark({
        baseUrl: server.url,
        model,
        endpoint: "completions",
        requests: requests(2),
      });
      assert.equal(records.length, 2, model);
      assert.equal(summary.completed, 0, model);
      assert.equal(summary.failed, 2, model);
      assert.deepEqual(summary.errors_by_class, { [errorClass]: 2 }, model);
      assert.equal(summary.mean_ttft_ms, 0);
      assert.equal(summary.total_output_tokens, 0);
      for (const r of records) assert.equal(r.error_class, errorClass);
    }
    const timeout = await runBenchmark({
      baseUrl: server.url,
      model: "hang",
      requests: requests(1),
      timeoutMs: 100,
    });
    assert.deepEqual(timeout.summary.errors_by_class, { timeout: 1 });
  } finally {
    await server.shutdown();
  }
});

Deno.test("runBenchmark() classes a refused connection as connect", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const { summary, records } = await runBenchmark({
    baseUrl: `http://127.0.0.1:${port}`,
    model: "m",
    requests: requests(3),
  });
  assert.equal(records.length, 3);
  assert.deepEqual(summary.errors_by_class, { connect: 3 });
});

Deno.test("runBenchmark() never exceeds maxConcurrency and records client queueing", async () => {
  const server = startSseFixture({ firstMs: 20, gapMs: 0 });
  try {
    const { summary, records } = await runBenchmark({
      baseUrl: server.url,
      model: "ok",
      requests: requests(12, 1),
      maxConcurrency: 3,
    });
    assert.equal(summary.completed, 12);
    const events = records.flatMap((r) => [[r.sent_ms!, 1], [r.end_ms!, -1]] as const).sort((a, b) =>
      a[0] - b[0] || a[1] - b[1]
    );
    let inFlight = 0;
    let peak = 0;
    for (const [, delta] of events) peak = Math.max(peak, inFlight += delta);
    assert.ok(peak <= 3, `peak ${peak}`);
    assert.ok(records[11]!.queue_ms > 30, `queue ${records[11]!.queue_ms}`);
    for (const r of records) assert.ok(r.send_lag_ms! < 50);
  } finally {
    await server.shutdown();
  }
});

Deno.test("runBenchmark() sends open loop on the absolute schedule and at trace times", async () => {
  const server = startSseFixture();
  try {
    const rate = await runBenchmark({
      baseUrl: server.url,
      model: "ok",
      requests: requests(20, 1),
      requestRate: 100,
      burstiness: Infinity,
    });
    rate.records.forEach((r, i) => assert.equal(r.scheduled_ms, i * 10));
    for (const r of rate.records) {
      assert.ok(r.sent_ms! - r.scheduled_ms < 50, `late ${r.sent_ms! - r.scheduled_ms}`);
    }
    assert.equal(rate.summary.arrival, "rate");
    assert.ok(rate.summary.duration >= 0.19);

    const timed = requests(3, 1).map((r, i) => ({ ...r, arrivalMs: [0, 50, 120][i]! }));
    const trace = await runBenchmark({ baseUrl: server.url, model: "ok", requests: timed });
    assert.equal(trace.summary.arrival, "trace");
    assert.deepEqual(trace.records.map((r) => r.scheduled_ms), [0, 50, 120]);
    assert.ok(trace.records[2]!.sent_ms! >= 119);
  } finally {
    await server.shutdown();
  }
});

Deno.test("runBenchmark() excludes warmup requests and caps their output at 32", async () => {
  const server = startSseFixture();
  try {
    const { summary, records } = await runBenchmark({
      baseUrl: server.url,
      model: "ok",
      requests: requests(2, 50),
      warmupRequests: 3,
    });
    assert.equal(records.length, 2);
    assert.equal(summary.completed, 2);
    assert.equal(summary.warmup_requests, 3);
    assert.equal(server.bodies.length, 5);
    assert.deepEqual(server.bodies.slice(0, 3).map((b) => b.max_tokens), [32, 32, 32]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("runBenchmark() records never-sent requests as aborted when the signal fires", async () => {
  const server = startSseFixture({ firstMs: 0, gapMs: 0 });
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    const { summary, records } = await runBenchmark({
      baseUrl: server.url,
      model: "ok",
      requests: requests(10, 1),
      requestRate: 20,
      burstiness: Infinity,
      signal: controller.signal,
    });
    assert.equal(records.length, 10);
    assert.ok(summary.errors_by_class.aborted! >= 7, JSON.stringify(summary.errors_by_class));
    assert.equal(records[9]!.sent_ms, null);
  } finally {
    await server.shutdown();
  }
});

Deno.test("runBenchmark() non-streaming sets TTFT = E2E and takes tokens from usage", async () => {
  const server = startSseFixture();
  try {
    const { records } = await runBenchmark({
      baseUrl: server.url,
      model: "ok",
      endpoint: "completions",
      requests: requests(1, 6),
      stream: false,
    });
    const r = records[0]!;
    assert.equal(r.success, true);
    assert.equal(r.ttft_ms, r.e2e_ms);
    assert.deepEqual(r.itl_ms, []);
    assert.equal(r.output_tokens, 6);
    assert.equal(r.cached_tokens, 3);
    assert.equal(server.bodies[0]!.prompt, "hello 0");
  } finally {
    await server.shutdown();
  }
});
