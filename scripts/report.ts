/**
 * `deno task report --results DIR [--out DIR] [--no-png]`: every plot for a results folder as SVG
 * and PNG, SUMMARY.txt, and one self-contained report.html.
 * @module
 */
import { join } from "node:path";
import { runCli, UsageError } from "../lib/core/cli.ts";
import { planFigures, planReport } from "../lib/viz/report.ts";
import { writeReport } from "../lib/viz/report_html.ts";

await runCli({
  usage: "deno task report --results DIR [--out DIR] [--no-png]",
  summary:
    "Renders every plot the results folder supports (its CSVs, prefix_ratio_results_summary.json and " +
    "runs/) to OUT/plots/*.svg and *.png, and writes OUT/SUMMARY.txt and OUT/report.html.",
  flags: {
    results: { type: "string", default: "data/results", help: "Results folder (CSVs and runs/)" },
    out: { type: "string", help: "Output folder (default: RESULTS/report)" },
    png: { type: "boolean", default: true, help: "Also render PNGs (--no-png to skip)" },
  },
}, async (flags) => {
  const started = performance.now();
  let plan;
  try {
    plan = planReport(flags.results);
  } catch (error) {
    if (error instanceof TypeError || error instanceof SyntaxError) throw new UsageError(error.message);
    throw error;
  }
  if (planFigures(plan).length === 0) {
    throw new UsageError(
      `Nothing to plot in '${flags.results}': no results CSVs, prefix-ratio summary or run folders`,
    );
  }
  const out = flags.out ?? join(flags.results, "report");
  const written = await writeReport(plan, out, { png: flags.png });
  for (const section of plan.sections) {
    for (const skipped of section.skipped) console.log(`skipped ${section.title}: ${skipped}`);
  }
  console.log(`wrote ${written.figures} figures to ${join(out, "plots")} (${written.files.length} files)`);
  console.log(`wrote ${written.summary}`);
  console.log(`wrote ${written.html} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
