/**
 * Parser for the Prometheus text exposition format (0.0.4): the only one in routebench. It reads
 * `# TYPE` lines, samples with escaped label values, `+Inf`/`-Inf`/`NaN`, and optional timestamps.
 * @module
 */

/** One parsed sample line. */
export interface PromSample {
  /** Series name as written, e.g. `vllm:e2e_request_latency_seconds_bucket`. */
  name: string;
  /** Label values by name (including `le` for histogram buckets). */
  labels: Record<string, string>;
  value: number;
  /** Type of the family the sample belongs to, from `# TYPE` (`untyped` when absent). */
  type: string;
  /** Optional timestamp in ms. */
  timestampMs?: number;
}

const SUFFIXES = ["_bucket", "_sum", "_count", "_total", "_created"];

/**
 * Parses exposition text into samples. Throws SyntaxError naming the line for malformed input.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  const lines = text.split("\n");
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex]!.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const match = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (match) types.set(match[1]!, match[2]!);
      continue;
    }
    const sample = parseSampleLine(line, lineIndex + 1);
    sample.type = types.get(sample.name) ?? types.get(familyName(sample.name, types)) ?? "untyped";
    samples.push(sample);
  }
  return samples;
}

function familyName(name: string, types: Map<string, string>): string {
  for (const suffix of SUFFIXES) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (types.has(base)) return base;
    }
  }
  return name;
}

function parseSampleLine(line: string, lineNumber: number): PromSample {
  let index = 0;
  while (index < line.length && line[index] !== "{" && line[index] !== " " && line[index] !== "\t") index++;
  const name = line.slice(0, index);
  if (name === "") throw new SyntaxError(`Cannot parse metrics line ${lineNumber}: missing metric name`);
  const labels: Record<string, string> = {};
  if (line[index] === "{") {
    index++;
    for (;;) {
      while (line[index] === " " || line[index] === ",") index++;
      if (line[index] === "}") {
        index++;
        break;
      }
      const equals = line.indexOf("=", index);
      if (equals < 0 || line[equals + 1] !== '"') {
        throw new SyntaxError(`Cannot parse metrics line ${lineNumber}: malformed label in '${line}'`);
      }
      const labelName = line.slice(index, equals).trim();
      let value = "";
      let cursor = equals + 2;
      for (; cursor < line.length && line[cursor] !== '"'; cursor++) {
        if (line[cursor] === "\\") {
          const next = line[++cursor];
          value += next === "n" ? "\n" : next;
        } else {
          value += line[cursor];
        }
      }
      if (cursor >= line.length) {
        throw new SyntaxError(
          `Cannot parse metrics line ${lineNumber}: unterminated label value in '${line}'`,
        );
      }
      labels[labelName] = value;
      index = cursor + 1;
    }
  }
  const rest = line.slice(index).trim().split(/\s+/);
  const value = parseValue(rest[0] ?? "", lineNumber);
  const sample: PromSample = { name, labels, value, type: "untyped" };
  if (rest[1] !== undefined) sample.timestampMs = Number(rest[1]);
  return sample;
}

function parseValue(text: string, lineNumber: number): number {
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) {
    throw new SyntaxError(`Cannot parse metrics line ${lineNumber}: bad value '${text}'`);
  }
  return value;
}
