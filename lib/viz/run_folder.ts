/**
 * Reading a run folder (`<out>/runs/<run_id>/`: config.json, summary.json, status.json,
 * timeseries.jsonl, decisions.jsonl) into memory. The timeseries is indexed once into one column
 * pair (times, values) per scraped series, so plots over a million points stay fast.
 * @module
 */
import { join } from "node:path";
import { readTimeseriesRecords, type TimeseriesRecord } from "../prom/timeseries.ts";
import { parseSeriesKey as parsePromSeriesKey } from "../prom/series_key.ts";

/** One router decision-log line (router contract); fields that do not apply may be absent. */
export interface Decision {
  t_ms: number;
  request_id: string;
  strategy: string;
  branch: string;
  chosen: string;
  intended?: string;
  match_rate?: number;
  decision_us?: number;
  candidates?: {
    backend: string;
    in_flight?: number;
    match_chars?: number;
    match_blocks?: number;
    score?: number;
  }[];
}

/** One scraped series of one target: `name{labels}` with its samples in time order. */
export interface Series {
  /** Scrape target, e.g. `engine-0` or `router`. */
  target: string;
  /** Series key as exposed, e.g. `vllm:kv_cache_usage_perc{engine="0",model_name="m"}`. */
  key: string;
  name: string;
  labels: Record<string, string>;
  tMs: number[];
  values: number[];
}

/** A loaded run folder. */
export interface RunData {
  id: string;
  dir: string;
  config: Record<string, unknown>;
  summary: Record<string, unknown> | undefined;
  status: { status: string; reason?: string } | undefined;
  /** Series by metric name (without labels). */
  series: Map<string, Series[]>;
  decisions: Decision[];
  /** Earliest timestamp seen (scrape or decision), the origin of time axes, in epoch ms. */
  startMs: number;
  /** Number of timeseries samples (values) loaded. */
  pointCount: number;
}

/** What run-based plots accept: a run folder path or a loaded run. */
export type RunInput = string | RunData;

/** Loads a run folder. Throws TypeError naming the folder or file (and line) on bad input. */
export function loadRun(dir: string): RunData {
  try {
    if (!Deno.statSync(dir).isDirectory) throw new Error();
  } catch {
    throw new TypeError(`Cannot read run folder '${dir}': not a directory`);
  }
  const config = readJson(join(dir, "config.json")) ?? {};
  const summary = readJson(join(dir, "summary.json"));
  const status = readJson(join(dir, "status.json")) as RunData["status"];
  const run = indexTimeseries(join(dir, "timeseries.jsonl"));
  const decisions = readJsonl(join(dir, "decisions.jsonl")) as unknown as Decision[];
  let startMs = run.startMs;
  for (const decision of decisions) if (decision.t_ms < startMs) startMs = decision.t_ms;
  const id = typeof config.run_id === "string" ? config.run_id : dir.replace(/\/+$/, "").split("/").pop()!;
  return {
    id,
    dir,
    config,
    summary,
    status,
    series: run.series,
    decisions,
    startMs: Number.isFinite(startMs) ? startMs : 0,
    pointCount: run.pointCount,
  };
}

/** Returns `input` if already loaded, else loads it. */
export function asRun(input: RunInput): RunData {
  return typeof input === "string" ? loadRun(input) : input;
}

/** Run ids (folder names) under `runsDir` that hold a config.json or a timeseries, sorted. */
export function listRuns(runsDir: string): string[] {
  const ids: string[] = [];
  try {
    for (const entry of Deno.readDirSync(runsDir)) {
      if (!entry.isDirectory) continue;
      const has = (file: string) => {
        try {
          return Deno.statSync(join(runsDir, entry.name, file)).isFile;
        } catch {
          return false;
        }
      };
      if (has("config.json") || has("timeseries.jsonl") || has("timeseries.jsonl.gz")) ids.push(entry.name);
    }
  } catch {
    return [];
  }
  return ids.sort();
}

/** Builds a run from in-memory parts (used by benchmarks, tests and simulations). */
export function runFromParts(parts: {
  id: string;
  lines?: Iterable<{ t_ms: number; target: string; metrics: Record<string, number> }>;
  decisions?: Decision[];
  config?: Record<string, unknown>;
}): RunData {
  const index = new SeriesIndex();
  for (const line of parts.lines ?? []) index.add(line.t_ms, line.target, line.metrics);
  let startMs = index.startMs;
  for (const decision of parts.decisions ?? []) if (decision.t_ms < startMs) startMs = decision.t_ms;
  return {
    id: parts.id,
    dir: "",
    config: parts.config ?? {},
    summary: undefined,
    status: undefined,
    series: index.series,
    decisions: parts.decisions ?? [],
    startMs: Number.isFinite(startMs) ? startMs : 0,
    pointCount: index.pointCount,
  };
}

/**
 * Parses a series key as exposed (`name{a="x",b="y"}`) into its name and labels, with lib/prom's
 * parser. Throws TypeError for a malformed label list (plots report bad inputs as TypeErrors).
 */
export function parseSeriesKey(key: string): { name: string; labels: Record<string, string> } {
  try {
    return parsePromSeriesKey(key);
  } catch (error) {
    if (error instanceof SyntaxError) throw new TypeError(`Malformed series key '${key}': ${error.message}`);
    throw error;
  }
}

/** Series of metric `name` (exact name, without labels), possibly empty. */
export function seriesNamed(run: RunData, name: string): Series[] {
  return run.series.get(name) ?? [];
}

/**
 * Display names for router backends: `engine-N` when config.json lists the fleet's engines with
 * `name` and `url` (anywhere in the config), else `:PORT`.
 */
export function backendNamer(run: RunData): (backend: string) => string {
  const names = new Map<string, string>();
  collectUrlNames(run.config, names, 0);
  return (backend) => names.get(normalizeUrl(backend)) ?? portName(backend);
}

/** Sorts replica names naturally (engine-2 before engine-10, :8001 before :8002). */
export function orderReplicas(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/** Finds a numeric setting in config.json by key pattern (first match, depth-first). */
export function findConfigNumber(config: unknown, pattern: RegExp, depth = 0): number | undefined {
  if (depth > 6 || config === null || typeof config !== "object") return undefined;
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (pattern.test(key) && typeof value === "number") return value;
  }
  for (const value of Object.values(config as Record<string, unknown>)) {
    const found = findConfigNumber(value, pattern, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

class SeriesIndex {
  series = new Map<string, Series[]>();
  #byId = new Map<string, Series>();
  startMs = Infinity;
  pointCount = 0;

  add(tMs: number, target: string, metrics: Record<string, number>): void {
    if (tMs < this.startMs) this.startMs = tMs;
    for (const key in metrics) {
      const value = metrics[key];
      if (typeof value !== "number") continue;
      const id = `${target}\u0000${key}`;
      let series = this.#byId.get(id);
      if (series === undefined) {
        const { name, labels } = parseSeriesKey(key);
        series = { target, key, name, labels, tMs: [], values: [] };
        this.#byId.set(id, series);
        const list = this.series.get(name);
        if (list) list.push(series);
        else this.series.set(name, [series]);
      }
      series.tMs.push(tMs);
      series.values.push(value);
      this.pointCount++;
    }
  }
}

function indexTimeseries(
  path: string,
): { series: Map<string, Series[]>; startMs: number; pointCount: number } {
  const index = new SeriesIndex();
  let records: TimeseriesRecord[];
  try {
    records = readTimeseriesRecords(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return index;
    throw new TypeError(error instanceof SyntaxError ? error.message : `Cannot read ${path}: ${error}`);
  }
  for (const record of records) index.add(record.t_ms, record.target, record.metrics);
  return index;
}

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function readJson(path: string): Record<string, unknown> | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new TypeError(`Cannot parse ${path}: not valid JSON`);
  }
}

function readJsonl(path: string): Record<string, unknown>[] {
  const text = readText(path);
  if (text === undefined) return [];
  const out: Record<string, unknown>[] = [];
  let lineNumber = 0;
  for (const line of text.split("\n")) {
    lineNumber++;
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      throw new TypeError(`Cannot parse ${path} line ${lineNumber}: not JSON`);
    }
  }
  return out;
}

function collectUrlNames(value: unknown, names: Map<string, string>, depth: number): void {
  if (depth > 6 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) collectUrlNames(item, names, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  const url = record.url ?? record.base_url ?? record.baseUrl;
  const name = record.name ?? record.id;
  if (typeof url === "string" && typeof name === "string" && /^https?:\/\//.test(url)) {
    names.set(normalizeUrl(url), name);
  }
  for (const child of Object.values(record)) collectUrlNames(child, names, depth + 1);
}

function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

function portName(backend: string): string {
  const match = /:(\d+)\/?$/.exec(backend);
  return match ? `:${match[1]}` : backend;
}
