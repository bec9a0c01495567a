/**
 * `deno task sweep`: the routing-strategy sweep. Brings up a fleet per strategy, drives the workload,
 * appends one row per run to data/results/serve_<dataset>_sweep_results.csv and
 * engine_<dataset>_sweep_results.csv, writes a plot beside them and prints a summary.
 * @module
 */
import { runCli } from "../lib/core/cli.ts";
import { installSignalTeardown } from "../lib/cluster/mod.ts";
import { readStructuredFile } from "../lib/cluster/fleet_spec.ts";
import {
  mergeConfig,
  parseStrategySweepConfig,
  runStrategySweep,
  type StrategySweepConfigInput,
  type SweepProgress,
} from "../lib/sweep/mod.ts";
import { formatSweepSummary, writeSweepPlots } from "../lib/sweep/report.ts";

const flags = {
  config: { type: "string", help: "JSON or YAML sweep config; flags override it" },
  label: { type: "string", help: "Label written in every row (what you changed)" },
  strategies: { type: "string", help: "Comma-separated strategies (default: all)" },
  repeats: { type: "number", integer: true, min: 1, help: "Runs per strategy" },
  "with-warmup": {
    type: "boolean",
    help: "Run the workload once before measuring, without restarting the fleet",
  },
  "warm-up-requests": {
    type: "number",
    integer: true,
    min: 0,
    help:
      "Short unique requests that warm the fleet before each run, then caches are reset (default 64; 0: none)",
  },
  seed: { type: "number", integer: true, help: "Seed for the workload, engines and router" },
  out: { type: "string", help: "Folder for the CSVs and run folders (default data/results)" },
  sim: { type: "boolean", help: "Simulate the cluster in virtual time instead of running processes" },
  "num-servers": { type: "number", integer: true, min: 1, help: "Mock engines in the fleet" },
  profile: { type: "string", help: "Mock engine profile (name or JSON path)" },
  model: { type: "string", help: "Served model name" },
  "speedup-ratio": { type: "number", help: "Divides every modelled engine duration" },
  "enable-prefix-caching": {
    type: "boolean",
    help: "Engine prefix caching (--no-enable-prefix-caching to turn off)",
  },
  "dataset-name": { type: "string", help: "Workload: conversations, sharegpt, generated-shared-prefix, ..." },
  "dataset-path": { type: "string", help: "Workload input file (sharegpt, mooncake, csv-trace)" },
  "num-prompts": { type: "number", integer: true, min: 1, help: "Requests per run" },
  "max-conversations": { type: "number", integer: true, min: 1, help: "Conversations to draw pieces from" },
  "min-output-len": { type: "number", integer: true, min: 1, help: "Minimum output tokens" },
  "max-output-len": { type: "number", integer: true, min: 1, help: "Maximum output tokens" },
  "max-concurrency": { type: "number", integer: true, min: 1, help: "Client concurrency cap" },
  "request-rate": { type: "number", help: "Requests per second (inf: all at once)" },
  "disable-ignore-eos": { type: "boolean", help: "Let the engine stop at a natural length" },
  "disable-stream": { type: "boolean", help: "Non-streaming requests" },
} as const;

await runCli({
  usage: "deno task sweep [options]",
  summary:
    "Runs the routing-strategy sweep on the embedded mock fleet (4 engines by default) and appends one row per run to the serve and engine CSVs.",
  flags,
}, async (values, parsed) => {
  let input: StrategySweepConfigInput = {};
  if (values.config) input = (await readStructuredFile(values.config)) as StrategySweepConfigInput;
  const overrides: Record<string, unknown> = {};
  const set = (path: string, value: unknown) => {
    const keys = path.split(".");
    let target = overrides;
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[keys.at(-1)!] = value;
  };
  const given = parsed.given;
  if (given.has("label")) set("label", values.label);
  if (given.has("strategies")) {
    set(
      "strategies",
      values.strategies!.split(",").map((s) => s.trim()).filter(Boolean),
    );
  }
  if (given.has("repeats")) set("repeats", values.repeats);
  if (given.has("with-warmup")) set("withWarmup", values["with-warmup"]);
  if (given.has("warm-up-requests")) set("warmUpRequests", values["warm-up-requests"]);
  if (given.has("seed")) set("seed", values.seed);
  if (given.has("out")) set("out", values.out);
  if (given.has("sim")) set("mode", values.sim ? "sim" : "live");
  if (given.has("num-servers")) set("fleet.numServers", values["num-servers"]);
  if (given.has("profile")) set("fleet.profile", values.profile);
  if (given.has("model")) set("fleet.model", values.model);
  if (given.has("speedup-ratio")) set("fleet.speedupRatio", values["speedup-ratio"]);
  if (given.has("enable-prefix-caching")) set("fleet.enablePrefixCaching", values["enable-prefix-caching"]);
  if (given.has("dataset-name")) set("workload.name", values["dataset-name"]);
  if (given.has("dataset-path")) set("workload.path", values["dataset-path"]);
  if (given.has("num-prompts")) set("workload.numPrompts", values["num-prompts"]);
  if (given.has("max-conversations")) set("workload.maxConversations", values["max-conversations"]);
  if (given.has("min-output-len")) set("workload.minOutputLen", values["min-output-len"]);
  if (given.has("max-output-len")) set("workload.maxOutputLen", values["max-output-len"]);
  if (given.has("max-concurrency")) set("client.maxConcurrency", values["max-concurrency"]);
  if (given.has("request-rate")) set("client.requestRate", values["request-rate"]);
  if (given.has("disable-ignore-eos")) set("client.ignoreEos", !values["disable-ignore-eos"]);
  if (given.has("disable-stream")) set("client.stream", !values["disable-stream"]);
  const config = parseStrategySweepConfig(mergeConfig(input, overrides), values.config ?? "flags");

  const controller = new AbortController();
  installSignalTeardown(() => {
    controller.abort(new Error("interrupted"));
    clearProgressLine();
    console.error("routebench: interrupted; stopping the fleet");
  });
  console.log(
    `routebench sweep: ${config.strategies.length} strategies × ${config.repeats} on ${config.fleet.numServers} mock engines ` +
      `(${config.fleet.profile}, speedup ${config.fleet.speedupRatio}), ${config.workload.numPrompts} ${config.workload.name} requests each`,
  );
  const result = await runStrategySweep(config, {
    signal: controller.signal,
    gitSha: await gitSha(),
    onProgress: showProgress,
    onRunDone: (outcome) => {
      clearProgressLine();
      const detail = outcome.status === "ok" ? "" : `: ${outcome.reason}`;
      console.log(`  ${outcome.strategy} r${outcome.repeat} ${outcome.status}${detail}  (${outcome.runDir})`);
    },
  });
  const plots = await writeSweepPlots(result);
  console.log("");
  console.log(formatSweepSummary(result.outcomes));
  console.log("");
  console.log(`serve CSV:  ${result.serveCsvPath}`);
  console.log(`engine CSV: ${result.engineCsvPath}`);
  for (const plot of plots) console.log(`plot:       ${plot}`);
  if (result.outcomes.some((outcome) => outcome.status !== "ok")) Deno.exitCode = 1;
});

function showProgress(progress: SweepProgress): void {
  if (!Deno.stdout.isTerminal()) return;
  const eta = progress.etaMs === undefined ? "" : `  ETA ${Math.round(progress.etaMs / 1000)}s`;
  const line = `[${progress.runsDone + 1}/${progress.runsTotal}] ${progress.strategy}: ` +
    `${progress.run.completed}/${progress.run.total} requests  elapsed ${
      Math.round(progress.elapsedMs / 1000)
    }s${eta}`;
  Deno.stdout.writeSync(new TextEncoder().encode(`\r\x1b[2K${line}`));
}

function clearProgressLine(): void {
  if (Deno.stdout.isTerminal()) Deno.stdout.writeSync(new TextEncoder().encode("\r\x1b[2K"));
}

async function gitSha(): Promise<string> {
  try {
    const output = await new Deno.Command("git", { args: ["rev-parse", "--short", "HEAD"], stderr: "null" })
      .output();
    return output.success ? new TextDecoder().decode(output.stdout).trim() : "";
  } catch {
    return "";
  }
}
