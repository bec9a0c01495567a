/**
 * Writing a report plan: `plots/<name>.svg` and `.png` for every figure, `SUMMARY.txt` (the
 * per-series numbers, best strategy per metric, concurrency maxima, runs and their status), and one
 * self-contained `report.html` with every plot inline, the summary tables and each run's config.
 * @module
 */
import { join } from "node:path";
import { escapeXml, tableToHtml } from "./render.ts";
import { planFigures, type ReportPlan, type ReportSection } from "./report.ts";
import { numeric, seriesNamer } from "./results_csv.ts";
import { lowerIsBetter, metricLabel } from "./theme.ts";

/** Options for {@linkcode writeReport}. */
export interface WriteReportOptions {
  /** Also write PNGs. @default {true} */
  png?: boolean;
}

/** What {@linkcode writeReport} wrote. */
export interface WrittenReport {
  html: string;
  summary: string;
  figures: number;
  files: string[];
}

/** Renders every figure to `<outDir>/plots/`, then writes SUMMARY.txt and report.html. */
export async function writeReport(
  plan: ReportPlan,
  outDir: string,
  options: WriteReportOptions = {},
): Promise<WrittenReport> {
  const plots = join(outDir, "plots");
  await Deno.mkdir(plots, { recursive: true });
  const files: string[] = [];
  for (const figure of planFigures(plan)) {
    const svgPath = join(plots, `${figure.name}.svg`);
    await Deno.writeTextFile(svgPath, figure.toSvg());
    files.push(svgPath);
    if (options.png ?? true) {
      const pngPath = join(plots, `${figure.name}.png`);
      await Deno.writeFile(pngPath, figure.toPng());
      files.push(pngPath);
    }
  }
  const summary = join(outDir, "SUMMARY.txt");
  await Deno.writeTextFile(summary, summaryText(plan));
  const html = join(outDir, "report.html");
  await Deno.writeTextFile(html, reportHtml(plan));
  return { html, summary, figures: planFigures(plan).length, files };
}

/** The self-contained HTML report. */
export function reportHtml(plan: ReportPlan): string {
  const toc = plan.sections.map((s) =>
    `<li><a href="#${s.id}">${escapeXml(s.title)}</a> (${s.figures.length})</li>`
  ).join("");
  const body = plan.sections.map(sectionHtml).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>routebench report: ${escapeXml(plan.resultsDir)}</title>
<style>
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222}
figure{margin:16px 0;overflow-x:auto} figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:12px 0;font-size:13px} th,td{padding:4px 10px;border-bottom:1px solid #ddd}
caption{text-align:left;padding:4px 0} pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}
.skipped{color:#777;font-size:13px}
</style></head><body>
<h1>routebench report</h1>
<p>Results folder: <code>${escapeXml(plan.resultsDir)}</code>. ${
    planFigures(plan).length
  } figures; ${plan.runs.length} run folders.</p>
<nav><ol>${toc}</ol></nav>
${body}
</body></html>
`;
}

/** The plain-text summary (SUMMARY.txt). */
export function summaryText(plan: ReportPlan): string {
  const lines = [`routebench report for ${plan.resultsDir}`, ""];
  for (const [file, rows] of plan.csvRows) {
    lines.push(`${file}: ${rows.length} ok rows`);
    const section = plan.sections.find((s) => s.title === file);
    if (section?.table) {
      lines.push(...textTable(section.table.columns, section.table.rows).map((l) => `  ${l}`));
      for (const metric of section.table.columns.slice(2)) {
        const best = [...section.table.rows].filter((r) => typeof r[metric] === "number")
          .sort((a, b) =>
            (lowerIsBetter(metric) ? 1 : -1) * ((a[metric] as number) - (b[metric] as number))
          )[0];
        if (best) lines.push(`  best ${metricLabel(metric)}: ${best.series} (${best[metric]})`);
      }
    }
    const concurrency = rows.filter((row) => numeric(row, "max_concurrency") !== undefined);
    const nameOf = seriesNamer(concurrency);
    const levels = new Map<string, Set<number>>();
    for (const row of concurrency) {
      levels.set(nameOf(row), (levels.get(nameOf(row)) ?? new Set()).add(numeric(row, "max_concurrency")!));
    }
    for (const [name, set] of levels) {
      if (
        set.size < 2 || !concurrency.some((row) => numeric(row, "request_throughput_per_s") !== undefined)
      ) {
        continue;
      }
      const own = concurrency.filter((row) => nameOf(row) === name);
      const top = own.reduce((a, b) =>
        (numeric(b, "request_throughput_per_s") ?? 0) > (numeric(a, "request_throughput_per_s") ?? 0) ? b : a
      );
      lines.push(
        `  concurrency ${name}: max ${numeric(top, "request_throughput_per_s")} req/s at c${
          numeric(top, "max_concurrency")
        }; ` +
          `there p50 TTFT ${numeric(top, "median_ttft_ms") ?? "n/a"} ms, p50 ITL ${
            numeric(top, "median_itl_ms") ?? "n/a"
          } ms`,
      );
    }
    lines.push("");
  }
  lines.push(`Run folders: ${plan.runs.length}`);
  for (const section of plan.sections.filter((s) => s.config)) {
    lines.push(`  ${section.title}: status ${section.status}; ${section.figures.length} figures`);
    for (const skipped of section.skipped) lines.push(`    skipped ${skipped}`);
  }
  lines.push("", `Figures: ${planFigures(plan).length} (plots/*.svg and plots/*.png)`);
  return lines.join("\n") + "\n";
}

function sectionHtml(section: ReportSection): string {
  const parts = [`<section id="${section.id}"><h2>${escapeXml(section.title)}</h2>`];
  if (section.status) parts.push(`<p>Status: ${escapeXml(section.status)}</p>`);
  if (section.table) {
    const { columns, rows } = section.table;
    parts.push(tableToHtml({
      name: `${section.id}_summary`,
      title: "Means per series",
      table: {
        columns: columns.map((key) => ({ key, label: key, align: key === "series" ? "left" : "right" })),
        rows,
      },
    }));
  }
  for (const figure of section.figures) {
    parts.push(
      `<figure class="plot" id="fig-${escapeXml(figure.name)}" data-name="${
        escapeXml(figure.name)
      }">${figure.toHtml()}</figure>`,
    );
  }
  if (section.skipped.length > 0) {
    parts.push(
      `<ul class="skipped">${section.skipped.map((s) => `<li>skipped ${escapeXml(s)}</li>`).join("")}</ul>`,
    );
  }
  if (section.config) {
    parts.push(
      `<details><summary>config.json</summary><pre>${
        escapeXml(JSON.stringify(section.config, null, 2))
      }</pre></details>`,
    );
  }
  parts.push("</section>");
  return parts.join("\n");
}

function textTable(columns: string[], rows: Record<string, string | number>[]): string[] {
  const cells = [columns, ...rows.map((row) => columns.map((c) => String(row[c] ?? "")))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) =>
    r.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join("  ")
  );
}
