/**
 * `evictionPolicy`: the prefix tree's characters per tenant over time with the eviction threshold
 * and target lines, and each engine's KV-cache usage overlaid on a right-hand percent axis (Ray's
 * plot_eviction_policy). Reads `routebench_router_tree_chars{tenant}` and
 * `vllm:kv_cache_usage_perc` (or the older `vllm:gpu_cache_usage_perc`).
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure, type LegendItem } from "./figure.ts";
import {
  asRun,
  backendNamer,
  findConfigNumber,
  orderReplicas,
  type RunInput,
  type Series,
  seriesNamed,
} from "./run_folder.ts";
import { downsampleMinMax, downsampleNote } from "./downsample.ts";
import { replicaColor, TARGET_COLOR, THRESHOLD_COLOR } from "./theme.ts";
import { strategyOf } from "./load_distribution.ts";

/** Options for {@linkcode evictionPolicy}. */
export interface EvictionPolicyOptions {
  title?: string;
  /** Eviction threshold in characters (default: found in config.json, else not drawn). */
  thresholdChars?: number;
  /** Eviction target in characters (default: found in config.json, else not drawn). */
  targetChars?: number;
  /** Points kept per line. @default {1500} */
  maxPointsPerLine?: number;
}

const TREE_CHARS = "routebench_router_tree_chars";

/** Tree characters per tenant with threshold/target, and engine KV usage on a right axis. */
export function evictionPolicy(run: RunInput, options: EvictionPolicyOptions = {}): Figure {
  const data = asRun(run);
  const tree = seriesNamed(data, TREE_CHARS);
  if (tree.length === 0) {
    throw new TypeError(
      `evictionPolicy: run '${data.id}' has no ${TREE_CHARS} series (only prefix_aware/cache_aware export it)`,
    );
  }
  const threshold = options.thresholdChars ?? findConfigNumber(data.config, /threshold_?chars/i);
  const target = options.targetChars ?? findConfigNumber(data.config, /target_?chars/i);
  const kv = seriesNamed(data, "vllm:kv_cache_usage_perc").length > 0
    ? seriesNamed(data, "vllm:kv_cache_usage_perc")
    : seriesNamed(data, "vllm:gpu_cache_usage_perc");
  const nameOf = backendNamer(data);
  const maxPoints = options.maxPointsPerLine ?? 1500;
  let inputPoints = 0;
  let outputPoints = 0;
  const toRows = (series: Series, replica: string, scale: number) => {
    const reduced = downsampleMinMax(series.tMs, series.values, maxPoints);
    inputPoints += reduced.inputPoints;
    outputPoints += reduced.t.length;
    return reduced.t.map((t, i) => ({
      replica,
      tS: (t - data.startMs) / 1000,
      value: reduced.v[i]! * scale,
      raw: reduced.v[i]!,
    }));
  };
  const tenants = orderReplicas(tree.map((s) => nameOf(s.labels.tenant ?? s.target)));
  const treeRows = tree.flatMap((s) => toRows(s, nameOf(s.labels.tenant ?? s.target), 1));
  const maxChars = Math.max(1, ...treeRows.map((r) => r.value), threshold ?? 0);
  const yMax = maxChars * 1.1;
  const engines = orderReplicas(kv.map((s) => s.target));
  const kvRows = kv.flatMap((s) => toRows(s, s.target, yMax));
  const colorOf = (name: string, list: string[]) => replicaColor(Math.max(0, list.indexOf(name)));
  const domain = [...tenants, ...engines.filter((e) => !tenants.includes(e))];
  const range = domain.map((name) =>
    tenants.includes(name) ? colorOf(name, tenants) : colorOf(name, engines)
  );
  const marks: Plot.Markish[] = [
    Plot.ruleY([0], { stroke: "#bbb" }),
    Plot.lineY(kvRows, {
      x: "tS",
      y: "value",
      z: "replica",
      stroke: "replica",
      strokeWidth: 1.2,
      strokeDasharray: "2,2",
      strokeOpacity: 0.8,
    }),
    Plot.lineY(treeRows, { x: "tS", y: "value", z: "replica", stroke: "replica", strokeWidth: 2 }),
    Plot.axisY({ label: "Prefix-tree characters", labelArrow: "none", tickFormat: formatChars }),
    Plot.axisY({
      anchor: "right",
      label: "KV cache usage (%)",
      labelArrow: "none",
      ticks: [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax),
      tickFormat: (v: number) => `${Math.round((v / yMax) * 100)}%`,
    }),
  ];
  const legend: LegendItem[] = domain.map((name, i) => ({ label: name, color: range[i]!, shape: "line" }));
  legend.push({ label: "solid: tree characters", color: "#444", shape: "line" });
  legend.push({ label: "dotted: engine KV usage (right axis)", color: "#444", shape: "dotted" });
  if (threshold !== undefined) {
    marks.push(
      Plot.ruleY([threshold], { stroke: THRESHOLD_COLOR, strokeWidth: 1.5, strokeDasharray: "10,5" }),
    );
    marks.push(
      Plot.text([threshold], {
        y: (d: number) => d,
        frameAnchor: "right",
        text: () => "threshold",
        dy: -7,
        dx: -4,
        fill: THRESHOLD_COLOR,
      }),
    );
    legend.push({
      label: `threshold ${threshold.toLocaleString("en-US")} chars`,
      color: THRESHOLD_COLOR,
      shape: "dash",
    });
  }
  if (target !== undefined) {
    marks.push(Plot.ruleY([target], { stroke: TARGET_COLOR, strokeWidth: 1.5, strokeDasharray: "10,5" }));
    marks.push(
      Plot.text([target], {
        y: (d: number) => d,
        frameAnchor: "right",
        text: () => "target",
        dy: -7,
        dx: -4,
        fill: TARGET_COLOR,
      }),
    );
    legend.push({
      label: `target ${target.toLocaleString("en-US")} chars`,
      color: TARGET_COLOR,
      shape: "dash",
    });
  }
  const note = downsampleNote(inputPoints, outputPoints);
  return new Figure({
    name: `eviction_policy_${data.id}`,
    title: options.title ?? `Prefix-tree size and eviction (${strategyOf(data)})`,
    subtitle:
      `Run ${data.id}: characters the router's prefix tree holds per tenant; eviction trims a tenant above the ` +
      `threshold down to the target. Dotted: each engine's KV cache usage.`,
    legend,
    panels: [{
      height: 400,
      plot: {
        marginLeft: 64,
        marginRight: 64,
        marginBottom: 44,
        grid: true,
        x: { label: "Time since run start (s)", labelAnchor: "center", labelArrow: "none" },
        y: { domain: [0, yMax], axis: null },
        color: { domain, range },
        marks,
      },
    }],
    notes: [
      `Sources: ${TREE_CHARS}{tenant}; ${kv[0]?.name ?? "no KV usage series"} per engine.`,
      ...(threshold === undefined ? ["No eviction threshold given or found in config.json."] : []),
      ...(note ? [note] : []),
    ],
  }, treeRows);
}

function formatChars(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`;
  return value >= 1000 ? `${value / 1000}k` : String(value);
}
