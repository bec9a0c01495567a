/**
 * `prefixRatio`: Dynamo's prefix-ratio benchmark plot, TTFT and throughput against the fraction of
 * each prompt that is a shared prefix, one line per strategy, side by side.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure } from "./figure.ts";
import {
  numeric,
  requireMetric,
  resultRows,
  type Row,
  type SeriesBy,
  seriesNamer,
  stats,
} from "./results_csv.ts";
import { metricLabel, orderSeries, seriesColors } from "./theme.ts";

/**
 * A prefix-ratio summary: a `results_summary.json` path (`{results: [...]}` or an array), a CSV
 * path, or rows; each row has a prefix ratio, a TTFT and a throughput column.
 */
export type PrefixRatioInput = string | readonly Row[] | { results: readonly Row[] };

/** Options for {@linkcode prefixRatio}. */
export interface PrefixRatioOptions {
  by?: SeriesBy;
  title?: string;
  /** @default {"prefix_ratio"} */
  ratioColumn?: string;
  /** @default {"mean_ttft_ms"} */
  ttftColumn?: string;
  /** @default {"output_throughput_tokens_per_s"} */
  throughputColumn?: string;
}

/** Two panels: TTFT vs prefix ratio and throughput vs prefix ratio. */
export function prefixRatio(summary: PrefixRatioInput, options: PrefixRatioOptions = {}): Figure {
  const rows = resultRows(readSummary(summary));
  const ratioColumn = options.ratioColumn ?? "prefix_ratio";
  const ttftColumn = options.ttftColumn ?? "mean_ttft_ms";
  const throughputColumn = options.throughputColumn ?? "output_throughput_tokens_per_s";
  for (const column of [ratioColumn, ttftColumn, throughputColumn]) {
    requireMetric(rows, column, "prefixRatio");
  }
  const nameOf = seriesNamer(rows, options.by);
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const ratio = numeric(row, ratioColumn);
    if (ratio === undefined) continue;
    const key = `${nameOf(row)}\u0000${ratio}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const points = [...groups.entries()].map(([key, group]) => {
    const [series, ratio] = key.split("\u0000") as [string, string];
    const mean = (column: string) => stats(group.flatMap((row) => numeric(row, column) ?? []))?.mean ?? NaN;
    return {
      series,
      prefixRatio: Number(ratio),
      ttftMs: mean(ttftColumn),
      throughput: mean(throughputColumn),
      runs: group.length,
    };
  }).sort((a, b) => a.prefixRatio - b.prefixRatio);
  const names = orderSeries(points.map((p) => p.series));
  const colors = seriesColors(names);
  const panel = (y: "ttftMs" | "throughput", label: string, title: string) => ({
    title,
    height: 340,
    plot: {
      marginLeft: 64,
      marginBottom: 44,
      grid: true,
      x: {
        label: "Prefix ratio (shared fraction of prompt)",
        labelAnchor: "center" as const,
        labelArrow: "none" as const,
        domain: [0, 1],
      },
      y: { label, labelArrow: "none" as const, zero: true, nice: true },
      color: { domain: names, range: colors },
      marks: [
        Plot.ruleY([0]),
        Plot.lineY(points, { x: "prefixRatio", y, stroke: "series", strokeWidth: 2, marker: "circle" }),
      ],
    },
  });
  return new Figure({
    name: "prefix_ratio_performance",
    title: options.title ?? "TTFT and throughput vs prefix ratio",
    subtitle: "One line per strategy; points are means over runs at each prefix ratio.",
    legend: names.map((name, i) => ({ label: name, color: colors[i]!, shape: "line" })),
    columns: 2,
    width: 900,
    panels: [
      panel("ttftMs", metricLabel(ttftColumn), "Time to first token"),
      panel("throughput", metricLabel(throughputColumn), "Throughput"),
    ],
  }, points);
}

function readSummary(summary: PrefixRatioInput): readonly Row[] {
  if (typeof summary !== "string") {
    return Array.isArray(summary) ? summary : (summary as { results: Row[] }).results;
  }
  if (summary.endsWith(".csv")) return resultRows(summary);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Deno.readTextFileSync(summary));
  } catch (error) {
    throw new TypeError(
      `Cannot read prefix-ratio summary '${summary}': ${error instanceof Error ? error.message : error}`,
    );
  }
  if (Array.isArray(parsed)) return parsed;
  const results = (parsed as { results?: unknown }).results;
  if (!Array.isArray(results)) {
    throw new TypeError(`Prefix-ratio summary '${summary}' has no "results" array`);
  }
  return results;
}
