/**
 * The shared shape of per-replica timeseries plots (load, match rate, engine metrics): one line per
 * replica plus an all-replica aggregate, either overlaid (few replicas) or as a grid of small
 * multiples with the aggregate repeated in each cell (many replicas stay readable). Returns Plot
 * options and legend items; no DOM.
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LegendItem, Panel } from "./figure.ts";
import { AGGREGATE_COLOR, replicaColor } from "./theme.ts";
import { downsampleMinMax, downsampleNote } from "./downsample.ts";
import type { TimePoint } from "./windows.ts";

/** One replica's line. */
export interface ReplicaLine {
  replica: string;
  points: TimePoint[];
}

/** Options for {@linkcode replicaLinesPanel}. */
export interface ReplicaLinesOptions {
  yLabel: string;
  /** Name of the aggregate line in the legend. */
  aggregateLabel?: string;
  /** "overlay" draws every replica in one chart; "grid" one cell per replica. @default {"auto"} */
  layout?: "auto" | "overlay" | "grid";
  /** y domain, e.g. [0, 1] for rates. */
  yDomain?: [number, number];
  /** Format y ticks as percentages (values are fractions). */
  percent?: boolean;
  /** Extra marks drawn in every cell (threshold rules). */
  extraMarks?: Plot.Markish[];
  /** Total points kept across all lines before downsampling kicks in. @default {8000} */
  maxPoints?: number;
  /** Draw lines as steps (gauges sampled at scrape times). @default {false} */
  step?: boolean;
  /** Mark each point with a dot (windowed values). @default {false} */
  dots?: boolean;
}

/** Replicas beyond this count are drawn as a grid under `layout: "auto"`. */
export const OVERLAY_MAX_REPLICAS = 4;

/** Builds the panel, legend and notes for replica lines plus an optional aggregate. */
export function replicaLinesPanel(
  lines: readonly ReplicaLine[],
  aggregate: readonly TimePoint[] | undefined,
  options: ReplicaLinesOptions,
): { panel: Panel; legend: LegendItem[]; notes: string[]; rows: Record<string, unknown>[] } {
  const replicas = lines.map((line) => line.replica);
  const maxPoints = options.maxPoints ?? 8000;
  const perLine = Math.max(200, Math.floor(maxPoints / Math.max(1, lines.length + (aggregate ? 1 : 0))));
  let inputPoints = 0;
  let outputPoints = 0;
  const rows: Record<string, unknown>[] = [];
  for (const line of lines) {
    const reduced = reduce(line.points, perLine);
    inputPoints += line.points.length;
    outputPoints += reduced.length;
    for (const point of reduced) rows.push({ replica: line.replica, tS: point.tS, value: point.value });
  }
  const aggregateRows = aggregate ? reduce(aggregate, perLine) : [];
  // The note counts scraped samples only; the aggregate is derived from them.
  const grid = options.layout === "grid" ||
    (options.layout !== "overlay" && lines.length > OVERLAY_MAX_REPLICAS);
  const columns = grid ? 2 : 1;
  const cell = (replica: string) => {
    const index = replicas.indexOf(replica);
    return { fx: index % columns, fy: Math.floor(index / columns) };
  };
  const curve = options.step ? "step-after" : "linear";
  const marker = options.dots ? "circle" : "none";
  const endS = Math.max(0, ...rows.map((r) => r.tS as number), ...aggregateRows.map((p) => p.tS));
  const marks: Plot.Markish[] = [Plot.ruleY([0], { stroke: "#bbb" })];
  if (grid) {
    const aggregateInCells = replicas.flatMap((replica) =>
      aggregateRows.map((point) => ({ ...point, ...cell(replica) }))
    );
    const cellRows = rows.map((row) => ({ ...row, ...cell(row.replica as string) }));
    marks.push(
      Plot.frame({ stroke: "#ddd" }),
      Plot.lineY(aggregateInCells, {
        x: "tS",
        y: "value",
        fx: "fx",
        fy: "fy",
        stroke: AGGREGATE_COLOR,
        strokeWidth: 1.5,
        strokeDasharray: "5,3",
        curve,
      }),
      Plot.lineY(cellRows, {
        x: "tS",
        y: "value",
        z: "replica",
        fx: "fx",
        fy: "fy",
        stroke: "replica",
        strokeWidth: 1.5,
        curve,
        marker,
      }),
      Plot.text(replicas.map((replica) => ({ replica, ...cell(replica) })), {
        fx: "fx",
        fy: "fy",
        text: "replica",
        frameAnchor: "top-left",
        dx: 6,
        dy: 6,
        fontWeight: "bold",
        fill: "replica",
        stroke: "white",
        strokeWidth: 4,
        paintOrder: "stroke",
      }),
    );
  } else {
    marks.push(
      Plot.lineY(rows, {
        x: "tS",
        y: "value",
        z: "replica",
        stroke: "replica",
        strokeWidth: 1.5,
        strokeOpacity: 0.9,
        curve,
        marker,
      }),
      Plot.lineY(aggregateRows, {
        x: "tS",
        y: "value",
        stroke: AGGREGATE_COLOR,
        strokeWidth: 2.5,
        strokeDasharray: "6,3",
        curve,
      }),
    );
  }
  for (const extra of options.extraMarks ?? []) marks.push(extra);
  const rowsOfCells = grid ? Math.ceil(replicas.length / columns) : 1;
  const panel: Panel = {
    height: grid ? 70 + rowsOfCells * 120 : 380,
    plot: {
      marginLeft: 64,
      marginRight: 20,
      marginBottom: 44,
      grid: true,
      x: { label: "Time since run start (s)", labelAnchor: "center", labelArrow: "none", domain: [0, endS] },
      y: {
        label: options.yLabel,
        labelArrow: "none",
        ...(grid ? { insetTop: 20 } : {}),
        ...(options.yDomain ? { domain: options.yDomain } : {}),
        ...(options.percent ? { tickFormat: (v: number) => `${Math.round(v * 100)}%` } : {}),
      },
      color: { domain: replicas, range: replicas.map((_, i) => replicaColor(i)) },
      ...(grid ? { fx: { axis: null, padding: 0.08 }, fy: { axis: null, padding: 0.12 } } : {}),
      marks,
    },
  };
  const legend: LegendItem[] = replicas.map((replica, i) => ({
    label: replica,
    color: replicaColor(i),
    shape: "line",
  }));
  if (aggregate) {
    legend.push({ label: options.aggregateLabel ?? "all replicas", color: AGGREGATE_COLOR, shape: "dash" });
  }
  const notes: string[] = [];
  const note = downsampleNote(inputPoints, outputPoints);
  if (note) notes.push(note);
  return { panel, legend, notes, rows };
}

/**
 * Mean across replicas over time. Replicas are scraped at slightly different instants, so times are
 * binned at the lines' typical sample spacing (median gap); within a bin each replica contributes
 * its last value, and the bin's mean is placed at the bin's end.
 */
export function meanAcrossReplicas(lines: readonly ReplicaLine[]): TimePoint[] {
  const gaps: number[] = [];
  for (const line of lines) {
    for (let i = 1; i < line.points.length && gaps.length < 2000; i++) {
      const gap = line.points[i]!.tS - line.points[i - 1]!.tS;
      if (gap > 0) gaps.push(gap);
    }
  }
  gaps.sort((a, b) => a - b);
  const width = gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)]! : 1;
  const bins = new Map<number, Map<number, number>>();
  lines.forEach((line, replica) => {
    for (const point of line.points) {
      const bin = Math.round(point.tS / width);
      let values = bins.get(bin);
      if (!values) bins.set(bin, values = new Map());
      values.set(replica, point.value);
    }
  });
  return [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([bin, values]) => {
    let sum = 0;
    for (const value of values.values()) sum += value;
    return { tS: bin * width, value: sum / values.size };
  });
}

function reduce(points: readonly TimePoint[], maxPoints: number): TimePoint[] {
  if (points.length <= maxPoints) return [...points];
  const t = new Float64Array(points.length);
  const v = new Float64Array(points.length);
  points.forEach((point, i) => {
    t[i] = point.tS;
    v[i] = point.value;
  });
  const reduced = downsampleMinMax(t, v, maxPoints);
  return reduced.t.map((tS, i) => ({ tS, value: reduced.v[i]! }));
}
