/**
 * `deno task choose --label L | --run-id ID [--results DIR] [--data DIR]`: copies the matching rows
 * of the results CSVs into data/serve_chosen_sweep_results.csv and data/engine_chosen_sweep_results.csv,
 * and their run folders into data/runs/.
 * @module
 */
import { runCli, UsageError } from "../lib/core/cli.ts";
import { chooseRuns } from "../lib/viz/choose.ts";

await runCli({
  usage: "deno task choose (--label L | --run-id ID)... [--results DIR] [--data DIR]",
  summary:
    "Appends the rows with the given labels or run ids from RESULTS/{serve,engine}_*_sweep_results.csv " +
    "to DATA/{serve,engine}_chosen_sweep_results.csv (rows already there are skipped) and copies their run " +
    "folders to DATA/runs/.",
  flags: {
    label: { type: "list", help: "Benchmark label to choose" },
    "run-id": { type: "list", help: "Run id to choose" },
    results: { type: "string", default: "data/results", help: "Results folder" },
    data: { type: "string", default: "data", help: "Folder with the chosen CSVs" },
  },
}, async (flags) => {
  let result;
  try {
    result = await chooseRuns({
      resultsDir: flags.results,
      dataDir: flags.data,
      labels: flags.label,
      runIds: flags["run-id"],
    });
  } catch (error) {
    if (error instanceof TypeError || error instanceof SyntaxError) throw new UsageError(error.message);
    throw error;
  }
  for (const file of result.files) {
    console.log(
      `${file.path}: added ${file.added} rows${
        file.alreadyPresent ? `, ${file.alreadyPresent} already present` : ""
      }`,
    );
  }
  console.log(`copied ${result.copiedRuns.length} run folders to ${flags.data}/runs/`);
  if (result.missingRuns.length > 0) console.log(`no run folder for: ${result.missingRuns.join(", ")}`);
});
