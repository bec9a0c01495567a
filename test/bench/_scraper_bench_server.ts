/**
 * Subprocess for scraper_bench.ts: N Deno.serve endpoints serving vLLM-sized /metrics text from a
 * Registry (12 histograms × 20 buckets, counters, gauges: ~300 lines) and one SSE endpoint
 * `/stream?tokens=N&itl_ms=M` that streams N `data:` chunks M ms apart, then `data: [DONE]`.
 * Prints one JSON line `{"metrics_ports": [...], "stream_port": p}` when ready; exits on SIGTERM.
 * @module
 */
import { EXPOSITION_CONTENT_TYPE, Registry } from "../../lib/prom/mod.ts";
import { TTFT_BUCKETS } from "../../lib/engine/metrics.ts";

const endpoints = Number(Deno.args[0] ?? "16");

function engineRegistry(engine: number): Registry {
  const registry = new Registry();
  const labels = { engine: String(engine), model_name: "Qwen/Qwen2.5-1.5B-Instruct" };
  const histograms = Array.from(
    { length: 12 },
    (_, i) =>
      registry.histogram({
        name: `vllm:bench_histogram_${i}_seconds`,
        help: `Histogram ${i}`,
        labelNames: ["engine", "model_name"],
        buckets: TTFT_BUCKETS,
      }).labels(labels),
  );
  const counters = ["prompt_tokens", "generation_tokens", "prefix_cache_queries", "prefix_cache_hits"].map((
    name,
  ) =>
    registry.counter({ name: `vllm:${name}`, help: name, labelNames: ["engine", "model_name"] }).labels(
      labels,
    )
  );
  const gauges = ["num_requests_running", "num_requests_waiting", "kv_cache_usage_perc"].map((name) =>
    registry.gauge({ name: `vllm:${name}`, help: name, labelNames: ["engine", "model_name"] }).labels(labels)
  );
  let step = 0;
  setInterval(() => {
    step++;
    for (const histogram of histograms) histogram.observe((step % 97) / 10);
    for (const counter of counters) counter.inc(step % 13);
    for (const gauge of gauges) gauge.set(step % 7);
  }, 50);
  return registry;
}

const metricsServers = Array.from({ length: endpoints }, (_, engine) => {
  const registry = engineRegistry(engine);
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(registry.render(), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } }),
  );
});

const encoder = new TextEncoder();
const streamServer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
  const url = new URL(request.url);
  const tokens = Number(url.searchParams.get("tokens") ?? "100");
  const itlMs = Number(url.searchParams.get("itl_ms") ?? "10");
  let sent = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const next = () => {
        if (sent >= tokens) {
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
          return;
        }
        sent++;
        const chunk = {
          id: "cmpl-bench",
          object: "text_completion",
          choices: [{ index: 0, text: ` word${sent}`, finish_reason: null }],
        };
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
        timer = setTimeout(next, itlMs);
      };
      next();
    },
    cancel() {
      clearTimeout(timer);
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
});

Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
console.log(
  JSON.stringify({
    metrics_ports: metricsServers.map((s) => s.addr.port),
    stream_port: streamServer.addr.port,
  }),
);
