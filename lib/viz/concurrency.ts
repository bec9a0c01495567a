/**
 * Metrics against client concurrency, one line per deployment (strategy, or strategy · label):
 * Dynamo's p50 inter-token latency, average TTFT and request throughput vs concurrency plots.
 * Several runs at one concurrency are averaged.
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

/** Options for the concurrency plots. */
export interface ConcurrencyOptions extends RowOptions {
  by?: SeriesBy;
  title?: string;
  /** Column holding the concurrency. @default {"max_concurrency"} */
  concurrencyColumn?: string;
  /** Log-2 x axis (concurrency 1, 2, 4, … 128). @default {true} */
  logX?: boolean;
}

/** One line per deployment of `metric`'s mean against concurrency. */
export function metricVsConcurrency(csv: CsvInput, metric: string, options: ConcurrencyOptions = {}): Figure {
  const rows = resultRows(csv, options);
  requireMetric(rows, metric, "metricVsConcurrency");
  const column = options.concurrencyColumn ?? "max_concurrency";
  requireMetric(rows, column, "metricVsConcurrency");
  const nameOf = seriesNamer(rows, options.by);
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    const c = numeric(row, column);
    const value = numeric(row, metric);
    if (c === undefined || value === undefined) continue;
    const key = `${nameOf(row)}\u0000${c}`;
    groups.set(key, [...(groups.get(key) ?? []), value]);
  }
  const points = [...groups.entries()].map(([key, values]) => {
    const [series, c] = key.split("\u0000") as [string, string];
    const s = stats(values)!;
    return { series, concurrency: Number(c), value: s.mean, min: s.min, max: s.max, runs: s.n };
  }).sort((a, b) => a.concurrency - b.concurrency);
  const names = orderSeries(points.map((p) => p.series));
  const colors = seriesColors(names);
  const levels = [...new Set(points.map((p) => p.concurrency))].sort((a, b) => a - b);
  const logX = (options.logX ?? true) && levels[0]! > 0;
  const label = metricLabel(metric);
  return new Figure({
    name: `${metric}_vs_concurrency`,
    title: options.title ?? `${label} vs concurrency`,
    subtitle: `One line per deployment; points are means over runs, whiskers min–max (${
      lowerIsBetter(metric) ? "lower" : "higher"
    } is better).`,
    legend: names.map((name, i) => ({ label: name, color: colors[i]!, shape: "line" })),
    panels: [{
      height: 380,
      plot: {
        marginLeft: 64,
        marginBottom: 44,
        grid: true,
        x: {
          label: "Concurrency (requests in flight per client)",
          labelAnchor: "center",
          labelArrow: "none",
          inset: 12,
          ...(logX ? { type: "log", base: 2, ticks: levels, tickFormat: (v: number) => String(v) } : {}),
        },
        y: { label, labelArrow: "none", zero: true, nice: true },
        color: { domain: names, range: colors },
        marks: [
          Plot.ruleY([0]),
          Plot.ruleX(points.filter((p) => p.max > p.min), {
            x: "concurrency",
            y1: "min",
            y2: "max",
            stroke: "series",
            strokeOpacity: 0.6,
          }),
          Plot.lineY(points, {
            x: "concurrency",
            y: "value",
            stroke: "series",
            strokeWidth: 2,
            marker: "circle",
          }),
        ],
      },
    }],
  }, points);
}

/** Dynamo's p50 inter-token latency vs concurrency (`median_itl_ms`). */
export function itlVsConcurrency(csv: CsvInput, options: ConcurrencyOptions = {}): Figure {
  return metricVsConcurrency(csv, "median_itl_ms", {
    title: "P50 inter-token latency vs concurrency",
    ...options,
  });
}

/** Dynamo's average time to first token vs concurrency (`mean_ttft_ms`). */
export function ttftVsConcurrency(csv: CsvInput, options: ConcurrencyOptions = {}): Figure {
  return metricVsConcurrency(csv, "mean_ttft_ms", {
    title: "Average time to first token vs concurrency",
    ...options,
  });
}

/** Dynamo's request throughput vs concurrency (`request_throughput_per_s`). */
export function throughputVsConcurrency(csv: CsvInput, options: ConcurrencyOptions = {}): Figure {
  return metricVsConcurrency(csv, "request_throughput_per_s", {
    title: "Request throughput vs concurrency",
    ...options,
  });
}
