/**
 * `deploymentOverhead`: where the router spends its time per request, one bar per phase (parse,
 * select, connect, first_byte, ...) with the mean over the run and p50/p99 ticks estimated from the
 * `routebench_router_phase_seconds` histogram (Ray's plot_deployment_overhead). Without phase
 * histograms it falls back to the decision log's `decision_us`.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure } from "./figure.ts";
import { asRun, type RunInput, type Series, seriesNamed } from "./run_folder.ts";
import { histogramQuantile } from "./windows.ts";
import { AGGREGATE_COLOR, replicaColor } from "./theme.ts";
import { strategyOf } from "./load_distribution.ts";

/** Options for {@linkcode deploymentOverhead}. */
export interface DeploymentOverheadOptions {
  title?: string;
}

/** Phases in request order; others follow alphabetically. */
const PHASE_ORDER = ["parse", "select", "decision", "connect", "send", "first_byte", "stream", "total"];
const PHASES = "routebench_router_phase_seconds";

/** Per-phase mean, p50 and p99 of the router's time per request. */
export function deploymentOverhead(run: RunInput, options: DeploymentOverheadOptions = {}): Figure {
  const data = asRun(run);
  let rows = phaseRows(
    seriesNamed(data, `${PHASES}_sum`),
    seriesNamed(data, `${PHASES}_count`),
    seriesNamed(data, `${PHASES}_bucket`),
  );
  let source = `router histogram ${PHASES}{phase} (first to last scrape)`;
  if (rows.length === 0) {
    const decisions = data.decisions.flatMap((d) =>
      typeof d.decision_us === "number" ? [d.decision_us / 1000] : []
    );
    if (decisions.length === 0) {
      throw new TypeError(
        `deploymentOverhead: run '${data.id}' has no ${PHASES} series and no decision_us in its decision log`,
      );
    }
    const sorted = [...decisions].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    rows = [{
      phase: "decision",
      meanMs: decisions.reduce((a, b) => a + b, 0) / decisions.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      count: decisions.length,
    }];
    source = "decision log decision_us (no phase histograms in this run)";
  }
  const phases = rows.map((r) => r.phase);
  const xMax = Math.max(...rows.map((r) => Math.max(r.meanMs, r.p99Ms ?? 0))) * 1.6;
  const longest = Math.max(...phases.map((p) => p.length));
  return new Figure({
    name: `deployment_overhead_${data.id}`,
    title: options.title ?? `Router time per request by phase (${strategyOf(data)})`,
    subtitle:
      `Run ${data.id}: bar = mean per request; ticks = p50 (thin) and p99 (thick) estimated from histogram buckets.`,
    legend: [
      ...phases.map((phase, i) => ({ label: phase, color: replicaColor(i) })),
      { label: "p50", color: AGGREGATE_COLOR, shape: "line" as const },
      { label: "p99", color: AGGREGATE_COLOR, shape: "dash" as const },
    ],
    panels: [{
      height: Math.max(200, 80 + rows.length * 44),
      plot: {
        marginLeft: Math.max(70, 14 + longest * 7.5),
        marginRight: 24,
        marginBottom: 44,
        x: {
          label: "Time per request (ms)",
          grid: true,
          labelAnchor: "center",
          labelArrow: "none",
          domain: [0, xMax],
        },
        y: { label: null, domain: phases, padding: 0.3 },
        color: { domain: phases, range: phases.map((_, i) => replicaColor(i)) },
        marks: [
          Plot.barX(rows, { y: "phase", x: "meanMs", fill: "phase", fillOpacity: 0.85 }),
          Plot.tickX(rows.filter((r) => r.p50Ms !== undefined), {
            y: "phase",
            x: "p50Ms",
            stroke: AGGREGATE_COLOR,
            strokeWidth: 1.5,
          }),
          Plot.tickX(rows.filter((r) => r.p99Ms !== undefined), {
            y: "phase",
            x: "p99Ms",
            stroke: AGGREGATE_COLOR,
            strokeWidth: 3,
            strokeDasharray: "4,2",
          }),
          Plot.text(rows, {
            y: "phase",
            x: (r: PhaseRow) => Math.max(r.meanMs, r.p99Ms ?? 0),
            text: (r: PhaseRow) => `${formatMs(r.meanMs)} (p99 ${formatMs(r.p99Ms)})`,
            dx: 8,
            textAnchor: "start",
          }),
          Plot.ruleX([0]),
        ],
      },
    }],
    notes: [`Source: ${source}; ${rows[0]!.count.toLocaleString("en-US")} requests.`],
  }, rows as unknown as Record<string, unknown>[]);
}

interface PhaseRow {
  phase: string;
  meanMs: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  count: number;
}

function phaseRows(
  sums: readonly Series[],
  counts: readonly Series[],
  buckets: readonly Series[],
): PhaseRow[] {
  const delta = (s: Series) => (s.values.at(-1) ?? 0) - (s.values.length > 1 ? s.values[0]! : 0);
  const rows: PhaseRow[] = [];
  for (const sum of sums) {
    const phase = sum.labels.phase ?? "all";
    const count = counts.find((c) => c.target === sum.target && (c.labels.phase ?? "all") === phase);
    if (!count || delta(count) <= 0) continue;
    const own = buckets.filter((b) => b.target === sum.target && (b.labels.phase ?? "all") === phase).map((
      b,
    ) => ({
      le: b.labels.le === "+Inf" ? Infinity : Number(b.labels.le),
      count: delta(b),
    }));
    const quantile = (q: number) => {
      const seconds = histogramQuantile(own, q);
      return seconds === undefined ? undefined : seconds * 1000;
    };
    rows.push({
      phase,
      meanMs: (delta(sum) / delta(count)) * 1000,
      p50Ms: quantile(0.5),
      p99Ms: quantile(0.99),
      count: delta(count),
    });
  }
  const rank = (phase: string) => {
    const i = PHASE_ORDER.indexOf(phase);
    return i < 0 ? PHASE_ORDER.length : i;
  };
  return rows.sort((a, b) => rank(a.phase) - rank(b.phase) || a.phase.localeCompare(b.phase));
}

function formatMs(value: number | undefined): string {
  if (value === undefined) return "n/a";
  return `${value.toLocaleString("en-US", { maximumFractionDigits: value < 1 ? 3 : 1 })} ms`;
}
