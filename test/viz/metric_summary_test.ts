// Goal: metricSummary() draws one bar per strategy with min–max whiskers and a dot per run, and
// matches its snapshot. Method: fixture CSV; SVG DOM queries; snapshot in __snapshots__ with a
// -changed file written on mismatch.
import assert from "node:assert/strict";
import { metricSummary } from "../../lib/viz/metric_summary.ts";
import { strategySweepRows } from "../../lib/viz/results_csv.ts";
import { STRATEGY_COLORS } from "../../lib/viz/theme.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("metricSummary() draws a bar per strategy, whiskers, run dots, axis title with units and legend", async () => {
  const { serveCsv } = await fixturePaths();
  const figure = metricSummary(strategySweepRows(serveCsv), "mean_ttft_ms");
  const dom = svgDom(figure);
  const bars = dom.marks("bar");
  assert.equal(bars.length, 4);
  assert.ok(bars.some((bar) => bar.getAttribute("fill") === STRATEGY_COLORS.pow2));
  assert.equal(dom.marks("dot").length, 8);
  assert.equal(dom.marks("tick").length, 8);
  const texts = dom.texts();
  for (const label of ["Mean TTFT (ms)", "round_robin", "pow2", "prefix_aware", "kv_aware"]) {
    assert.ok(texts.some((t) => t.includes(label)), `missing ${label}`);
  }
  const pow2 = figure.data.find((d) => d.series === "pow2")!;
  assert.ok((pow2.min as number) <= (pow2.mean as number) && (pow2.mean as number) <= (pow2.max as number));
});

Deno.test("metricSummary() works on engine CSVs and names the numeric columns when the metric is missing", async () => {
  const { engineCsv } = await fixturePaths();
  const figure = metricSummary(engineCsv, "prefix_cache_hit_rate", { where: { label: "fixture" } });
  assert.equal(svgDom(figure).marks("bar").length, 4);
  assert.throws(
    () => metricSummary(engineCsv, "no_such_metric"),
    /no numeric values in column 'no_such_metric'.*mean_ttft_ms/,
  );
});

Deno.test("metricSummary() SVG matches its snapshot (writes -changed.svg on mismatch)", async () => {
  const { serveCsv } = await fixturePaths();
  const svg = metricSummary(strategySweepRows(serveCsv), "mean_ttft_ms").toSvg();
  const path = new URL("./__snapshots__/metric_summary_mean_ttft_ms.svg", import.meta.url);
  const changed = new URL("./__snapshots__/metric_summary_mean_ttft_ms-changed.svg", import.meta.url);
  let expected: string | undefined;
  try {
    expected = await Deno.readTextFile(path);
  } catch {
    await Deno.mkdir(new URL("./__snapshots__/", import.meta.url), { recursive: true });
    await Deno.writeTextFile(path, svg);
    return;
  }
  if (svg !== expected) {
    await Deno.writeTextFile(changed, svg);
    assert.fail(`snapshot differs: review ${changed.pathname} and replace the snapshot if intended`);
  }
  await Deno.remove(changed).catch(() => {});
});
