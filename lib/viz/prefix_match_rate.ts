/**
 * `prefixMatchRate`: prefix match rate per replica over time and overall (Ray's
 * plot_serve_prefix_match_rate). Source "router": the decision log's `match_rate` of requests
 * routed to each replica, averaged per window. Source "engine": each engine's prefix-cache hit rate,
 * Δ`vllm:prefix_cache_hits_total` / Δ`vllm:prefix_cache_queries_total` per window.
 * @module
 */
import { Figure } from "./figure.ts";
import {
  asRun,
  backendNamer,
  orderReplicas,
  type RunData,
  type RunInput,
  seriesNamed,
} from "./run_folder.ts";
import { type ReplicaLine, replicaLinesPanel } from "./replica_lines.ts";
import { counterWindowRatios, lastTimeMs, type TimePoint, valueWindowMeans } from "./windows.ts";
import { strategyOf } from "./load_distribution.ts";

/** Options for {@linkcode prefixMatchRate}. */
export interface PrefixMatchRateOptions {
  title?: string;
  /** Averaging window in seconds. @default {about a 40th of the run, at least 1 s} */
  windowS?: number;
  /** @default {"auto"}: router when the decision log has match rates, else engine */
  source?: "auto" | "router" | "engine";
  layout?: "auto" | "overlay" | "grid";
}

/** Windowed match rate per replica plus the overall rate. */
export function prefixMatchRate(run: RunInput, options: PrefixMatchRateOptions = {}): Figure {
  const data = asRun(run);
  const withRate = data.decisions.filter((d) => typeof d.match_rate === "number");
  const source = options.source ?? "auto";
  const useRouter = source === "router" || (source === "auto" && withRate.length > 0);
  const endMs = Math.max(
    lastTimeMs([...data.series.values()].flat(), data.startMs),
    data.decisions.at(-1)?.t_ms ?? 0,
  );
  const windowS = options.windowS ?? defaultWindowS(endMs - data.startMs);
  const windowMs = windowS * 1000;
  const built = useRouter ? fromRouter(data, windowMs) : fromEngines(data, endMs, windowMs);
  const panel = replicaLinesPanel(built.lines, built.overall, {
    yLabel: "Prefix match rate",
    aggregateLabel: "all replicas",
    yDomain: [0, 1],
    percent: true,
    dots: true,
    layout: options.layout ?? "auto",
  });
  return new Figure({
    name: `prefix_match_rate_${useRouter ? "router" : "engine"}_${data.id}`,
    title: options.title ?? `Prefix match rate per replica (${strategyOf(data)})`,
    subtitle: `Run ${data.id}: ${built.what}, averaged over ${windowS} s windows; dashed: all replicas. ` +
      `Overall: ${(built.overallRate * 100).toFixed(1)}%.`,
    legend: panel.legend,
    panels: [panel.panel],
    notes: [`Source: ${built.source}.`, ...panel.notes],
  }, panel.rows);
}

/** A readable default window: about a 40th of the run, rounded to 1/2/5 × 10^k seconds, ≥ 1 s. */
export function defaultWindowS(durationMs: number): number {
  const raw = Math.max(1, durationMs / 1000 / 40);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (raw <= step * power) return step * power;
  return 10 * power;
}

function fromRouter(data: RunData, windowMs: number) {
  const nameOf = backendNamer(data);
  const decisions = data.decisions.filter((d) => typeof d.match_rate === "number");
  if (decisions.length === 0) {
    throw new TypeError(`prefixMatchRate: run '${data.id}' has no decisions with match_rate`);
  }
  const byReplica = new Map<string, { t: number[]; v: number[] }>();
  for (const d of decisions) {
    const replica = nameOf(d.chosen);
    const entry = byReplica.get(replica) ?? { t: [], v: [] };
    entry.t.push(d.t_ms);
    entry.v.push(d.match_rate!);
    byReplica.set(replica, entry);
  }
  const lines: ReplicaLine[] = orderReplicas(byReplica.keys()).map((replica) => {
    const { t, v } = byReplica.get(replica)!;
    return { replica, points: valueWindowMeans(t, v, data.startMs, windowMs) };
  });
  const overall = valueWindowMeans(
    decisions.map((d) => d.t_ms),
    decisions.map((d) => d.match_rate!),
    data.startMs,
    windowMs,
  );
  const overallRate = decisions.reduce((sum, d) => sum + d.match_rate!, 0) / decisions.length;
  return {
    lines,
    overall,
    overallRate,
    what: "mean match rate of the requests routed to each replica",
    source: `router decision log (${decisions.length.toLocaleString("en-US")} decisions)`,
  };
}

function fromEngines(data: RunData, endMs: number, windowMs: number) {
  const hits = seriesNamed(data, "vllm:prefix_cache_hits_total");
  const queries = seriesNamed(data, "vllm:prefix_cache_queries_total");
  if (hits.length === 0 || queries.length === 0) {
    throw new TypeError(
      `prefixMatchRate: run '${data.id}' has no decision match rates and no vllm:prefix_cache_* counters`,
    );
  }
  const lines: ReplicaLine[] = [];
  let totalHits = 0;
  let totalQueries = 0;
  const overallSums = new Map<number, { hit: number; query: number }>();
  for (const replica of orderReplicas(hits.map((s) => s.target))) {
    const h = hits.find((s) => s.target === replica)!;
    const q = queries.find((s) => s.target === replica);
    if (!q) continue;
    const points: TimePoint[] = counterWindowRatios(h, q, data.startMs, endMs, windowMs);
    lines.push({ replica, points });
    totalHits += (h.values.at(-1) ?? 0) - (h.values[0] ?? 0);
    totalQueries += (q.values.at(-1) ?? 0) - (q.values[0] ?? 0);
    for (const p of points) {
      const entry = overallSums.get(p.tS) ?? { hit: 0, query: 0 };
      entry.hit += p.value;
      entry.query += 1;
      overallSums.set(p.tS, entry);
    }
  }
  const overall = [...overallSums.entries()].sort((a, b) => a[0] - b[0]).map(([tS, e]) => ({
    tS,
    value: e.hit / e.query,
  }));
  return {
    lines,
    overall,
    overallRate: totalQueries > 0 ? totalHits / totalQueries : 0,
    what: "engine prefix-cache hit rate (hit tokens / queried tokens)",
    source: "engine counters vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total",
  };
}
