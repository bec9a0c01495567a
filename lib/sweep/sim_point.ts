/**
 * One sweep point in virtual time: the same workload, client runner, router strategy and engine
 * code as a live run, on a {@linkcode VirtualCluster} instead of processes and HTTP. It fills the
 * same run-folder files: the scraped-metrics timeseries is sampled every 100 ms of virtual time and
 * the decision log comes from the same routing core.
 * @module
 */
import { memoizedTokenize } from "../core/tokens.ts";
import { VirtualClock } from "../core/clock.ts";
import { type HopModel, VirtualCluster } from "../cluster/virtual_cluster.ts";
import {
  type BenchmarkResult,
  type ClientTransport,
  runBenchmarkWith,
  type RunnerOptions,
} from "../client/mod.ts";
import type { WorkloadRequest } from "../workload/mod.ts";
import { MemoryDecisionSink } from "../router/decision_log.ts";
import { writeGzippedJsonl } from "../prom/timeseries.ts";
import { TimeseriesJsonlEncoder } from "../prom/timeseries_encoder.ts";
import { clientOptionsFor, type StrategySweepConfig } from "./config.ts";
import { fleetWarmUpClientOptions } from "./fleet_warm_up.ts";
import { type EngineAverages, engineAverages, replicaWindows } from "./engine_averages.ts";

/** The scrape interval the simulation samples at, as the live scraper does. */
export const SIM_SAMPLE_INTERVAL_MS = 100;

/** What a simulated run produced. */
export interface SimulatedRun {
  result: BenchmarkResult;
  engineMetrics: EngineAverages;
  /** Virtual duration of the measured run, ms. */
  virtualMs: number;
}

/** Options for {@linkcode simulatePoint}. */
export interface SimulatePointOptions {
  /** Where timeseries.jsonl and decisions.jsonl go; nothing is written when absent. */
  runDir?: string;
  /** Epoch ms that virtual time 0 maps to in written timestamps. @default Date.now() */
  epochOffsetMs?: number;
  /** Prompt tokenizer (a sweep shares one `memoizedTokenize()` across its runs). @default a new one */
  tokenize?: (text: string) => number[];
  /** The HTTP hop model. @default DEFAULT_HOP_MODEL */
  hop?: HopModel;
  /** Seed of the simulated timing noise alone (see VirtualClusterOptions.noiseSeed). @default seed */
  noiseSeed?: number;
}

/** Simulates `strategy` on the fleet of `config` with `requests`; deterministic for `seed`. */
export async function simulatePoint(
  config: StrategySweepConfig,
  strategy: string,
  seed: number,
  requests: readonly WorkloadRequest[],
  options: SimulatePointOptions = {},
): Promise<SimulatedRun> {
  const clock = new VirtualClock();
  // Without a run folder nothing is written, so the decision records are not kept either.
  const decisions = options.runDir ? new MemoryDecisionSink() : undefined;
  const epochOffsetMs = options.epochOffsetMs ?? Date.now();
  const engineSpec = {
    profile: config.fleet.profile,
    speedupRatio: config.fleet.speedupRatio,
    options: { ...config.fleet.engineOptions, "enable-prefix-caching": config.fleet.enablePrefixCaching },
  };
  const cluster = new VirtualCluster({
    clock,
    model: config.fleet.model,
    engines: Array.from({ length: config.fleet.numServers }, () => engineSpec),
    strategy,
    strategyOptions: { ...config.router.options, ...config.router.strategyOptions[strategy] },
    seed,
    ...(decisions ? { decisionSink: decisions } : {}),
    epochOffsetMs,
    tokenize: options.tokenize ?? memoizedTokenize(),
    ...(options.hop ? { hop: options.hop } : {}),
    ...(options.noiseSeed !== undefined ? { noiseSeed: options.noiseSeed } : {}),
  });
  const transport = cluster.transport(config.client.endpoint);
  const clientOptions = { ...clientOptionsFor(config, seed), requests };
  // Kept in memory as bytes and compressed once at the end: no uncompressed file written and read back.
  const timeseries = options.runDir ? new TimeseriesJsonlEncoder() : undefined;
  let simulated: SimulatedRun;
  try {
    if (config.warmUpRequests > 0) {
      await runInVirtualTime(
        clock,
        transport,
        fleetWarmUpClientOptions(clientOptions, config.warmUpRequests),
      );
      for (const engine of cluster.engines) engine.resetPrefixCache();
    }
    if (config.withWarmup) await runInVirtualTime(clock, transport, clientOptions);
    if (decisions) decisions.records.length = 0;
    const scrapeEngines = () => cluster.engines.map((engine) => engine.collectMetrics());
    const before = scrapeEngines();
    const startMs = clock.nowMs();
    let sampling = timeseries !== undefined;
    const sample = () => {
      if (!sampling) return;
      cluster.sampleMetricColumns((tMs, target, columns) => timeseries!.appendColumns(tMs, target, columns));
      clock.setTimer(clock.nowMs() + SIM_SAMPLE_INTERVAL_MS, sample);
    };
    sample();
    const result = await runInVirtualTime(clock, transport, clientOptions);
    sampling = false;
    const after = scrapeEngines();
    if (options.runDir && decisions) {
      const lines = decisions.records.map((record) => JSON.stringify(record)).join("\n");
      await Deno.writeTextFile(`${options.runDir}/decisions.jsonl`, lines === "" ? "" : `${lines}\n`);
    }
    simulated = {
      result,
      engineMetrics: engineAverages(replicaWindows(before, after)),
      virtualMs: clock.nowMs() - startMs,
    };
  } finally {
    cluster.close();
  }
  if (options.runDir) {
    try {
      await writeGzippedJsonl(`${options.runDir}/timeseries.jsonl.gz`, timeseries!.bytes());
    } finally {
      timeseries!.release();
    }
  }
  return simulated;
}

/**
 * Runs the client runner to completion on `clock`. The runner and the cluster react only in timer
 * callbacks, so the timers are stepped synchronously until the runner's `onComplete`; should work
 * remain (a rejection for invalid options, or a continuation awaiting a promise), the promise-aware
 * {@linkcode VirtualClock.runUntilSettled} takes over.
 */
async function runInVirtualTime(
  clock: VirtualClock,
  transport: ClientTransport,
  options: RunnerOptions,
): Promise<BenchmarkResult> {
  let result: BenchmarkResult | undefined;
  const work = runBenchmarkWith(transport, clock, { ...options, onComplete: (done) => result = done });
  clock.runWhile(() => result === undefined);
  return result ?? await clock.runUntilSettled(work);
}
