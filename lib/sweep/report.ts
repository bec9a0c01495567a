/**
 * What a sweep shows at its end: a terminal summary table per run, and the plots written beside the
 * serve CSV.
 * @module
 */
import type { RunOutcome } from "./run_point.ts";
import type { StrategySweepResult } from "./strategy_sweep.ts";
import { metricSummaryChart, saveSvg } from "../viz/mod.ts";
import { readResultsCsv } from "./csv_log.ts";

/** A fixed-width table: one line per run with its headline metrics. */
export function formatSweepSummary(outcomes: readonly RunOutcome[]): string {
  const header = [
    "strategy",
    "run",
    "status",
    "done",
    "req/s",
    "mean TTFT ms",
    "p99 TTFT ms",
    "mean TPOT ms",
    "cache hit",
  ];
  const rows = outcomes.map((outcome) => {
    const s = outcome.summary;
    return [
      outcome.strategy,
      `r${outcome.repeat}`,
      outcome.status,
      s ? String(s.completed) : "-",
      s ? s.request_throughput.toFixed(2) : "-",
      s ? s.mean_ttft_ms.toFixed(1) : "-",
      s ? s.p99_ttft_ms.toFixed(1) : "-",
      s ? s.mean_tpot_ms.toFixed(2) : "-",
      s && Number.isFinite(s.cache_hit_rate) ? `${(s.cache_hit_rate * 100).toFixed(1)}%` : "-",
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length))
  );
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  return [format(header), format(widths.map((width) => "-".repeat(width))), ...rows.map(format)].join("\n");
}

/**
 * Writes a bar chart of mean TTFT per strategy (all rows of the serve CSV with this sweep's label)
 * as SVG beside the CSV. Returns the paths written.
 */
export async function writeSweepPlots(result: StrategySweepResult): Promise<string[]> {
  const rows = await readResultsCsv(result.serveCsvPath);
  const runIds = new Set(result.outcomes.map((outcome) => outcome.runId));
  const sweepRows = rows.filter((row) => runIds.has(String(row.run_id)) && row.status === "ok");
  if (sweepRows.length === 0) return [];
  const path = result.serveCsvPath.replace(/\.csv$/, "_mean_ttft_ms.svg");
  await saveSvg(metricSummaryChart(sweepRows, "mean_ttft_ms"), path);
  return [path];
}
