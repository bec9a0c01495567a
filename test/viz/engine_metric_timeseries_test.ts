// Goal: engineMetricTimeseries() plots histogram means, counter rates and gauges per replica and
// downsamples big series with a note. Method: fixture runs and a 1M-point in-memory run.
import assert from "node:assert/strict";
import { engineMetricTimeseries } from "../../lib/viz/engine_metric_timeseries.ts";
import { runFromParts } from "../../lib/viz/run_folder.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("engineMetricTimeseries() draws histogram means in ms per replica (Ray's ray_ prefix accepted)", async () => {
  const { pow2Run } = await fixturePaths();
  const figure = engineMetricTimeseries(pow2Run, "ray_vllm:time_to_first_token_seconds", { windowS: 1 });
  const dom = svgDom(figure);
  assert.equal(dom.marks("line").length, 5);
  assert.ok(dom.texts().includes("Mean TTFT (ms)"));
  assert.ok(figure.data.every((d) => (d.value as number) > 1 && (d.value as number) < 2000));
});

Deno.test("engineMetricTimeseries() draws counters as rates and gauges as scraped", async () => {
  const { pow2Run } = await fixturePaths();
  const rate = engineMetricTimeseries(pow2Run, "generation_tokens_total");
  assert.ok(svgDom(rate).texts().includes("Rate of generated tokens (per s)"));
  const gauge = engineMetricTimeseries(pow2Run, "kv_cache_usage_perc");
  assert.ok(svgDom(gauge).texts().includes("KV cache usage"));
  assert.throws(
    () => engineMetricTimeseries(pow2Run, "nope"),
    /metric 'nope' not found.*vllm:kv_cache_usage_perc/,
  );
});

Deno.test("engineMetricTimeseries() downsamples a 1,000,000-point gauge and says so on the plot", () => {
  const n = 1_000_000;
  const lines = (function* () {
    for (let i = 0; i < n; i++) {
      yield {
        t_ms: i * 10,
        target: `engine-${i % 4}`,
        metrics: { 'vllm:num_requests_running{engine="0"}': (i * 7919) % 13 },
      };
    }
  })();
  const run = runFromParts({ id: "big", lines });
  const figure = engineMetricTimeseries(run, "vllm:num_requests_running");
  assert.ok(figure.data.length <= 8000);
  assert.match(figure.spec.notes!.join(" "), /Downsampled for display: 1,000,000/);
  assert.ok(svgDom(figure).texts().some((t) => t.includes("Downsampled for display")));
});
