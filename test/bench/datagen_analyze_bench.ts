/**
 * Performance goal: a 12,000-request Mooncake trace loads and analyzes in under 2 s.
 * Method: synthesize 12,000 rows from ../shared/data/mooncake (3x the real trace, same shape),
 * write them to a temp file, then time load + analyze.
 *   deno bench -A test/bench/datagen_analyze_bench.ts
 */
import { createRng } from "../../lib/core/rng.ts";
import { formatMooncakeTrace, loadMooncakeTrace } from "../../lib/workload/mooncake_trace.ts";
import { analyzeTrace } from "../../lib/workload/trace_analyze.ts";
import { synthesizeTrace } from "../../lib/workload/trace_synthesize.ts";
import { SHARED_DATA, sharedData } from "../workload/_data.ts";

const path = await Deno.makeTempFile({ suffix: ".jsonl" });
if (SHARED_DATA !== undefined) {
  const rows = synthesizeTrace(loadMooncakeTrace(sharedData("mooncake/synthetic_trace.jsonl")), {
    numRequests: 12000,
  }, createRng(0));
  await Deno.writeTextFile(path, formatMooncakeTrace(rows));
}

Deno.bench({
  name: "load + analyze a 12,000-request Mooncake trace (goal < 2 s)",
  ignore: SHARED_DATA === undefined,
  n: 5,
  warmup: 1,
  fn() {
    const analysis = analyzeTrace(loadMooncakeTrace(path), { cacheBlocks: 10000 });
    if (analysis.num_requests !== 12000) throw new Error("wrong row count");
  },
});

globalThis.addEventListener("unload", () => Deno.removeSync(path));
