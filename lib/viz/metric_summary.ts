/**
 * `metricSummary`: one bar per strategy (or label) with the mean of a metric across runs, min–max
 * whiskers and a dot per run. Works for serve and engine CSVs (Ray's plot_serve_metric_summary and
 * plot_vllm_metric_summary).
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure } from "./figure.ts";
import {
  type CsvInput,
  numeric,
  requireMetric,
  resultRows,
  type RowOptions,
  type SeriesBy,
  seriesNamer,
  stats,
} from "./results_csv.ts";
import { lowerIsBetter, metricLabel, orderSeries, seriesColors } from "./theme.ts";

/** Options for {@linkcode metricSummary}. */
export interface MetricSummaryOptions extends RowOptions {
  /** Group rows by strategy, label or both. @default {"auto"} */
  by?: SeriesBy;
  title?: string;
  /** Axis title override (default: derived from the column name, with units). */
  metricLabel?: string;
}

/** Bars of `metric`'s mean per series with min–max whiskers and per-run dots. */
export function metricSummary(csv: CsvInput, metric: string, options: MetricSummaryOptions = {}): Figure {
  const rows = resultRows(csv, options);
  requireMetric(rows, metric, "metricSummary");
  const nameOf = seriesNamer(rows, options.by);
  const runs = rows.flatMap((row) => {
    const value = numeric(row, metric);
    return value === undefined ? [] : [{ series: nameOf(row), value, run_id: String(row.run_id ?? "") }];
  });
  const names = orderSeries(runs.map((run) => run.series));
  const colors = seriesColors(names);
  const summary = names.map((series) => {
    const s = stats(runs.filter((run) => run.series === series).map((run) => run.value))!;
    return { series, mean: s.mean, min: s.min, max: s.max, runs: s.n };
  });
  const label = options.metricLabel ?? metricLabel(metric);
  const longest = Math.max(...names.map((name) => name.length));
  const direction = lowerIsBetter(metric) ? "lower is better" : "higher is better";
  const format = (v: number) =>
    v.toLocaleString("en-US", { maximumFractionDigits: Math.abs(v) >= 100 ? 0 : 2 });
  return new Figure({
    name: `metric_summary_${metric}`,
    title: options.title ?? `${label} per ${options.by === "label" ? "label" : "strategy"}`,
    subtitle:
      `Bar: mean across runs; whisker: min–max; dots: individual runs (${runs.length} runs, ${direction}).`,
    legend: names.map((name, i) => ({ label: name, color: colors[i]! })),
    panels: [{
      height: Math.max(180, 70 + names.length * 40),
      plot: {
        marginLeft: Math.min(260, 16 + longest * 7.5),
        marginRight: 70,
        marginBottom: 44,
        x: { label, grid: true, labelAnchor: "center", labelArrow: "none", nice: true, zero: true },
        y: { label: null, domain: names, padding: 0.3 },
        color: { domain: names, range: colors },
        marks: [
          Plot.barX(summary, { y: "series", x: "mean", fill: "series", fillOpacity: 0.85 }),
          Plot.ruleY(summary, { y: "series", x1: "min", x2: "max", stroke: "#333", strokeWidth: 1.5 }),
          Plot.tickX(summary, { y: "series", x: "min", stroke: "#333", strokeWidth: 1.5, inset: 8 }),
          Plot.tickX(summary, { y: "series", x: "max", stroke: "#333", strokeWidth: 1.5, inset: 8 }),
          Plot.dot(runs, { y: "series", x: "value", r: 3, fill: "white", stroke: "#333", strokeWidth: 1 }),
          Plot.text(summary, {
            y: "series",
            x: "max",
            text: (d: { mean: number }) => format(d.mean),
            dx: 8,
            textAnchor: "start",
            fill: "#222",
          }),
          Plot.ruleX([0]),
        ],
      },
    }],
  }, summary);
}
