/**
 * Scanning primitives shared by the exposition parsers (internal): sample lines, label sets with
 * escapes, values, and the SyntaxError every parse failure throws.
 * @module
 */

/** A sample line before its family and type are known. */
export interface ScannedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

/** Decimal floats as Go's ParseFloat reads them (without hex forms). */
export const FLOAT_REGEXP = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Integer timestamps in ms. */
export const INT_REGEXP = /^-?\d+$/;
const LABEL_NAME_REGEXP = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws the parser's SyntaxError for `lineNumber`. */
export function fail(lineNumber: number, what: string): never {
  throw new SyntaxError(`Cannot parse metrics line ${lineNumber}: ${what}`);
}

/** Escapes a label value for the text format (`\\`, `\"`, newline). */
export function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** Parses `name{labels} value [timestamp]`, or just `name{labels}` when `withValue` is false. */
export function parseSampleText(line: string, lineNumber: number, withValue: boolean): ScannedSample {
  let index = 0;
  while (index < line.length && !isBreak(line.charCodeAt(index))) index++;
  const name = line.slice(0, index);
  if (!isMetricName(name)) fail(lineNumber, `invalid metric name '${name}'`);
  index = skipBlanks(line, index);
  const labels: Record<string, string> = {};
  if (line[index] === "{") index = parseLabels(line, index + 1, lineNumber, labels);
  const sample: ScannedSample = { name, labels, value: NaN };
  const rest = line.slice(index).trim();
  if (!withValue) {
    if (rest !== "") fail(lineNumber, `unexpected text after series '${rest}'`);
    return sample;
  }
  if (rest === "") fail(lineNumber, `missing value for '${name}'`);
  const blank = rest.search(/[ \t]/);
  const valueText = blank < 0 ? rest : rest.slice(0, blank);
  sample.value = parseValue(valueText, lineNumber);
  if (blank >= 0) {
    const timestamp = rest.slice(blank).trimStart();
    if (/[ \t]/.test(timestamp)) fail(lineNumber, `unexpected text after the timestamp in '${line}'`);
    if (!INT_REGEXP.test(timestamp)) fail(lineNumber, `bad timestamp '${timestamp}' (integer ms expected)`);
    sample.timestampMs = Number(timestamp);
  }
  return sample;
}

export function isMetricName(name: string): boolean {
  if (name === "") return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (!(isLabelChar(code) || code === 0x3a /* : */) || (i === 0 && code >= 0x30 && code <= 0x39)) {
      return false;
    }
  }
  return true;
}

function isBreak(code: number): boolean {
  return code === 0x7b /* { */ || code === 0x20 || code === 0x09;
}

export function isLabelChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f;
}

export function skipBlanks(line: string, index: number): number {
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
    for (;;) {
      // Jump to the next quote or backslash: label values rarely hold escapes.
      const quote = line.indexOf('"', index);
      if (quote < 0) fail(lineNumber, `unterminated value of label '${labelName}'`);
      const backslash = line.indexOf("\\", index);
      if (backslash < 0 || backslash > quote) {
        value += line.slice(index, quote);
        index = quote;
        break;
      }
      value += line.slice(index, backslash);
      const next = line[backslash + 1];
      if (next === "\\" || next === '"') value += next;
      else if (next === "n") value += "\n";
      else fail(lineNumber, `invalid escape sequence '\\${next ?? ""}' in label '${labelName}'`);
      index = backslash + 2;
    }
    labels[labelName] = value;
    index = skipBlanks(line, index + 1);
    if (line[index] === ",") index++;
    else if (line[index] !== "}") fail(lineNumber, `expected ',' or '}' after label '${labelName}'`);
  }
}

export function parseValue(text: string, lineNumber: number): number {
  if (FLOAT_REGEXP.test(text)) return Number(text);
  return specialValue(text) ?? fail(lineNumber, `bad value '${text}'`);
}

/** `+Inf`, `-Inf`, `NaN` and Go's other spellings of them (case-insensitive), else undefined. */
export function specialValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === "+inf" || lower === "inf" || lower === "+infinity" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (lower === "nan") return NaN;
  return undefined;
}
