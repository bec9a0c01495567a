// Goal: prefixRatio() draws TTFT and throughput against prefix ratio, one line per strategy.
// Method: the fixture results_summary.json and hand-made rows.
import assert from "node:assert/strict";
import { prefixRatio } from "../../lib/viz/prefix_ratio.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("prefixRatio() reads a results_summary.json and draws two panels of lines per strategy", async () => {
  const { prefixSummary } = await fixturePaths();
  const dom = svgDom(prefixRatio(prefixSummary));
  assert.equal(dom.marks("line").length, 4);
  const texts = dom.texts();
  for (
    const label of [
      "Mean TTFT (ms)",
      "Output throughput (tok/s)",
      "Prefix ratio (shared fraction of prompt)",
      "pow2",
      "kv_aware",
    ]
  ) {
    assert.ok(texts.includes(label), `missing ${label}`);
  }
});

Deno.test("prefixRatio() accepts rows with custom columns and averages repeats", () => {
  const rows = [
    { strategy: "pow2", ratio: 0.5, ttft: 100, tput: 1 },
    { strategy: "pow2", ratio: 0.5, ttft: 200, tput: 3 },
  ];
  const figure = prefixRatio(rows, { ratioColumn: "ratio", ttftColumn: "ttft", throughputColumn: "tput" });
  assert.deepEqual(figure.data, [{ series: "pow2", prefixRatio: 0.5, ttftMs: 150, throughput: 2, runs: 2 }]);
  assert.throws(() => prefixRatio([{ strategy: "pow2" }]), /prefix_ratio/);
});
