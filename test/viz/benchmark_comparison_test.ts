// Goal: benchmarkComparison() shows each strategy's metrics as ratios to the baseline. Method:
// fixture CSV and tiny hand-made rows with known ratios.
import assert from "node:assert/strict";
import { benchmarkComparison } from "../../lib/viz/benchmark_comparison.ts";
import { strategySweepRows } from "../../lib/viz/results_csv.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("benchmarkComparison() draws a bar per strategy per metric and a rule at 1", async () => {
  const { serveCsv } = await fixturePaths();
  const dom = svgDom(benchmarkComparison(strategySweepRows(serveCsv), { baseline: "pow2" }));
  assert.equal(dom.marks("bar").length, 16);
  const texts = dom.texts();
  for (
    const label of [
      "Mean TTFT (ms)",
      "Mean TPOT (ms)",
      "Mean E2E latency (ms)",
      "Output throughput (tok/s)",
      "Ratio to baseline (×)",
    ]
  ) {
    assert.ok(texts.includes(label), `missing ${label}`);
  }
});

Deno.test("benchmarkComparison() computes mean ratios and rejects an absent baseline", () => {
  const rows = [
    { strategy: "pow2", mean_ttft_ms: 100, output_throughput_tokens_per_s: 10 },
    { strategy: "pow2", mean_ttft_ms: 300, output_throughput_tokens_per_s: 30 },
    { strategy: "kv_aware", mean_ttft_ms: 100, output_throughput_tokens_per_s: 40 },
  ];
  const figure = benchmarkComparison(rows, { metrics: ["mean_ttft_ms", "output_throughput_tokens_per_s"] });
  const ratio = (series: string, column: string) =>
    figure.data.find((d) => d.series === series && d.column === column)!.ratio;
  assert.equal(ratio("kv_aware", "mean_ttft_ms"), 0.5);
  assert.equal(ratio("kv_aware", "output_throughput_tokens_per_s"), 2);
  assert.throws(
    () => benchmarkComparison(rows, { baseline: "random", metrics: ["mean_ttft_ms"] }),
    /baseline 'random'.*pow2, kv_aware/,
  );
});
