/**
 * `deno task datagen analyze|synthesize|sin`: Mooncake trace tools (after Dynamo's datagen).
 * analyze prints JSON facts (lengths, duration, unbounded and LRU prefix-cache hit rates);
 * synthesize writes a new trace from a trace's prefix structure; sin writes a sinusoidal-rate trace.
 * @module
 */
import { runCli, UsageError } from "../lib/core/cli.ts";
import { createRng } from "../lib/core/rng.ts";
import { formatMooncakeTrace, loadMooncakeTrace } from "../lib/workload/mooncake_trace.ts";
import { analyzeTrace } from "../lib/workload/trace_analyze.ts";
import { synthesizeTrace } from "../lib/workload/trace_synthesize.ts";
import { sinTrace } from "../lib/workload/trace_sin.ts";

const flags = {
  input: { type: "string", help: "analyze/synthesize: input Mooncake JSONL" },
  output: { type: "string", help: "synthesize/sin: output JSONL (stdout when absent)" },
  "block-size": { type: "number", help: "Tokens per hash id", default: 512, integer: true, min: 1 },
  "cache-blocks": { type: "number", help: "analyze: LRU cache size in blocks", integer: true, min: 1 },
  seed: { type: "number", help: "synthesize/sin: seed", default: 0, integer: true },
  "num-requests": { type: "number", help: "synthesize: rows (default: input rows)", integer: true, min: 1 },
  "speedup-ratio": { type: "number", help: "synthesize: divide inter-arrival gaps", default: 1 },
  "prefix-len-multiplier": { type: "number", help: "synthesize: scale shared prefix lengths", default: 1 },
  "prefix-root-multiplier": {
    type: "number",
    help: "synthesize: independent prefix-tree copies (users)",
    default: 1,
    integer: true,
    min: 1,
  },
  "prompt-len-multiplier": { type: "number", help: "synthesize: scale unique prompt lengths", default: 1 },
  "osl-multiplier": { type: "number", help: "synthesize: scale output lengths", default: 1 },
  "time-duration": { type: "number", help: "sin: seconds", default: 100 },
  "request-rate-min": { type: "number", help: "sin: min req/s", default: 5 },
  "request-rate-max": { type: "number", help: "sin: max req/s", default: 10 },
  "request-rate-period": { type: "number", help: "sin: period in s", default: 10 },
  isl1: { type: "number", help: "sin: ISL of kind 1", default: 100, integer: true, min: 1 },
  osl1: { type: "number", help: "sin: OSL of kind 1", default: 2000, integer: true, min: 1 },
  isl2: { type: "number", help: "sin: ISL of kind 2", default: 5000, integer: true, min: 1 },
  osl2: { type: "number", help: "sin: OSL of kind 2", default: 100, integer: true, min: 1 },
  "isl-osl-ratio-min": { type: "number", help: "sin: min share of kind 1", default: 0.2 },
  "isl-osl-ratio-max": { type: "number", help: "sin: max share of kind 1", default: 0.8 },
  "total-blocks": { type: "number", help: "sin: block pool", default: 10000, integer: true, min: 1 },
} as const;

if (import.meta.main) {
  await runCli(
    {
      usage: "deno task datagen analyze|synthesize|sin [options]",
      summary: "Analyze, synthesize or generate Mooncake-format traces.",
      flags,
      allowPositionals: true,
    },
    async (f, parsed) => {
      const [command, ...rest] = parsed.positionals;
      if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
      const input = () => {
        if (!f.input) throw new UsageError(`datagen ${command} needs --input FILE`);
        try {
          return loadMooncakeTrace(f.input);
        } catch (error) {
          if (error instanceof TypeError) throw new UsageError(error.message);
          throw error;
        }
      };
      const write = async (text: string) => {
        if (f.output) await Deno.writeTextFile(f.output, text);
        else await Deno.stdout.write(new TextEncoder().encode(text));
      };
      if (command === "analyze") {
        const analysis = analyzeTrace(input(), {
          blockSize: f["block-size"],
          ...(f["cache-blocks"] !== undefined ? { cacheBlocks: f["cache-blocks"] } : {}),
        });
        console.log(JSON.stringify(analysis, null, 2));
      } else if (command === "synthesize") {
        const rows = synthesizeTrace(input(), {
          ...(f["num-requests"] !== undefined ? { numRequests: f["num-requests"] } : {}),
          speedup: f["speedup-ratio"],
          prefixLenMultiplier: f["prefix-len-multiplier"],
          prefixRootMultiplier: f["prefix-root-multiplier"],
          promptLenMultiplier: f["prompt-len-multiplier"],
          oslMultiplier: f["osl-multiplier"],
          blockSize: f["block-size"],
        }, createRng(f.seed).fork("synthesize"));
        await write(formatMooncakeTrace(rows));
      } else if (command === "sin") {
        const rows = sinTrace({
          durationS: f["time-duration"],
          rateMin: f["request-rate-min"],
          rateMax: f["request-rate-max"],
          periodS: f["request-rate-period"],
          isl1: f.isl1,
          osl1: f.osl1,
          isl2: f.isl2,
          osl2: f.osl2,
          ratioMin: f["isl-osl-ratio-min"],
          ratioMax: f["isl-osl-ratio-max"],
          blockSize: f["block-size"],
          totalBlocks: f["total-blocks"],
        }, createRng(f.seed).fork("sin"));
        await write(formatMooncakeTrace(rows));
      } else {
        throw new UsageError(
          `datagen expects a command: analyze, synthesize or sin${command ? `: got '${command}'` : ""}`,
        );
      }
    },
  );
}
