/**
 * Series keys: `name{a="x",b="y"}` exactly as a target exposes a series (labels in exposition order,
 * values escaped). timeseries.jsonl uses them as the keys of `metrics`.
 * @module
 */
import { escapeLabel, parseSampleText } from "./_scan.ts";

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
