/**
 * `deno task bench`: run one benchmark against a running server or router, sglang bench_serving
 * style. Prints the summary JSON to stdout (progress on stderr when it is a terminal); writes the
 * summary to --output-file and per-request records to --output-details.
 * @module
 */
import { runCli, UsageError } from "../lib/core/cli.ts";
import { createRng } from "../lib/core/rng.ts";
import { formatProgress } from "../lib/client/progress.ts";
import { writeRecordsJsonl, writeSummaryJson } from "../lib/client/output.ts";
import { runBenchmark } from "../lib/client/run_benchmark.ts";
import type { GoodputSlo } from "../lib/client/types.ts";
import { createWorkload, WORKLOAD_NAMES, type WorkloadSpec } from "../lib/workload/create_workload.ts";

const flags = {
  "base-url": { type: "string", help: "Server or router base URL", default: "http://127.0.0.1:8000" },
  model: { type: "string", help: "Model name sent in requests", default: "Qwen/Qwen2.5-1.5B-Instruct" },
  endpoint: { type: "string", help: "chat | completions", default: "chat" },
  "dataset-name": {
    type: "string",
    help: `Workload: ${WORKLOAD_NAMES.join(" | ")}`,
    default: "conversations",
  },
  "dataset-path": { type: "string", help: "File for sharegpt, mooncake, csv-trace" },
  "num-prompts": {
    type: "number",
    help: "Requests (trace workloads: first N rows; default all)",
    integer: true,
    min: 1,
  },
  "request-rate": { type: "number", help: "Open-loop req/s (inf = all at once)", default: Infinity },
  "max-concurrency": {
    type: "number",
    help: "Most requests in flight (default unlimited)",
    integer: true,
    min: 1,
  },
  burstiness: { type: "number", help: "Gamma shape of inter-arrivals (1 Poisson, inf constant)", default: 1 },
  "warmup-requests": {
    type: "number",
    help: "Warmup requests excluded from results",
    default: 0,
    integer: true,
    min: 0,
  },
  seed: { type: "number", help: "Seed of workload and arrivals", default: 42, integer: true },
  "output-file": { type: "string", help: "Write the summary JSON here" },
  "output-details": { type: "string", help: "Write per-request records (JSONL) here" },
  goodput: { type: "list", help: "SLOs ttft:MS tpot:MS e2el:MS (space- or comma-separated)" },
  "disable-ignore-eos": { type: "boolean", help: "Do not send ignore_eos: true" },
  "disable-stream": { type: "boolean", help: "Non-streaming requests (TTFT = E2E)" },
  dialect: { type: "string", help: "Metric dialect: sglang | vllm", default: "sglang" },
  "timeout-s": { type: "number", help: "Per-request timeout", default: 600 },
  "send-lag-threshold-ms": {
    type: "number",
    help: "Invalidate the run when send lag p99 exceeds this",
    default: 10,
  },
  "cpu-threshold-percent": {
    type: "number",
    help: "Invalidate the run when client CPU exceeds this",
    default: 95,
  },
  "client-workers": {
    type: "number",
    help: "Do the HTTP work in N Worker threads (>= 2; for > ~8,000 req/s with free cores); 0 = main thread",
    default: 0,
    integer: true,
    min: 0,
  },
  "min-output-len": {
    type: "number",
    help: "conversations/sharegpt: min output tokens",
    default: 10,
    integer: true,
  },
  "max-output-len": {
    type: "number",
    help: "conversations/sharegpt: max output tokens",
    default: 200,
    integer: true,
  },
  "sharegpt-output-len": { type: "number", help: "sharegpt: fixed output tokens", integer: true, min: 1 },
  "max-conversations": {
    type: "number",
    help: "conversations/sharegpt: conversation pool (default 340 / 10000)",
    integer: true,
    min: 1,
  },
  "gsp-num-groups": { type: "number", help: "gsp: groups", default: 64, integer: true, min: 1 },
  "gsp-prompts-per-group": {
    type: "number",
    help: "gsp: prompts per group",
    default: 16,
    integer: true,
    min: 1,
  },
  "gsp-system-prompt-len": {
    type: "number",
    help: "gsp: system prompt tokens",
    default: 2048,
    integer: true,
    min: 1,
  },
  "gsp-question-len": { type: "number", help: "gsp: question tokens", default: 128, integer: true, min: 1 },
  "gsp-output-len": { type: "number", help: "gsp: output tokens", default: 256, integer: true, min: 1 },
  "gsp-range-ratio": { type: "number", help: "gsp: length lower bound fraction", default: 1 },
  "gsp-group-distribution": { type: "string", help: "gsp: uniform | zipf", default: "uniform" },
  "gsp-zipf-alpha": { type: "number", help: "gsp: Zipf exponent", default: 1 },
  "gsp-ordered": { type: "boolean", help: "gsp: keep group order" },
  "random-input-len": { type: "number", help: "random: input tokens", default: 1024, integer: true, min: 1 },
  "random-output-len": {
    type: "number",
    help: "random: output tokens",
    default: 1024,
    integer: true,
    min: 1,
  },
  "random-range-ratio": { type: "number", help: "random: lower bound fraction (sglang)", default: 0 },
  "prefix-ratio-isl": {
    type: "number",
    help: "prefix-ratio: input tokens",
    default: 14000,
    integer: true,
    min: 1,
  },
  "prefix-ratio-osl": {
    type: "number",
    help: "prefix-ratio: output tokens",
    default: 200,
    integer: true,
    min: 1,
  },
  "prefix-ratio": { type: "number", help: "prefix-ratio: shared share of the input", default: 0.5 },
  "prefix-ratio-num-groups": {
    type: "number",
    help: "prefix-ratio: prefixes",
    default: 20,
    integer: true,
    min: 1,
  },
  "trace-speedup": { type: "number", help: "mooncake/csv-trace: divide trace times by this", default: 1 },
} as const;

/** Maps CLI flags to a workload spec. */
function workloadSpec(f: Record<string, unknown>): WorkloadSpec {
  const name = String(f["dataset-name"]);
  const path = f["dataset-path"] as string | undefined;
  const numPrompts = f["num-prompts"] as number | undefined;
  const needPath = () => {
    if (!path) throw new UsageError(`--dataset-name ${name} needs --dataset-path`);
    return path;
  };
  const outputRange = {
    minOutputLen: f["min-output-len"] as number,
    maxOutputLen: f["max-output-len"] as number,
  };
  const maxConversations = f["max-conversations"] as number | undefined;
  switch (name) {
    case "conversations":
      return {
        name,
        numPrompts: numPrompts ?? 1000,
        ...outputRange,
        ...(maxConversations ? { maxConversations } : {}),
      };
    case "sharegpt":
      return {
        name,
        path: needPath(),
        numPrompts: numPrompts ?? 1000,
        ...outputRange,
        ...(maxConversations ? { maxConversations } : {}),
        ...(f["sharegpt-output-len"] ? { outputLen: f["sharegpt-output-len"] as number } : {}),
      };
    case "generated-shared-prefix": {
      const distribution = String(f["gsp-group-distribution"]);
      if (distribution !== "uniform" && distribution !== "zipf") {
        throw new UsageError(`--gsp-group-distribution expects uniform or zipf: got '${distribution}'`);
      }
      return {
        name,
        numGroups: f["gsp-num-groups"] as number,
        promptsPerGroup: f["gsp-prompts-per-group"] as number,
        systemPromptLen: f["gsp-system-prompt-len"] as number,
        questionLen: f["gsp-question-len"] as number,
        outputLen: f["gsp-output-len"] as number,
        rangeRatio: f["gsp-range-ratio"] as number,
        groupDistribution: distribution,
        zipfAlpha: f["gsp-zipf-alpha"] as number,
        ordered: f["gsp-ordered"] as boolean,
      };
    }
    case "random":
      return {
        name,
        numPrompts: numPrompts ?? 1000,
        inputLen: f["random-input-len"] as number,
        outputLen: f["random-output-len"] as number,
        rangeRatio: f["random-range-ratio"] as number,
      };
    case "prefix-ratio":
      return {
        name,
        numPrompts: numPrompts ?? 200,
        isl: f["prefix-ratio-isl"] as number,
        osl: f["prefix-ratio-osl"] as number,
        prefixRatio: f["prefix-ratio"] as number,
        numPrefixGroups: f["prefix-ratio-num-groups"] as number,
      };
    case "mooncake":
    case "csv-trace":
      return {
        name,
        path: needPath(),
        speedup: f["trace-speedup"] as number,
        ...(numPrompts ? { numPrompts } : {}),
      };
    default:
      throw new UsageError(`--dataset-name expects one of ${WORKLOAD_NAMES.join(", ")}: got '${name}'`);
  }
}

/** Parses `ttft:100 tpot:20,e2el:5000` into SLOs. */
export function parseGoodput(items: readonly string[]): GoodputSlo | undefined {
  const slo: GoodputSlo = {};
  const parts = items.flatMap((item) => item.split(",")).map((p) => p.trim()).filter((p) => p !== "");
  if (parts.length === 0) return undefined;
  for (const part of parts) {
    const match = /^(ttft|tpot|e2el):(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) throw new UsageError(`--goodput expects ttft:MS, tpot:MS or e2el:MS: got '${part}'`);
    const value = Number(match[2]);
    if (match[1] === "ttft") slo.ttftMs = value;
    else if (match[1] === "tpot") slo.tpotMs = value;
    else slo.e2elMs = value;
  }
  return slo;
}

if (import.meta.main) {
  await runCli(
    {
      usage: "deno task bench [options]",
      summary:
        "Benchmark an OpenAI-compatible server with a routebench workload; flags follow sglang bench_serving.",
      flags,
      allowPositionals: true,
    },
    async (f, parsed) => {
      // sglang takes `--goodput ttft:100 tpot:20` (several values after one flag): accept them as positionals.
      const stray = parsed.positionals.filter((p) => !/^(ttft|tpot|e2el):/.test(p));
      if (stray.length > 0) throw new UsageError(`unexpected argument '${stray[0]}' (see --help)`);
      const goodput = parseGoodput([...f.goodput, ...parsed.positionals]);
      const endpoint = f.endpoint;
      if (endpoint !== "chat" && endpoint !== "completions") {
        throw new UsageError(`--endpoint expects chat or completions: got '${endpoint}'`);
      }
      const dialect = f.dialect;
      if (dialect !== "sglang" && dialect !== "vllm") {
        throw new UsageError(`--dialect expects sglang or vllm: got '${dialect}'`);
      }
      let workload;
      try {
        workload = createWorkload(workloadSpec(f), createRng(f.seed));
      } catch (error) {
        if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(error.message);
        throw error;
      }
      if (workload.skipped) {
        console.error(
          `workload skipped ${workload.skipped.total} inputs: ${JSON.stringify(workload.skipped.byReason)}`,
        );
      }
      const tty = Deno.stderr.isTerminal();
      const encoder = new TextEncoder();
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      Deno.addSignalListener("SIGINT", onSignal);
      const { summary, records } = await runBenchmark({
        baseUrl: f["base-url"],
        model: f.model,
        endpoint,
        requests: workload.requests,
        maxConcurrency: f["max-concurrency"] ?? Infinity,
        requestRate: f["request-rate"],
        burstiness: f.burstiness,
        warmupRequests: f["warmup-requests"],
        seed: f.seed,
        ...(goodput ? { goodput } : {}),
        ignoreEos: !f["disable-ignore-eos"],
        stream: !f["disable-stream"],
        timeoutMs: f["timeout-s"] * 1000,
        sendLagP99ThresholdMs: f["send-lag-threshold-ms"],
        cpuPercentThreshold: f["cpu-threshold-percent"],
        clientWorkers: f["client-workers"],
        dialect,
        signal: controller.signal,
        ...(tty
          ? { onProgress: (p) => Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${formatProgress(p)}`)) }
          : {}),
      });
      Deno.removeSignalListener("SIGINT", onSignal);
      if (tty) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
      if (f["output-file"]) await writeSummaryJson(f["output-file"], summary);
      if (f["output-details"]) await writeRecordsJsonl(f["output-details"], records);
      console.log(JSON.stringify(summary, null, 2));
      if (!summary.valid) {
        const message = `INVALID RUN: ${summary.invalid_reason}`;
        console.error(Deno.noColor || !tty ? message : `\x1b[31m${message}\x1b[0m`);
      }
    },
  );
}
