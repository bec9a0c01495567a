/**
 * `benchmarkComparison`: each strategy's TTFT, TPOT, E2E latency and throughput as a ratio of a
 * baseline strategy's (Ray's plot_benchmark_comparison: "prefix-aware vs pow2").
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
import { metricLabel, orderSeries, seriesColors } from "./theme.ts";

/** Options for {@linkcode benchmarkComparison}. */
export interface BenchmarkComparisonOptions extends RowOptions {
  /** Series the others are divided by. @default {"pow2"} */
  baseline?: string;
  /** Metric columns compared. */
  metrics?: string[];
  by?: SeriesBy;
  title?: string;
}

const DEFAULT_METRICS = [
  "mean_ttft_ms",
  "mean_tpot_ms",
  "mean_e2e_latency_ms",
  "output_throughput_tokens_per_s",
];

/** Grouped bars: for each metric, every series' mean divided by the baseline's mean. */
export function benchmarkComparison(csv: CsvInput, options: BenchmarkComparisonOptions = {}): Figure {
  const rows = resultRows(csv, options);
  const metrics = options.metrics ?? DEFAULT_METRICS;
  for (const metric of metrics) requireMetric(rows, metric, "benchmarkComparison");
  const nameOf = seriesNamer(rows, options.by);
  const names = orderSeries(rows.map(nameOf));
  const baseline = options.baseline ?? "pow2";
  const baselineName = names.includes(baseline)
    ? baseline
    : names.find((name) => name.split(" · ")[0] === baseline);
  if (baselineName === undefined) {
    throw new TypeError(
      `benchmarkComparison: baseline '${baseline}' is not among the series: ${names.join(", ")}`,
    );
  }
  const meanOf = (series: string, metric: string) =>
    stats(rows.filter((row) => nameOf(row) === series).flatMap((row) => numeric(row, metric) ?? []))?.mean;
  const metricNames = metrics.map((metric) => metricLabel(metric));
  const ratios = metrics.flatMap((metric, m) => {
    const base = meanOf(baselineName, metric);
    return names.flatMap((series) => {
      const value = meanOf(series, metric);
      if (value === undefined || base === undefined || base === 0) return [];
      return [{
        metric: metricNames[m]!,
        column: metric,
        series,
        ratio: value / base,
        value,
        baseline: base,
      }];
    });
  });
  const colors = seriesColors(names);
  const maxRatio = Math.max(1.2, ...ratios.map((r) => r.ratio)) * 1.12;
  return new Figure({
    name: `benchmark_comparison_vs_${baseline}`,
    title: options.title ?? `Strategies relative to ${baselineName}`,
    subtitle: `Mean of each metric divided by ${baselineName}'s mean (1.0 = same as baseline). ` +
      `Latencies: lower is better; throughput: higher is better.`,
    legend: names.map((name, i) => ({ label: name, color: colors[i]! })),
    panels: [{
      height: 400,
      plot: {
        marginLeft: 56,
        marginBottom: 30,
        marginTop: 30,
        fx: { label: null, domain: metricNames, padding: 0.12 },
        x: { axis: null, domain: names, paddingInner: 0.08 },
        y: { label: "Ratio to baseline (×)", labelArrow: "none", grid: true, domain: [0, maxRatio] },
        color: { domain: names, range: colors },
        marks: [
          Plot.barY(ratios, { fx: "metric", x: "series", y: "ratio", fill: "series" }),
          Plot.ruleY([1], { stroke: "#222", strokeDasharray: "4,3" }),
          Plot.text(ratios, {
            fx: "metric",
            x: "series",
            y: "ratio",
            text: (d: { ratio: number }) => d.ratio.toFixed(2),
            dy: -7,
            fontSize: names.length > 5 ? 8 : 10,
          }),
          Plot.ruleY([0]),
        ],
      },
    }],
    notes: [
      `Baseline means: ${metrics.map((m) => `${m} = ${formatNumber(meanOf(baselineName, m))}`).join(", ")}.`,
    ],
  }, ratios);
}

function formatNumber(value: number | undefined): string {
  return value === undefined ? "n/a" : value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}
