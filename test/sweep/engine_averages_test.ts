// Goal: engineAverages() turns per-replica first/last scrapes into the engine CSV's columns: window
// means in ms averaged over replicas that observed something, per-replica counter increases, and a
// ratio-of-sums prefix-cache hit rate; scrapeWindows() picks each target's first and last good scrape.
// Method: two vLLM-named Registries observed before and during the window; records built by hand.
import assert from "node:assert/strict";
import { parsePrometheusMetrics, Registry, type TimeseriesRecord } from "../../lib/prom/mod.ts";
import { ENGINE_METRIC_COLUMNS, engineAverages, scrapeWindows } from "../../lib/sweep/mod.ts";

function engine() {
  const registry = new Registry();
  const labels = { model_name: "m", engine: "0" };
  const h = (name: string) =>
    registry.histogram({ name, help: name, labelNames: ["model_name", "engine"], buckets: [0.1, 1] }).labels(
      labels,
    );
  const c = (name: string) =>
    registry.counter({ name, help: name, labelNames: ["model_name", "engine"] }).labels(labels);
  return {
    registry,
    ttft: h("vllm:time_to_first_token_seconds"),
    itl: h("vllm:inter_token_latency_seconds"),
    prompt: c("vllm:prompt_tokens"),
    hits: c("vllm:prefix_cache_hits"),
    queries: c("vllm:prefix_cache_queries"),
    scrape: () => parsePrometheusMetrics(registry.render()),
  };
}

Deno.test("engineAverages() averages window means over replicas and sums the hit rate", () => {
  const a = engine();
  const b = engine();
  a.ttft.observe(9); // before the window
  a.prompt.inc(1000);
  const firstA = a.scrape();
  const firstB = b.scrape();
  a.ttft.observe(0.1);
  a.ttft.observe(0.3); // replica a: mean 200 ms
  b.ttft.observe(0.6); // replica b: mean 600 ms
  a.itl.observe(0.02); // only a has ITL observations
  a.prompt.inc(100);
  b.prompt.inc(300);
  a.hits.inc(50);
  a.queries.inc(100);
  b.queries.inc(300);
  const row = engineAverages([{ first: firstA, last: a.scrape() }, { first: firstB, last: b.scrape() }]);
  assert.equal(row.replicas_scraped, 2);
  assert.ok(Math.abs(row.mean_ttft_ms - 400) < 1e-9, `mean_ttft_ms ${row.mean_ttft_ms}`);
  assert.ok(Math.abs(row.mean_itl_ms - 20) < 1e-9, "a replica without observations does not count");
  assert.ok(Number.isNaN(row.mean_queue_time_ms), "no such histogram");
  assert.equal(row.prompt_tokens, 200);
  assert.equal(row.prefix_cache_hit_rate, 50 / 400);
  const columns = ENGINE_METRIC_COLUMNS.map((column) => column.name).sort();
  assert.deepEqual(Object.keys(row).sort(), columns, "exactly the engine CSV's metric columns");
});

Deno.test("scrapeWindows() keeps each target's first and last successful scrape", () => {
  const records: TimeseriesRecord[] = [
    { t_ms: 1, target: "engine-0", metrics: {}, error: "ECONNREFUSED" },
    { t_ms: 2, target: "engine-0", metrics: { x: 1 } },
    { t_ms: 2, target: "router", metrics: { r: 1 } },
    { t_ms: 3, target: "engine-0", metrics: { x: 2 } },
    { t_ms: 4, target: "engine-0", metrics: {}, error: "timeout" },
  ];
  const windows = scrapeWindows(records, (name) => name.startsWith("engine-"));
  assert.deepEqual([...windows.keys()], ["engine-0"]);
  assert.deepEqual(windows.get("engine-0"), { first: { x: 1 }, last: { x: 2 } });
});
