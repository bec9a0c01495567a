/**
 * `operationTimings`: time per operation against data-structure size on log–log axes, one line per
 * operation (Ray's prefix_tree_operation_benchmark notebook: insert, prefix_match,
 * evict_tenant_by_lru against tree size).
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure } from "./figure.ts";
import { replicaColor } from "./theme.ts";

/** One measurement: an operation at a size, in microseconds per call. */
export interface OperationTiming {
  operation: string;
  /** Size of the structure when measured (e.g. characters in the tree). */
  size: number;
  usPerOp: number;
}

/** Options for {@linkcode operationTimings}. */
export interface OperationTimingsOptions {
  title?: string;
  /** x-axis title. @default {"Tree size (characters)"} */
  sizeLabel?: string;
  subtitle?: string;
}

/** Lines of µs per operation vs size, one per operation, log–log. */
export function operationTimings(
  rows: readonly OperationTiming[],
  options: OperationTimingsOptions = {},
): Figure {
  if (rows.length === 0) throw new TypeError("operationTimings: no measurements");
  const operations = [...new Set(rows.map((r) => r.operation))];
  const colors = operations.map((_, i) => replicaColor(i));
  const data = [...rows].sort((a, b) => a.size - b.size);
  return new Figure({
    name: "operation_timings",
    title: options.title ?? "Time per operation vs size",
    subtitle: options.subtitle ?? "Mean time per call at each size (log–log axes).",
    legend: operations.map((operation, i) => ({ label: operation, color: colors[i]!, shape: "line" })),
    panels: [{
      height: 380,
      plot: {
        marginLeft: 64,
        marginBottom: 44,
        grid: true,
        x: {
          type: "log",
          label: options.sizeLabel ?? "Tree size (characters)",
          labelAnchor: "center",
          labelArrow: "none",
          ticks: [...new Set(data.map((d) => d.size))],
          tickFormat: compact,
          inset: 12,
        },
        y: { type: "log", label: "Time per operation (µs)", labelArrow: "none", nice: true, inset: 8 },
        color: { domain: operations, range: colors },
        marks: [
          Plot.lineY(data, {
            x: "size",
            y: "usPerOp",
            stroke: "operation",
            strokeWidth: 2,
            marker: "circle",
          }),
        ],
      },
    }],
  }, data as unknown as Record<string, unknown>[]);
}

function compact(value: number): string {
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (value >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}
