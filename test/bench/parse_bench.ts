/**
 * Cost of parsing one vLLM-sized /metrics text (12 histograms × 20 buckets + counters + gauges, the
 * scraper bench's payload) and of the scraper's per-scrape work (parse + JSON line).
 *
 *   deno bench -A test/bench/parse_bench.ts
 *
 * @module
 */
import {
  formatTimeseriesRecord,
  parsePrometheusMetrics,
  parsePrometheusText,
  Registry,
} from "../../lib/prom/mod.ts";
import { TTFT_BUCKETS } from "../../lib/engine/metrics.ts";

const registry = new Registry();
const labels = { engine: "0", model_name: "Qwen/Qwen2.5-1.5B-Instruct" };
for (let i = 0; i < 12; i++) {
  const h = registry.histogram({
    name: `vllm:h${i}_seconds`,
    help: "h",
    labelNames: ["engine", "model_name"],
    buckets: TTFT_BUCKETS,
  });
  for (let k = 0; k < 100; k++) h.labels(labels).observe(k / 10);
}
for (const name of ["prompt_tokens", "generation_tokens", "prefix_cache_queries", "prefix_cache_hits"]) {
  registry.counter({ name: `vllm:${name}`, help: name, labelNames: ["engine", "model_name"] }).labels(labels)
    .inc(12345);
}
const text = registry.render();
const lines = text.split("\n").length;

Deno.bench(`parsePrometheusText() of ${lines} lines (${text.length} bytes)`, () => {
  parsePrometheusText(text);
});
Deno.bench(`parsePrometheusMetrics() + formatTimeseriesRecord() of ${lines} lines`, () => {
  formatTimeseriesRecord({ t_ms: 1, target: "engine-0", metrics: parsePrometheusMetrics(text) });
});
