/**
 * What a sweep shows at its end: a terminal summary table per run, and the plots written beside the
 * serve CSV.
 * @module
 */
import type { RunOutcome } from "./run_point.ts";
import type { StrategySweepResult } from "./strategy_sweep.ts";
import { metricSummary } from "../viz/mod.ts";

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
      s && s.cache_hit_rate !== null ? `${(s.cache_hit_rate * 100).toFixed(1)}%` : "-",
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
 * Writes a bar chart of mean TTFT per strategy for this sweep's successful runs, as SVG and PNG
 * beside the serve CSV. Returns the paths written (none when no run succeeded).
 */
export async function writeSweepPlots(result: StrategySweepResult): Promise<string[]> {
  const runIds = result.outcomes.filter((outcome) => outcome.status === "ok").map((outcome) => outcome.runId);
  if (runIds.length === 0) return [];
  const figure = metricSummary(result.serveCsvPath, "mean_ttft_ms", { where: { run_id: runIds } });
  const saved = await figure.save(result.serveCsvPath.replace(/\.csv$/, "_mean_ttft_ms"));
  return [saved.svg, saved.png];
}
