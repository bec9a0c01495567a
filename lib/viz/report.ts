/**
 * The report behind `deno task report --results DIR`: every plot that the folder's data supports
 * (per results CSV: metric summaries, the baseline comparison, the concurrency plots; the prefix
 * ratio summary; per run folder: load, match rate, engine metrics, eviction, overhead, routing
 * matches), grouped in sections. Plots whose data a run lacks are skipped with the reason.
 * @module
 */
import { join } from "node:path";
import type { Figure } from "./figure.ts";
import { concurrencySweepRows, numeric, type Row, seriesNamer, strategySweepRows } from "./results_csv.ts";
import { listRuns, loadRun, type RunData, seriesNamed } from "./run_folder.ts";
import { resultCsvFiles } from "./choose.ts";
import { metricSummary } from "./metric_summary.ts";
import { benchmarkComparison } from "./benchmark_comparison.ts";
import { itlVsConcurrency, throughputVsConcurrency, ttftVsConcurrency } from "./concurrency.ts";
import { efficiencyPareto } from "./efficiency_pareto.ts";
import { prefixRatio } from "./prefix_ratio.ts";
import { loadDistribution, strategyOf } from "./load_distribution.ts";
import { prefixMatchRate } from "./prefix_match_rate.ts";
import { engineMetricTimeseries } from "./engine_metric_timeseries.ts";
import { evictionPolicy } from "./eviction_policy.ts";
import { deploymentOverhead } from "./deployment_overhead.ts";
import { routingMatches } from "./routing_matches.ts";
import { orderSeries } from "./theme.ts";

/** One report section: a heading, its figures, and what was skipped. */
export interface ReportSection {
  id: string;
  title: string;
  figures: Figure[];
  skipped: string[];
  /** Summary table rows (CSV sections) or the run's config (run sections). */
  table?: { columns: string[]; rows: Record<string, string | number>[] };
  config?: Record<string, unknown>;
  status?: string;
}

/** Everything the report shows, before rendering. */
export interface ReportPlan {
  resultsDir: string;
  sections: ReportSection[];
  runs: RunData[];
  csvRows: Map<string, Row[]>;
}

const SERVE_METRICS = [
  "mean_ttft_ms",
  "p99_ttft_ms",
  "mean_tpot_ms",
  "mean_e2e_latency_ms",
  "request_throughput_per_s",
  "output_throughput_tokens_per_s",
  "cache_hit_rate",
];
const ENGINE_METRICS = [
  "mean_ttft_ms",
  "mean_tpot_ms",
  "mean_e2e_latency_ms",
  "mean_queue_time_ms",
  "mean_prefill_time_ms",
  "mean_decode_time_ms",
  "prefix_cache_hit_rate",
];
/** Columns of the per-series summary table. */
export const SUMMARY_COLUMNS = [
  "mean_ttft_ms",
  "mean_tpot_ms",
  "mean_e2e_latency_ms",
  "request_throughput_per_s",
  "output_throughput_tokens_per_s",
  "cache_hit_rate",
  "prefix_cache_hit_rate",
];

/** Builds the report plan for a results folder (CSVs, prefix_ratio_results_summary.json, runs/). */
export function planReport(resultsDir: string): ReportPlan {
  const sections: ReportSection[] = [];
  const csvRows = new Map<string, Row[]>();
  for (const file of resultCsvFiles(resultsDir, { includeChosen: true })) {
    const path = join(resultsDir, file);
    const kind = file.startsWith("serve_") ? "serve" : "engine";
    const stem = file.replace(/\.csv$/, "");
    const section: ReportSection = { id: stem, title: file, figures: [], skipped: [] };
    const rows = strategySweepRows(path);
    const concurrency = concurrencySweepRows(path);
    csvRows.set(file, [...rows, ...concurrency]);
    const add = (make: () => Figure, what: string) => attempt(section, make, what, `${stem}__`);
    if (rows.length > 0) {
      for (const metric of kind === "serve" ? SERVE_METRICS : ENGINE_METRICS) {
        if (rows.some((row) => numeric(row, metric) !== undefined)) {
          add(() => metricSummary(rows, metric), `metricSummary ${metric}`);
        }
      }
      if (kind === "serve") {
        const names = orderSeries(rows.map(seriesNamer(rows)));
        const baseline = names.find((n) => n.split(" · ")[0] === "pow2") ?? names[0]!;
        if (names.length > 1) add(() => benchmarkComparison(rows, { baseline }), "benchmarkComparison");
      }
      section.table = summaryTable(rows);
    }
    if (kind === "serve" && concurrency.length > 0) {
      add(() => itlVsConcurrency(concurrency), "itlVsConcurrency");
      add(() => ttftVsConcurrency(concurrency), "ttftVsConcurrency");
      add(() => throughputVsConcurrency(concurrency), "throughputVsConcurrency");
      add(() => efficiencyPareto(concurrency), "efficiencyPareto");
    }
    sections.push(section);
  }
  const prefixSummary = join(resultsDir, "prefix_ratio_results_summary.json");
  if (exists(prefixSummary)) {
    const section: ReportSection = { id: "prefix_ratio", title: "Prefix ratio", figures: [], skipped: [] };
    attempt(section, () => prefixRatio(prefixSummary), "prefixRatio", "");
    sections.push(section);
  }
  const runs: RunData[] = [];
  for (const id of listRuns(join(resultsDir, "runs"))) {
    const run = loadRun(join(resultsDir, "runs", id));
    runs.push(run);
    const section: ReportSection = {
      id: `run_${id}`,
      title: `Run ${id} (${strategyOf(run)})`,
      figures: [],
      skipped: [],
      config: run.config,
      status: run.status
        ? `${run.status.status}${run.status.reason ? `: ${run.status.reason}` : ""}`
        : "unknown",
    };
    const add = (make: () => Figure, what: string) => attempt(section, make, what, "");
    add(() => loadDistribution(run), "loadDistribution");
    add(() => prefixMatchRate(run), "prefixMatchRate");
    if (
      run.decisions.some((d) => typeof d.match_rate === "number") &&
      seriesNamed(run, "vllm:prefix_cache_hits_total").length > 0
    ) {
      add(() => prefixMatchRate(run, { source: "engine" }), "prefixMatchRate (engine)");
    }
    add(() => engineMetricTimeseries(run, "vllm:time_to_first_token_seconds"), "engineMetricTimeseries TTFT");
    add(
      () =>
        engineMetricTimeseries(
          run,
          run.series.has("vllm:kv_cache_usage_perc")
            ? "vllm:kv_cache_usage_perc"
            : "vllm:gpu_cache_usage_perc",
        ),
      "engineMetricTimeseries KV usage",
    );
    if (seriesNamed(run, "routebench_router_tree_chars").length > 0) {
      add(() => evictionPolicy(run), "evictionPolicy");
    } else {section.skipped.push(
        "evictionPolicy: no routebench_router_tree_chars series (strategy keeps no prefix tree)",
      );}
    add(() => deploymentOverhead(run), "deploymentOverhead");
    add(() => routingMatches(run), "routingMatches");
    sections.push(section);
  }
  return { resultsDir, sections, runs, csvRows };
}

/** Every figure of a plan, in section order. */
export function planFigures(plan: ReportPlan): Figure[] {
  return plan.sections.flatMap((section) => section.figures);
}

function summaryTable(rows: Row[]): ReportSection["table"] {
  const nameOf = seriesNamer(rows);
  const names = orderSeries(rows.map(nameOf));
  const columns = SUMMARY_COLUMNS.filter((c) => rows.some((row) => numeric(row, c) !== undefined));
  return {
    columns: ["series", "runs", ...columns],
    rows: names.map((name) => {
      const own = rows.filter((row) => nameOf(row) === name);
      const out: Record<string, string | number> = { series: name, runs: own.length };
      for (const column of columns) {
        const values = own.flatMap((row) => numeric(row, column) ?? []);
        if (values.length > 0) {
          out[column] = Number((values.reduce((a, b) => a + b, 0) / values.length).toPrecision(4));
        }
      }
      return out;
    }),
  };
}

function attempt(section: ReportSection, make: () => Figure, what: string, prefix: string): void {
  try {
    const figure = make();
    if (prefix) figure.spec.name = `${prefix}${figure.spec.name}`;
    section.figures.push(figure);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    section.skipped.push(`${what}: ${error.message}`);
  }
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
