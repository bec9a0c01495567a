// Goal: calibrate the simulation's HTTP hop model (DEFAULT_HOP_MODEL in lib/cluster/virtual_cluster.ts):
// the latency a live run pays per hop (client -> router -> engine and back) that the engines' model
// does not contain. Method: for each concurrency, run the default sweep's workload once live with
// round_robin (its choices do not depend on timing) and once simulated with a zero hop model, same
// seed; per request, (live TTFT - simulated TTFT) / 4 is the one-way hop. Requests before the first
// `concurrency` completions are left out: they pay the fleet's connection set-up and first-request
// costs, which the hop model does not describe. base = hop at concurrency 1; slope = extra hop per
// request in flight at the router, from the highest concurrency.
// Run: deno run -A test/bench/http_hop_bench.ts [--concurrency 1,40] [--num-prompts 300]
import { runCli } from "../../lib/core/cli.ts";
import { mean, percentileSorted } from "../../lib/core/stats.ts";
import type { RequestRecord } from "../../lib/client/mod.ts";
import { memoizedWorkload, parseStrategySweepConfig, runPoint, simulatePoint } from "../../lib/sweep/mod.ts";

await runCli({
  usage: "deno run -A test/bench/http_hop_bench.ts [options]",
  summary: "Measures the live per-hop latency the virtual cluster's hop model stands for.",
  flags: {
    concurrency: { type: "string", default: "1,40", help: "Comma-separated client concurrencies" },
    "num-prompts": { type: "number", integer: true, min: 10, default: 300, help: "Requests per run" },
  },
}, async (values) => {
  const concurrencies = values.concurrency.split(",").map(Number);
  const perHopMs: number[] = [];
  for (const concurrency of concurrencies) {
    const out = await Deno.makeTempDir({ prefix: "routebench_hopbench_" });
    try {
      const config = parseStrategySweepConfig({
        out,
        strategies: ["round_robin"],
        client: { maxConcurrency: concurrency },
        workload: {
          numPrompts: concurrency === 1 ? Math.min(60, values["num-prompts"]) : values["num-prompts"],
        },
      });
      const requestsFor = memoizedWorkload(config);
      const live = await runPoint(config, "round_robin", 0, { requestsFor });
      if (live.status !== "ok") throw new Error(`live run failed: ${live.reason}`);
      const liveRecords = (await Deno.readTextFile(`${live.runDir}/requests.jsonl`)).trim().split("\n")
        .map((line) => JSON.parse(line) as RequestRecord);
      const sim = await simulatePoint(config, "round_robin", config.seed, requestsFor(config.seed), {
        hop: { baseMs: 0, perInFlightMs: 0, sigma: 0 },
      });
      const simByIndex = new Map(sim.result.records.map((record) => [record.index, record]));
      const ttftDelta = (record: RequestRecord) => record.ttft_ms! - simByIndex.get(record.index)!.ttft_ms!;
      const answered = liveRecords.filter((record) => record.ttft_ms !== null);
      const deltas = answered.filter((record) => record.index >= concurrency).map((r) => ttftDelta(r) / 4);
      const firstDeltas = answered.filter((record) => record.index < concurrency).map(ttftDelta);
      const sorted = [...deltas].sort((a, b) => a - b);
      perHopMs.push(mean(deltas));
      console.log(JSON.stringify({
        concurrency,
        requests: deltas.length,
        hop_mean_ms: +mean(deltas).toFixed(3),
        hop_p10_ms: +percentileSorted(sorted, 10).toFixed(3),
        hop_p50_ms: +percentileSorted(sorted, 50).toFixed(3),
        hop_p90_ms: +percentileSorted(sorted, 90).toFixed(3),
        // The first `concurrency` requests each open a client and a router connection.
        first_requests_extra_ms: +(mean(firstDeltas) - 4 * mean(deltas)).toFixed(3),
      }));
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  }
  const first = 0;
  const last = concurrencies.length - 1;
  const slope = last > first
    ? (perHopMs[last]! - perHopMs[first]!) / (concurrencies[last]! - concurrencies[first]!)
    : 0;
  const base = perHopMs[first]! - slope * concurrencies[first]!;
  console.log(
    JSON.stringify({ fitted_base_ms: +base.toFixed(3), fitted_per_in_flight_ms: +slope.toFixed(4) }),
  );
});
