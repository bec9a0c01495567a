/**
 * One run of a sweep point: bring the fleet up, optionally warm it up, scrape while the client
 * drives the workload, tear the fleet down, and leave a complete run folder. A run that fails (an
 * engine dies, readiness times out, the client marks the run invalid) is returned as failed with its
 * reason; it never throws for those.
 * @module
 */
import { startFleet } from "../cluster/fleet.ts";
import type { FleetSpecInput } from "../cluster/fleet_spec.ts";
import { createRng } from "../core/rng.ts";
import {
  type BenchmarkResult,
  type BenchmarkSummary,
  runBenchmark,
  writeRecordsJsonl,
} from "../client/mod.ts";
import { createWorkload, type WorkloadRequest, type WorkloadSpec } from "../workload/mod.ts";
import {
  gzipTimeseries,
  scrapeOnce,
  type ScraperHandle,
  type ScraperStats,
  startScraper,
} from "../prom/mod.ts";
import { clientOptionsFor, type StrategySweepConfig } from "./config.ts";
import { type EngineAverages, engineAverages, replicaWindows } from "./engine_averages.ts";
import { simulatePoint } from "./sim_point.ts";
import { fleetWarmUpClientOptions, resetPrefixCachesAfterWarmUp } from "./fleet_warm_up.ts";
import { virtualBackendId } from "../cluster/virtual_cluster.ts";

/** What one run produced. */
export interface RunOutcome {
  runId: string;
  runDir: string;
  strategy: string;
  repeat: number;
  status: "ok" | "failed";
  /** Why the run failed; empty when ok. */
  reason: string;
  summary?: BenchmarkSummary;
  engineMetrics?: EngineAverages;
  scraper?: ScraperStats;
  startedAt: string;
}

/** Progress of the run in flight, for the live progress line. */
export interface RunProgress {
  completed: number;
  total: number;
}

/** Options for {@linkcode runPoint}. */
export interface RunPointOptions {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Short git revision recorded in config.json. */
  gitSha?: string;
  /**
   * The run's requests for a seed. The strategy sweep passes {@linkcode memoizedWorkload}, so the
   * strategies of one repeat share one generated workload. @default createWorkload per run
   */
  requestsFor?: (seed: number) => readonly WorkloadRequest[];
  /**
   * Simulation only: the prompt tokenizer, shared by the strategy sweep's runs (they all send the same
   * prompts) so each prompt is tokenized once. @default a new cache per run
   */
  tokenize?: (text: string) => number[];
}

/**
 * `requestsFor` that creates the workload of `config` once per seed: the workload depends only on
 * its spec and seed, and generating and tokenizing it again for every strategy costs more than a
 * simulated run. A generation error is thrown again for every run that asks (each run records it).
 */
export function memoizedWorkload(config: StrategySweepConfig): (seed: number) => readonly WorkloadRequest[] {
  const cache = new Map<number, { requests: readonly WorkloadRequest[] } | { error: unknown }>();
  return (seed) => {
    let entry = cache.get(seed);
    if (entry === undefined) {
      try {
        entry = { requests: createRequests(config, seed) };
      } catch (error) {
        entry = { error };
      }
      cache.set(seed, entry);
    }
    if ("error" in entry) throw entry.error;
    return entry.requests;
  };
}

function createRequests(config: StrategySweepConfig, seed: number): readonly WorkloadRequest[] {
  return createWorkload(config.workload as WorkloadSpec, createRng(seed).fork("workload")).requests;
}

/** Runs `strategy` once (repeat number `repeat`) under `config` and writes its run folder. */
export async function runPoint(
  config: StrategySweepConfig,
  strategy: string,
  repeat: number,
  options: RunPointOptions = {},
): Promise<RunOutcome> {
  const startedAt = new Date();
  const runId = makeRunId(startedAt, config.label, strategy, repeat);
  const runDir = `${config.out}/runs/${runId}`;
  await Deno.mkdir(`${runDir}/logs`, { recursive: true });
  const outcome: RunOutcome = {
    runId,
    runDir,
    strategy,
    repeat,
    status: "ok",
    reason: "",
    startedAt: startedAt.toISOString(),
  };
  const seed = config.seed + repeat;
  const fleetSpec = fleetSpecFor(config, strategy, seed);
  await writeJson(`${runDir}/config.json`, {
    run_id: runId,
    mode: config.mode,
    strategy,
    repeat,
    seed,
    started_at: outcome.startedAt,
    git_sha: options.gitSha ?? "",
    sweep: config,
    fleet: fleetSpec,
  });
  try {
    const requests = options.requestsFor?.(seed) ?? createRequests(config, seed);
    const measured = config.mode === "sim"
      ? await measureSimulated(config, strategy, seed, requests, runDir, options.tokenize)
      : await measureLive(config, fleetSpec, seed, requests, runDir, options);
    outcome.summary = measured.result.summary;
    outcome.engineMetrics = measured.engineMetrics;
    if (measured.scraper) outcome.scraper = measured.scraper;
    await writeRecordsJsonl(`${runDir}/requests.jsonl`, measured.result.records);
    await writeJson(`${runDir}/summary.json`, measured.result.summary);
    if (!measured.result.summary.valid) {
      outcome.status = "failed";
      outcome.reason = `client marked the run invalid: ${measured.result.summary.invalid_reason}`;
    }
  } catch (error) {
    outcome.status = "failed";
    outcome.reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    await Deno.writeTextFile(
      `${runDir}/error.txt`,
      error instanceof Error ? `${error.message}\n` : `${error}\n`,
    );
  }
  await writeJson(`${runDir}/status.json`, { status: outcome.status, reason: outcome.reason });
  return outcome;
}

interface Measured {
  result: BenchmarkResult;
  engineMetrics: EngineAverages;
  scraper?: ScraperStats;
}

async function measureSimulated(
  config: StrategySweepConfig,
  strategy: string,
  seed: number,
  requests: readonly WorkloadRequest[],
  runDir: string,
  tokenize: ((text: string) => number[]) | undefined,
): Promise<Measured> {
  await recordMembers(
    runDir,
    Array.from(
      { length: config.fleet.numServers },
      (_, i) => ({ name: `engine-${i}`, role: "engine", url: virtualBackendId(i) }),
    ),
  );
  const simulated = await simulatePoint(config, strategy, seed, requests, {
    runDir,
    ...(tokenize ? { tokenize } : {}),
  });
  return { result: simulated.result, engineMetrics: simulated.engineMetrics };
}

async function measureLive(
  config: StrategySweepConfig,
  fleetSpec: FleetSpecInput,
  seed: number,
  requests: readonly WorkloadRequest[],
  runDir: string,
  options: RunPointOptions,
): Promise<Measured> {
  const fleet = await startFleet(fleetSpec, {
    runDir,
    decisionLogPath: `${runDir}/decisions.jsonl`,
    ...signalOption(options.signal),
  });
  let scraper: ScraperHandle | undefined;
  try {
    await recordMembers(runDir, [...fleet.engines, ...(fleet.router ? [fleet.router] : [])]);
    const abort = new AbortController();
    options.signal?.addEventListener("abort", () => abort.abort(options.signal?.reason), { once: true });
    void fleet.unexpectedExit.then(({ name, code }) => {
      abort.abort(new Error(`${name} exited with code ${code} during the run`));
    });
    const clientOptions = {
      ...clientOptionsFor(config, seed),
      baseUrl: fleet.targetUrl,
      signal: abort.signal,
    };
    if (config.warmUpRequests > 0) {
      await runBenchmark(fleetWarmUpClientOptions(clientOptions, config.warmUpRequests));
      await resetPrefixCachesAfterWarmUp(fleet.targetUrl, runDir);
    }
    if (config.withWarmup) await runBenchmark({ ...clientOptions, requests });
    const metricsUrls = fleet.engines.map((engine) => `${engine.url}/metrics`);
    const scrapeEngines = () => Promise.all(metricsUrls.map((url) => scrapeOnce(url).catch(() => undefined)));
    const before = await scrapeEngines();
    // In a Worker, so scraping never delays the load client on this thread (and vice versa).
    scraper = await startScraper({
      targets: [...fleet.metricsTargets],
      outPath: `${runDir}/timeseries.jsonl`,
    });
    const result = await runBenchmark({
      ...clientOptions,
      requests,
      onProgress: (progress) =>
        options.onProgress?.({ completed: progress.completed + progress.failed, total: progress.total }),
    });
    const scraperStats = await scraper.stop();
    scraper = undefined;
    await gzipTimeseries(`${runDir}/timeseries.jsonl`);
    const after = await scrapeEngines();
    if (abort.signal.aborted) throw abort.signal.reason;
    return { result, engineMetrics: engineAverages(replicaWindows(before, after)), scraper: scraperStats };
  } finally {
    await scraper?.stop();
    await fleet.stop();
  }
}

/** The fleet a strategy sweep point runs on. */
export function fleetSpecFor(
  config: StrategySweepConfig,
  strategy: string,
  seed = config.seed,
): FleetSpecInput {
  return {
    model: config.fleet.model,
    seed,
    readyTimeoutS: config.fleet.readyTimeoutS,
    engines: [{
      kind: "mock",
      count: config.fleet.numServers,
      profile: config.fleet.profile,
      speedupRatio: config.fleet.speedupRatio,
      options: { ...config.fleet.engineOptions, "enable-prefix-caching": config.fleet.enablePrefixCaching },
    }],
    router: {
      kind: "routebench",
      strategy,
      options: { ...config.router.options, ...config.router.strategyOptions[strategy] },
    },
  };
}

/** `20261123-072233-default-pow2-r0-a1b2`: sortable, names its label and strategy, unique. */
export function makeRunId(date: Date, label: string, strategy: string, repeat: number): string {
  const stamp = date.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const suffix = crypto.getRandomValues(new Uint8Array(2)).reduce(
    (text, byte) => text + byte.toString(16).padStart(2, "0"),
    "",
  );
  const safeLabel = label.replace(/[^A-Za-z0-9_.-]+/g, "_");
  return `${stamp}-${safeLabel}-${strategy}-r${repeat}-${suffix}`;
}

/** Adds the fleet's members (name, role, URL) to config.json, so plots can name backends by engine. */
async function recordMembers(
  runDir: string,
  members: ReadonlyArray<{ name: string; role: string; url: string }>,
): Promise<void> {
  const path = `${runDir}/config.json`;
  const config = JSON.parse(await Deno.readTextFile(path));
  config.members = members.map(({ name, role, url }) => ({ name, role, url }));
  await writeJson(path, config);
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
