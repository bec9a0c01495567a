/**
 * Parser for the Prometheus text exposition format (0.0.4): the only one in routebench. It reads
 * `# HELP` (with `\\` and `\n` escapes) and `# TYPE` lines, samples with escaped label values
 * (`\\`, `\"`, `\n`), `+Inf`/`-Inf`/`NaN`, optional integer timestamps, blank lines and comments.
 * Malformed input throws a SyntaxError naming the line number, so a broken exporter is never
 * silently half-read.
 * @module
 */
import { fail, isMetricName, parseSampleText } from "./_scan.ts";
import { seriesKey } from "./series_key.ts";

// Kept importable from here (they lived in this file before it was split).
export { parsePrometheusMetrics } from "./parse_metrics.ts";
export { parseSeriesKey, seriesKey } from "./series_key.ts";

/** Metric types of the 0.0.4 format. */
export type PromType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

/** One parsed sample line. */
export interface PromSample {
  /** Series name as written, e.g. `vllm:e2e_request_latency_seconds_bucket`. */
  name: string;
  /** Label values by name, in exposition order (including `le`/`quantile`). */
  labels: Record<string, string>;
  value: number;
  /** Type of the family the sample belongs to, from `# TYPE` (`untyped` when absent). */
  type: PromType;
  /** Family name: `name` without `_total`/`_bucket`/`_sum`/`_count`/`_created` when typed so. */
  family: string;
  /** Optional timestamp in ms since the epoch. */
  timestampMs?: number;
}

/** One metric family: its `# HELP`/`# TYPE` and its samples in exposition order. */
export interface PromFamily {
  name: string;
  type: PromType;
  /** Unescaped help text ("" when absent). */
  help: string;
  samples: PromSample[];
}

const TYPES: ReadonlySet<string> = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
/** Which suffixes may hang off a family of each type (prometheus_client naming). */
const SUFFIXES_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  counter: ["_total", "_created"],
  histogram: ["_bucket", "_sum", "_count", "_created"],
  summary: ["_sum", "_count", "_created"],
};

/**
 * Parses exposition text into families, in the order they first appear.
 * @throws {SyntaxError} `Cannot parse metrics line N: ...` for malformed input.
 */
export function parsePrometheusFamilies(text: string): PromFamily[] {
  const families = new Map<string, PromFamily>();
  const typed = new Map<string, PromType>();
  const seenSamples = new Set<string>();
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNumber++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const trimmed = line.trimStart();
    if (trimmed === "") continue;
    if (trimmed[0] === "#") {
      parseComment(trimmed, lineNumber, families, typed, seenSamples);
      continue;
    }
    const scanned = parseSampleText(trimmed, lineNumber, true);
    const family = resolveFamily(scanned.name, typed);
    const sample: PromSample = { ...scanned, type: typed.get(family) ?? "untyped", family };
    seenSamples.add(family);
    let entry = families.get(family);
    if (entry === undefined) {
      entry = { name: family, type: sample.type, help: "", samples: [] };
      families.set(family, entry);
    }
    entry.samples.push(sample);
  }
  return [...families.values()];
}

/**
 * Parses exposition text into a flat list of samples.
 * @throws {SyntaxError} `Cannot parse metrics line N: ...` for malformed input.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const family of parsePrometheusFamilies(text)) samples.push(...family.samples);
  return samples;
}

/** Flattens samples to `{ seriesKey: value }`, the shape of a timeseries line's `metrics`. */
export function samplesToMetrics(samples: Iterable<PromSample>): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const sample of samples) metrics[seriesKey(sample.name, sample.labels)] = sample.value;
  return metrics;
}

function parseComment(
  line: string,
  lineNumber: number,
  families: Map<string, PromFamily>,
  typed: Map<string, PromType>,
  seenSamples: Set<string>,
): void {
  const match = /^#[ \t]+(HELP|TYPE)(?:[ \t]+|$)(.*)$/.exec(line);
  if (match === null) return; // an ordinary comment
  const keyword = match[1]!;
  const rest = match[2]!;
  const space = rest.search(/[ \t]/);
  const name = space < 0 ? rest : rest.slice(0, space);
  const argument = space < 0 ? "" : rest.slice(space).replace(/^[ \t]+/, "");
  if (!isMetricName(name)) fail(lineNumber, `${keyword} needs a valid metric name, got '${name}'`);
  let family = families.get(name);
  if (keyword === "TYPE") {
    const type = argument.trimEnd();
    if (!TYPES.has(type)) fail(lineNumber, `unknown metric type '${type}' for '${name}'`);
    if (typed.has(name)) fail(lineNumber, `second TYPE line for '${name}'`);
    if (seenSamples.has(name)) fail(lineNumber, `TYPE line for '${name}' after its samples`);
    typed.set(name, type as PromType);
    if (family === undefined) {
      families.set(name, family = { name, type: type as PromType, help: "", samples: [] });
    }
    family.type = type as PromType;
    return;
  }
  const help = unescapeHelp(argument, lineNumber);
  if (family === undefined) families.set(name, family = { name, type: "untyped", help, samples: [] });
  family.help = help;
}

function unescapeHelp(text: string, lineNumber: number): string {
  if (!text.includes("\\")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === "\\") out += "\\";
    else if (next === "n") out += "\n";
    else fail(lineNumber, `invalid escape sequence '\\${next ?? ""}' in HELP`);
  }
  return out;
}

function resolveFamily(name: string, typed: Map<string, PromType>): string {
  if (typed.has(name)) return name;
  for (const type in SUFFIXES_BY_TYPE) {
    for (const suffix of SUFFIXES_BY_TYPE[type]!) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      if (typed.get(base) === type) return base;
    }
  }
  return name;
}
