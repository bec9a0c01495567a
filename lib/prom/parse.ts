/**
 * Parser for the Prometheus text exposition format (0.0.4): the only one in routebench. It reads
 * `# HELP` (with `\\` and `\n` escapes) and `# TYPE` lines, samples with escaped label values
 * (`\\`, `\"`, `\n`), `+Inf`/`-Inf`/`NaN`, optional integer timestamps, blank lines and comments.
 * Malformed input throws a SyntaxError naming the line number, so a broken exporter is never
 * silently half-read.
 * @module
 */

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
const METRIC_NAME_REGEXP = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_REGEXP = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT_REGEXP = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT_REGEXP = /^-?\d+$/;
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
    const sample = parseSampleText(trimmed, lineNumber, true);
    const family = resolveFamily(sample.name, typed);
    sample.family = family;
    sample.type = typed.get(family) ?? "untyped";
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

/**
 * Canonical series key as exposed: `name{a="x",b="y"}` (labels in the given order, values
 * escaped), or `name` without labels. The timeseries JSONL uses these as keys.
 */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  let inner = "";
  for (const label in labels) {
    if (inner !== "") inner += ",";
    inner += `${label}="${escapeLabel(labels[label]!)}"`;
  }
  return inner === "" ? name : `${name}{${inner}}`;
}

/**
 * Splits a series key (as produced by {@linkcode seriesKey}) back into name and labels.
 * @throws {SyntaxError} when `key` is not `name` or `name{labels}`.
 */
export function parseSeriesKey(key: string): { name: string; labels: Record<string, string> } {
  const sample = parseSampleText(key, 1, false);
  return { name: sample.name, labels: sample.labels };
}

/** Flattens samples to `{ seriesKey: value }`, the shape of a timeseries line's `metrics`. */
export function samplesToMetrics(samples: Iterable<PromSample>): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const sample of samples) metrics[seriesKey(sample.name, sample.labels)] = sample.value;
  return metrics;
}

/** Parses exposition text straight to `{ seriesKey: value }` (what the scraper stores). */
export function parsePrometheusMetrics(text: string): Record<string, number> {
  return samplesToMetrics(parsePrometheusText(text));
}

function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

function fail(lineNumber: number, what: string): never {
  throw new SyntaxError(`Cannot parse metrics line ${lineNumber}: ${what}`);
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
  if (!METRIC_NAME_REGEXP.test(name)) fail(lineNumber, `${keyword} needs a valid metric name, got '${name}'`);
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

/** Parses `name{labels} value [timestamp]`, or just `name{labels}` when `withValue` is false. */
function parseSampleText(line: string, lineNumber: number, withValue: boolean): PromSample {
  let index = 0;
  while (index < line.length && !isBreak(line.charCodeAt(index))) index++;
  const name = line.slice(0, index);
  if (!METRIC_NAME_REGEXP.test(name)) fail(lineNumber, `invalid metric name '${name}'`);
  index = skipBlanks(line, index);
  const labels: Record<string, string> = {};
  if (line[index] === "{") index = parseLabels(line, index + 1, lineNumber, labels);
  const sample: PromSample = { name, labels, value: NaN, type: "untyped", family: name };
  const rest = line.slice(index).trim();
  if (!withValue) {
    if (rest !== "") fail(lineNumber, `unexpected text after series '${rest}'`);
    return sample;
  }
  const fields = rest === "" ? [] : rest.split(/[ \t]+/);
  if (fields.length === 0) fail(lineNumber, `missing value for '${name}'`);
  if (fields.length > 2) fail(lineNumber, `unexpected text after the timestamp in '${line}'`);
  sample.value = parseValue(fields[0]!, lineNumber);
  if (fields[1] !== undefined) {
    if (!INT_REGEXP.test(fields[1])) fail(lineNumber, `bad timestamp '${fields[1]}' (integer ms expected)`);
    sample.timestampMs = Number(fields[1]);
  }
  return sample;
}

function isBreak(code: number): boolean {
  return code === 0x7b /* { */ || code === 0x20 || code === 0x09;
}

function isLabelChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f;
}

function skipBlanks(line: string, index: number): number {
  while (line[index] === " " || line[index] === "\t") index++;
  return index;
}

/** Reads labels after `{`; returns the index after `}`. */
function parseLabels(
  line: string,
  index: number,
  lineNumber: number,
  labels: Record<string, string>,
): number {
  for (;;) {
    index = skipBlanks(line, index);
    if (line[index] === "}") return index + 1;
    let end = index;
    while (end < line.length && isLabelChar(line.charCodeAt(end))) end++;
    const labelName = line.slice(index, end);
    if (!LABEL_NAME_REGEXP.test(labelName)) {
      fail(lineNumber, `invalid label name at column ${index + 1} in '${line}'`);
    }
    if (Object.hasOwn(labels, labelName)) fail(lineNumber, `duplicate label '${labelName}'`);
    index = skipBlanks(line, end);
    if (line[index] !== "=") fail(lineNumber, `expected '=' after label '${labelName}'`);
    index = skipBlanks(line, index + 1);
    if (line[index] !== '"') fail(lineNumber, `expected '"' to open the value of label '${labelName}'`);
    index++;
    let value = "";
    let chunkStart = index;
    for (;;) {
      if (index >= line.length) fail(lineNumber, `unterminated value of label '${labelName}'`);
      const c = line[index]!;
      if (c === '"') break;
      if (c === "\\") {
        value += line.slice(chunkStart, index);
        const next = line[index + 1];
        if (next === "\\" || next === '"') value += next;
        else if (next === "n") value += "\n";
        else fail(lineNumber, `invalid escape sequence '\\${next ?? ""}' in label '${labelName}'`);
        index += 2;
        chunkStart = index;
        continue;
      }
      index++;
    }
    value += line.slice(chunkStart, index);
    labels[labelName] = value;
    index = skipBlanks(line, index + 1);
    if (line[index] === ",") index++;
    else if (line[index] !== "}") fail(lineNumber, `expected ',' or '}' after label '${labelName}'`);
  }
}

function parseValue(text: string, lineNumber: number): number {
  if (FLOAT_REGEXP.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === "+inf" || lower === "inf" || lower === "+infinity" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (lower === "nan") return NaN;
  fail(lineNumber, `bad value '${text}'`);
}
