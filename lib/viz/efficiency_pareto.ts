/**
 * `efficiencyPareto`: Dynamo's GPU-efficiency plot, output tokens/s per GPU against output tokens/s
 * per user, one colour per deployment, with each deployment's Pareto front (no other point of that
 * deployment is better on both axes) drawn as a line through its points.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure } from "./figure.ts";
import {
  type CsvInput,
  numeric,
  resultRows,
  type RowOptions,
  type SeriesBy,
  seriesNamer,
} from "./results_csv.ts";
import { AGGREGATE_COLOR, orderSeries, seriesColors } from "./theme.ts";

/** Options for {@linkcode efficiencyPareto}. */
export interface EfficiencyParetoOptions extends RowOptions {
  by?: SeriesBy;
  title?: string;
  /** GPUs per engine (tensor parallelism); GPUs = num_servers × this. @default {1} */
  gpusPerServer?: number;
}

/** A point on the efficiency plot. */
export interface EfficiencyPoint {
  series: string;
  concurrency: number | undefined;
  tokensPerSPerUser: number;
  tokensPerSPerGpu: number;
  onFront: boolean;
}

/**
 * Indices of the Pareto-optimal points when both coordinates are to be maximised, ordered by x.
 * A point is dropped when another is at least as good on both axes and better on one.
 */
export function paretoFront(points: readonly { x: number; y: number }[]): number[] {
  const order = points.map((_, i) => i).sort((a, b) =>
    points[b]!.x - points[a]!.x || points[b]!.y - points[a]!.y
  );
  const front: number[] = [];
  let bestY = -Infinity;
  for (const i of order) {
    if (points[i]!.y > bestY) {
      front.push(i);
      bestY = points[i]!.y;
    }
  }
  return front.reverse();
}

/** Tokens/s/GPU vs tokens/s/user per run, with each deployment's Pareto front. */
export function efficiencyPareto(csv: CsvInput, options: EfficiencyParetoOptions = {}): Figure {
  const rows = resultRows(csv, options);
  const nameOf = seriesNamer(rows, options.by);
  const gpusPerServer = options.gpusPerServer ?? 1;
  const raw = rows.flatMap((row) => {
    const itlMs = numeric(row, "mean_tpot_ms") ?? numeric(row, "mean_itl_ms");
    const throughput = numeric(row, "output_throughput_tokens_per_s");
    const gpus = (numeric(row, "num_servers") ?? 1) * gpusPerServer;
    if (itlMs === undefined || itlMs <= 0 || throughput === undefined) return [];
    return [{
      series: nameOf(row),
      concurrency: numeric(row, "max_concurrency"),
      tokensPerSPerUser: 1000 / itlMs,
      tokensPerSPerGpu: throughput / gpus,
      onFront: false,
    }];
  });
  if (raw.length === 0) {
    throw new TypeError(
      "efficiencyPareto: no rows with mean_tpot_ms (or mean_itl_ms) and output_throughput_tokens_per_s",
    );
  }
  const names = orderSeries(raw.map((p) => p.series));
  const colors = seriesColors(names);
  for (const name of names) {
    const own = raw.filter((p) => p.series === name);
    for (const i of paretoFront(own.map((p) => ({ x: p.tokensPerSPerUser, y: p.tokensPerSPerGpu })))) {
      own[i]!.onFront = true;
    }
  }
  const points: EfficiencyPoint[] = raw;
  const front = points.filter((p) => p.onFront).sort((a, b) => a.tokensPerSPerUser - b.tokensPerSPerUser);
  return new Figure({
    name: "efficiency_tok_s_gpu_vs_user",
    title: options.title ?? "GPU efficiency: tokens/s/GPU vs tokens/s/user",
    subtitle:
      "Each point is one run (label: client concurrency). Lines join each deployment's Pareto front; " +
      "up and to the right is better. tokens/s/user = 1000 / mean TPOT (ms).",
    legend: [
      ...names.map((name, i) => ({ label: name, color: colors[i]!, shape: "dot" as const })),
      { label: "Pareto front", color: AGGREGATE_COLOR, shape: "line" },
    ],
    panels: [{
      height: 420,
      plot: {
        marginLeft: 70,
        marginBottom: 44,
        grid: true,
        x: {
          label: "Output tokens/s per user",
          labelAnchor: "center",
          labelArrow: "none",
          nice: true,
          inset: 12,
        },
        y: { label: "Output tokens/s per GPU", labelArrow: "none", zero: true, nice: true },
        color: { domain: names, range: colors },
        marks: [
          Plot.lineY(front, {
            x: "tokensPerSPerUser",
            y: "tokensPerSPerGpu",
            z: "series",
            stroke: "series",
            strokeWidth: 2,
          }),
          Plot.dot(points.filter((p) => !p.onFront), {
            x: "tokensPerSPerUser",
            y: "tokensPerSPerGpu",
            fill: "series",
            r: 3.5,
            fillOpacity: 0.45,
          }),
          Plot.dot(front, {
            x: "tokensPerSPerUser",
            y: "tokensPerSPerGpu",
            fill: "series",
            r: 5,
            stroke: "white",
          }),
          Plot.text(front.filter((p) => p.concurrency !== undefined), {
            x: "tokensPerSPerUser",
            y: "tokensPerSPerGpu",
            text: (d: EfficiencyPoint) => `c${d.concurrency}`,
            dy: -10,
            fontSize: 10,
            fill: "series",
          }),
        ],
      },
    }],
  }, points as unknown as Record<string, unknown>[]);
}
