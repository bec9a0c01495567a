/**
 * `loadDistribution`: requests in flight per replica over time, with the average across replicas
 * (Ray's plot_serve_load_distribution). Reads the router's `routebench_router_backend_in_flight`
 * gauge; without a router series it falls back to each engine's running + waiting requests.
 * @module
 */
import { Figure } from "./figure.ts";
import { asRun, backendNamer, orderReplicas, type RunInput, type Series, seriesNamed } from "./run_folder.ts";
import { meanAcrossReplicas, type ReplicaLine, replicaLinesPanel } from "./replica_lines.ts";
import type { TimePoint } from "./windows.ts";

/** Options for {@linkcode loadDistribution}. */
export interface LoadDistributionOptions {
  title?: string;
  /** @default {"auto"} (a grid of small multiples above 4 replicas) */
  layout?: "auto" | "overlay" | "grid";
}

const IN_FLIGHT = "routebench_router_backend_in_flight";

/** In-flight requests per replica over time plus their mean. */
export function loadDistribution(run: RunInput, options: LoadDistributionOptions = {}): Figure {
  const data = asRun(run);
  const nameOf = backendNamer(data);
  let source = "router gauge routebench_router_backend_in_flight";
  let lines = collect(
    seriesNamed(data, IN_FLIGHT),
    (s) => nameOf(s.labels.backend ?? s.target),
    data.startMs,
  );
  if (lines.length === 0) {
    source =
      "engine gauges vllm:num_requests_running + vllm:num_requests_waiting (no router series in this run)";
    const running = collect(seriesNamed(data, "vllm:num_requests_running"), (s) => s.target, data.startMs);
    const waiting = collect(seriesNamed(data, "vllm:num_requests_waiting"), (s) => s.target, data.startMs);
    lines = running.map((line) => addLines(line, waiting.find((w) => w.replica === line.replica)));
  }
  if (lines.length === 0) {
    throw new TypeError(
      `loadDistribution: run '${data.id}' has no ${IN_FLIGHT} or vllm:num_requests_running series`,
    );
  }
  const average = meanAcrossReplicas(lines);
  const built = replicaLinesPanel(lines, average, {
    yLabel: "Requests in flight",
    aggregateLabel: "mean across replicas",
    layout: options.layout ?? "auto",
    step: true,
  });
  const overall = average.length > 0 ? average.reduce((sum, p) => sum + p.value, 0) / average.length : 0;
  return new Figure({
    name: `load_distribution_${data.id}`,
    title: options.title ?? `Load per replica (${strategyOf(data)})`,
    subtitle: `Run ${data.id}: requests in flight per replica over time; dashed: mean across replicas ` +
      `(run average ${overall.toFixed(2)}).`,
    legend: built.legend,
    panels: [built.panel],
    notes: [`Source: ${source}.`, ...built.notes],
  }, built.rows);
}

/** The strategy name recorded in a run's config (or "unknown strategy"). */
export function strategyOf(run: { config: Record<string, unknown> }): string {
  const config = run.config;
  const direct = config.strategy;
  if (typeof direct === "string") return direct;
  const router = config.router as Record<string, unknown> | undefined;
  if (router && typeof router.strategy === "string") return router.strategy;
  if (router && typeof router.strategy === "object" && router.strategy !== null) {
    const name = (router.strategy as Record<string, unknown>).name;
    if (typeof name === "string") return name;
  }
  return "unknown strategy";
}

function collect(
  series: readonly Series[],
  replicaOf: (s: Series) => string,
  originMs: number,
): ReplicaLine[] {
  const byReplica = new Map<string, TimePoint[]>();
  for (const s of series) {
    const replica = replicaOf(s);
    const points = byReplica.get(replica) ?? [];
    for (let i = 0; i < s.tMs.length; i++) {
      points.push({ tS: (s.tMs[i]! - originMs) / 1000, value: s.values[i]! });
    }
    byReplica.set(replica, points);
  }
  return orderReplicas(byReplica.keys()).map((replica) => ({
    replica,
    points: byReplica.get(replica)!.sort((a, b) => a.tS - b.tS),
  }));
}

function addLines(line: ReplicaLine, other: ReplicaLine | undefined): ReplicaLine {
  if (!other) return line;
  const extra = new Map(other.points.map((p) => [p.tS, p.value]));
  return {
    replica: line.replica,
    points: line.points.map((p) => ({ tS: p.tS, value: p.value + (extra.get(p.tS) ?? 0) })),
  };
}
