// Goal: /metrics text is vLLM V1's: exact names, types, labels and bucket boundaries, `_created`
// series, and it passes `promtool check metrics` (apart from the two lint rules vLLM itself breaks).
// Method: render an engine's metrics after some traffic in virtual time; run promtool when installed.
import assert from "node:assert/strict";
import {
  build125Buckets,
  ITL_BUCKETS,
  REQUEST_LATENCY_BUCKETS,
  TTFT_BUCKETS,
} from "../../lib/engine/metrics.ts";
import { parsePrometheusText } from "../../lib/prom/mod.ts";
import { promptIds, VirtualEngine } from "./_virtual.ts";

function renderAfterTraffic(): string {
  const engine = new VirtualEngine({ model: "m", engineIndex: "0", numGpuBlocks: 40, maxModelLen: 600 });
  for (let i = 0; i < 6; i++) engine.submit(promptIds(150, i % 2), 60, { ignoreEos: false });
  engine.runToIdle();
  return engine.core.renderMetrics();
}

const V1_TYPES: Record<string, string> = {
  "vllm:num_requests_running": "gauge",
  "vllm:num_requests_waiting": "gauge",
  "vllm:kv_cache_usage_perc": "gauge",
  "vllm:engine_sleep_state": "gauge",
  "vllm:cache_config_info": "gauge",
  "vllm:prompt_tokens_total": "counter",
  "vllm:generation_tokens_total": "counter",
  "vllm:request_success_total": "counter",
  "vllm:num_preemptions_total": "counter",
  "vllm:prefix_cache_queries_total": "counter",
  "vllm:prefix_cache_hits_total": "counter",
  "vllm:external_prefix_cache_queries_total": "counter",
  "vllm:external_prefix_cache_hits_total": "counter",
  "vllm:mm_cache_queries_total": "counter",
  "vllm:mm_cache_hits_total": "counter",
  "vllm:prompt_tokens_by_source_total": "counter",
  "vllm:prompt_tokens_cached_total": "counter",
  "vllm:prompt_tokens_recomputed_total": "counter",
  "vllm:time_to_first_token_seconds": "histogram",
  "vllm:inter_token_latency_seconds": "histogram",
  "vllm:request_time_per_output_token_seconds": "histogram",
  "vllm:e2e_request_latency_seconds": "histogram",
  "vllm:request_queue_time_seconds": "histogram",
  "vllm:request_prefill_time_seconds": "histogram",
  "vllm:request_decode_time_seconds": "histogram",
  "vllm:request_inference_time_seconds": "histogram",
  "vllm:request_prompt_tokens": "histogram",
  "vllm:request_generation_tokens": "histogram",
  "vllm:request_max_num_generation_tokens": "histogram",
  "vllm:request_params_max_tokens": "histogram",
  "vllm:request_params_n": "histogram",
  "vllm:iteration_tokens_total": "histogram",
  "vllm:request_prefill_kv_computed_tokens": "histogram",
  "vllm:request_num_preemptions": "histogram",
};

Deno.test("EngineMetrics exposes every V1 family with its type, model_name + engine labels and _created", () => {
  const text = renderAfterTraffic();
  for (const [name, type] of Object.entries(V1_TYPES)) {
    assert.ok(text.includes(`# TYPE ${name} ${type}\n`), `missing '# TYPE ${name} ${type}'`);
    const created = name.replace(/_total$/, "") + "_created";
    if (type !== "gauge") {
      assert.ok(
        text.includes(`# TYPE ${name === "vllm:iteration_tokens_total" ? name + "_created" : created} gauge`),
        `missing ${created}`,
      );
    }
  }
  for (const sample of parsePrometheusText(text)) {
    if (sample.name === "vllm:cache_config_info") continue;
    assert.equal(sample.labels.model_name, "m", sample.name);
    assert.equal(sample.labels.engine, "0", sample.name);
  }
  for (const reason of ["stop", "length", "abort", "error", "repetition"]) {
    assert.ok(
      text.includes(`vllm:request_success_total{model_name="m",engine="0",finished_reason="${reason}"}`),
    );
  }
});

Deno.test("EngineMetrics histograms use vLLM's exact bucket boundaries", () => {
  const samples = parsePrometheusText(renderAfterTraffic());
  const bounds = (name: string) => samples.filter((s) => s.name === `${name}_bucket`).map((s) => s.labels.le);
  const asLe = (buckets: readonly number[]) => [...buckets.map((b) => String(b)), "+Inf"];
  assert.deepEqual(bounds("vllm:time_to_first_token_seconds"), asLe(TTFT_BUCKETS));
  assert.deepEqual(bounds("vllm:inter_token_latency_seconds"), asLe(ITL_BUCKETS));
  assert.deepEqual(bounds("vllm:e2e_request_latency_seconds"), asLe(REQUEST_LATENCY_BUCKETS));
  assert.deepEqual(bounds("vllm:request_prompt_tokens"), asLe([1, 2, 5, 10, 20, 50, 100, 200, 500]));
  assert.deepEqual(TTFT_BUCKETS.slice(0, 3), [0.001, 0.005, 0.01]);
  assert.equal(TTFT_BUCKETS[TTFT_BUCKETS.length - 1], 2560);
  assert.equal(REQUEST_LATENCY_BUCKETS[REQUEST_LATENCY_BUCKETS.length - 1], 7680);
  assert.deepEqual(build125Buckets(32768).slice(-2), [10000, 20000]);
});

Deno.test({
  name: "EngineMetrics text passes promtool check metrics (only vLLM's own colon and _total lint remain)",
  async fn() {
    let promtool: Deno.ChildProcess;
    try {
      promtool = new Deno.Command("promtool", {
        args: ["check", "metrics"],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        console.warn("SKIPPED: promtool is not installed (Debian package 'prometheus'); CI installs it");
        return;
      }
      throw error;
    }
    const writer = promtool.stdin.getWriter();
    await writer.write(new TextEncoder().encode(renderAfterTraffic()));
    await writer.close();
    const output = await promtool.output();
    const problems = (new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr))
      .split("\n").filter((line) => line.trim() !== "")
      .filter((line) => !line.endsWith("metric names should not contain ':'"))
      .filter((line) =>
        line !== 'vllm:iteration_tokens_total non-counter metrics should not have "_total" suffix'
      );
    assert.deepEqual(problems, []);
  },
});
