/**
 * `engineMetricTimeseries`: one scraped engine metric per replica over time (Ray's
 * plot_vllm_metric_timeseries). Histograms are drawn as windowed means (Δsum/Δcount, seconds shown
 * as ms), counters as windowed rates per second, gauges as scraped (downsampled when large) or as
 * windowed means when `windowS` is given.
 * @module
 */
import { Figure } from "./figure.ts";
import { asRun, orderReplicas, type RunData, type RunInput, type Series, seriesNamed } from "./run_folder.ts";
import { meanAcrossReplicas, type ReplicaLine, replicaLinesPanel } from "./replica_lines.ts";
import {
  counterWindowRates,
  histogramWindowMeans,
  lastTimeMs,
  type TimePoint,
  valueWindowMeans,
} from "./windows.ts";
import { defaultWindowS } from "./prefix_match_rate.ts";
import { strategyOf } from "./load_distribution.ts";

/** Options for {@linkcode engineMetricTimeseries}. */
export interface EngineMetricTimeseriesOptions {
  title?: string;
  /** Window in seconds for histogram means and counter rates (and gauges, when given). */
  windowS?: number;
  layout?: "auto" | "overlay" | "grid";
  /** Points kept across all lines before min/max downsampling. @default {8000} */
  maxPoints?: number;
}

/** The kind of a metric as found in a run. */
export type MetricKind = "histogram" | "counter" | "gauge";

/** Per-replica lines of one engine metric, with the mean across replicas. */
export function engineMetricTimeseries(
  run: RunInput,
  metric: string,
  options: EngineMetricTimeseriesOptions = {},
): Figure {
  const data = asRun(run);
  const { name, kind } = resolveMetric(data, metric);
  const all = kind === "histogram" ? seriesNamed(data, `${name}_count`) : seriesNamed(data, name);
  const endMs = lastTimeMs(all, data.startMs);
  const windowS = options.windowS ?? (kind === "gauge" ? undefined : defaultWindowS(endMs - data.startMs));
  const windowMs = (windowS ?? 1) * 1000;
  const toMs = name.endsWith("_seconds");
  const percent = name.endsWith("_perc");
  const lines: ReplicaLine[] = [];
  for (const group of groupByReplica(kind === "histogram" ? seriesNamed(data, `${name}_sum`) : all)) {
    let points: TimePoint[];
    if (kind === "histogram") {
      const count = seriesNamed(data, `${name}_count`).find((s) =>
        s.target === group.target && sameLabels(s, group.series[0]!)
      );
      if (!count) continue;
      points = histogramWindowMeans(group.series[0]!, count, data.startMs, endMs, windowMs);
    } else if (kind === "counter") {
      points = sumPoints(group.series.map((s) => counterWindowRates(s, data.startMs, endMs, windowMs)));
    } else {
      const s = group.series[0]!;
      points = windowS === undefined
        ? s.tMs.map((t, i) => ({ tS: (t - data.startMs) / 1000, value: s.values[i]! }))
        : valueWindowMeans(s.tMs, s.values, data.startMs, windowMs);
    }
    if (toMs) points = points.map((p) => ({ tS: p.tS, value: p.value * 1000 }));
    lines.push({ replica: group.replica, points });
  }
  if (lines.length === 0) {
    throw new TypeError(`engineMetricTimeseries: no samples of '${name}' in run '${data.id}'`);
  }
  const unit = toMs ? " (ms)" : percent ? "" : kind === "counter" ? " (per s)" : "";
  const what = kind === "histogram"
    ? `Mean ${readableName(name)}`
    : kind === "counter"
    ? `Rate of ${readableName(name)}`
    : readableName(name);
  const built = replicaLinesPanel(lines, meanAcrossReplicas(lines), {
    yLabel: `${what}${unit}`,
    aggregateLabel: "mean across replicas",
    layout: options.layout ?? "auto",
    percent,
    step: kind === "gauge" && windowS === undefined,
    dots: !(kind === "gauge" && windowS === undefined),
    ...(options.maxPoints ? { maxPoints: options.maxPoints } : {}),
    ...(percent ? { yDomain: [0, 1] as [number, number] } : {}),
  });
  const how = kind === "histogram"
    ? `histogram mean per ${windowS} s window (Δsum / Δcount)`
    : kind === "counter"
    ? `counter rate per ${windowS} s window`
    : windowS === undefined
    ? "gauge as scraped"
    : `gauge mean per ${windowS} s window`;
  return new Figure({
    name: `engine_${shortName(name)}_${data.id}`,
    title: options.title ?? `${what} per replica (${strategyOf(data)})`,
    subtitle: `Run ${data.id}: ${name}, ${how}; dashed: mean across replicas.`,
    legend: built.legend,
    panels: [built.panel],
    notes: built.notes,
  }, built.rows);
}

/**
 * Finds a metric in a run by exact name, with a `vllm:` prefix added, or with Ray's `ray_` prefix
 * removed; tells whether it is a histogram, counter or gauge. Throws TypeError listing close names.
 */
export function resolveMetric(run: RunData, metric: string): { name: string; kind: MetricKind } {
  const bare = metric.replace(/^ray_/, "");
  const candidates = [metric, bare, `vllm:${bare}`, `vllm:${bare.replace(/^vllm:/, "")}`];
  for (const name of candidates) {
    if (run.series.has(`${name}_sum`) && run.series.has(`${name}_count`)) return { name, kind: "histogram" };
    if (run.series.has(name)) return { name, kind: name.endsWith("_total") ? "counter" : "gauge" };
    if (run.series.has(`${name}_total`)) return { name: `${name}_total`, kind: "counter" };
  }
  const known = [...run.series.keys()].filter((k) => k.startsWith("vllm:")).map((k) =>
    k.replace(/_(bucket|sum|count)$/, "")
  );
  throw new TypeError(
    `engineMetricTimeseries: metric '${metric}' not found in run '${run.id}'; engine metrics: ${
      [...new Set(known)].sort().join(", ")
    }`,
  );
}

const READABLE: Readonly<Record<string, string>> = {
  time_to_first_token: "TTFT",
  inter_token_latency: "ITL",
  time_per_output_token: "TPOT",
  request_time_per_output_token: "TPOT per request",
  e2e_request_latency: "E2E latency",
  request_queue_time: "queue time",
  request_prefill_time: "prefill time",
  request_decode_time: "decode time",
  request_inference_time: "inference time",
  kv_cache_usage_perc: "KV cache usage",
  gpu_cache_usage_perc: "KV cache usage",
  num_requests_running: "Running requests",
  num_requests_waiting: "Waiting requests",
  prompt_tokens: "prompt tokens",
  generation_tokens: "generated tokens",
  request_success: "finished requests",
  num_preemptions: "preemptions",
  prefix_cache_queries: "prefix-cache queried tokens",
  prefix_cache_hits: "prefix-cache hit tokens",
};

function shortName(name: string): string {
  return name.replace(/^vllm:/, "").replace(/_seconds$/, "").replace(/_total$/, "");
}

function readableName(name: string): string {
  const short = shortName(name);
  return READABLE[short] ?? short.replaceAll("_", " ");
}

function groupByReplica(series: readonly Series[]): { replica: string; target: string; series: Series[] }[] {
  const byTarget = new Map<string, Series[]>();
  for (const s of series) byTarget.set(s.target, [...(byTarget.get(s.target) ?? []), s]);
  return orderReplicas(byTarget.keys()).map((target) => ({
    replica: target,
    target,
    series: byTarget.get(target)!,
  }));
}

function sameLabels(a: Series, b: Series): boolean {
  const keys = new Set([...Object.keys(a.labels), ...Object.keys(b.labels)]);
  for (const key of keys) if (key !== "le" && a.labels[key] !== b.labels[key]) return false;
  return true;
}

function sumPoints(lists: readonly TimePoint[][]): TimePoint[] {
  const sums = new Map<number, number>();
  for (const list of lists) for (const p of list) sums.set(p.tS, (sums.get(p.tS) ?? 0) + p.value);
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([tS, value]) => ({ tS, value }));
}
