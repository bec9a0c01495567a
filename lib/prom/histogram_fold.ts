/**
 * Folds histogram sample lines (`_bucket{le}`, `_sum`, `_count`) back into one object per label
 * set, and reads means and quantiles from them. Works on parsed samples and on the flat
 * `{ seriesKey: value }` maps of timeseries.jsonl alike.
 * @module
 */
import { parseSeriesKey, type PromSample } from "./parse.ts";

/** One cumulative bucket: observations ≤ `le`. */
export interface HistogramBucket {
  le: number;
  count: number;
}

/** One histogram series (a family and a label set without `le`). */
export interface HistogramSeries {
  /** Family name, e.g. `vllm:time_to_first_token_seconds`. */
  name: string;
  /** Labels without `le`, sorted by name. */
  labels: Record<string, string>;
  /** Cumulative buckets by increasing `le` (the `+Inf` bucket last when exposed). */
  buckets: HistogramBucket[];
  /** `_sum` (NaN when not exposed). */
  sum: number;
  /** `_count`, or the `+Inf` bucket's count when `_count` is not exposed (NaN when neither is). */
  count: number;
}

/** A sample-like line: what {@linkcode foldHistograms} needs of a sample. */
export interface SeriesValue {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** Samples, or a timeseries `metrics` map keyed by series key. */
export type SeriesInput = Iterable<SeriesValue> | Readonly<Record<string, number>>;

/**
 * Groups `<family>_bucket{le}`, `<family>_sum` and `<family>_count` lines into histograms. A family
 * is a histogram when it has at least one `_bucket` line with an `le` label (or, for parsed samples,
 * when its `# TYPE` says histogram). Series order: first appearance.
 * @throws {SyntaxError} for an `le` value that is not a number or a duplicate `le` in one series.
 */
export function foldHistograms(input: SeriesInput): HistogramSeries[] {
  const lines = toSeriesValues(input);
  const families = new Set<string>();
  for (const line of lines) {
    if (line.name.endsWith("_bucket") && "le" in line.labels) families.add(line.name.slice(0, -7));
    const typed = line as Partial<PromSample>;
    if (typed.type === "histogram" && typed.family !== undefined) families.add(typed.family);
  }
  const byKey = new Map<string, HistogramSeries>();
  for (const line of lines) {
    const suffix = line.name.endsWith("_bucket")
      ? "_bucket"
      : line.name.endsWith("_sum")
      ? "_sum"
      : line.name.endsWith("_count")
      ? "_count"
      : undefined;
    if (suffix === undefined) continue;
    const family = line.name.slice(0, -suffix.length);
    if (!families.has(family)) continue;
    const labels: Record<string, string> = {};
    for (const name of Object.keys(line.labels).sort()) if (name !== "le") labels[name] = line.labels[name]!;
    const key = `${family}\u0000${JSON.stringify(labels)}`;
    let series = byKey.get(key);
    if (series === undefined) {
      series = { name: family, labels, buckets: [], sum: NaN, count: NaN };
      byKey.set(key, series);
    }
    if (suffix === "_sum") series.sum = line.value;
    else if (suffix === "_count") series.count = line.value;
    else {
      const le = parseLe(line.labels.le!, line.name);
      if (series.buckets.some((bucket) => bucket.le === le)) {
        throw new SyntaxError(`Duplicate bucket le="${line.labels.le}" in histogram '${family}'`);
      }
      series.buckets.push({ le, count: line.value });
    }
  }
  for (const series of byKey.values()) {
    series.buckets.sort((a, b) => a.le - b.le);
    const last = series.buckets.at(-1);
    if (Number.isNaN(series.count) && last?.le === Infinity) series.count = last.count;
  }
  return [...byKey.values()];
}

/**
 * Adds histograms bucket by bucket (e.g. one family across engines). Buckets present in only some
 * inputs are kept with the counts that have them. Labels: those all inputs agree on.
 * @throws {RangeError} when `series` is empty.
 */
export function mergeHistograms(series: readonly HistogramSeries[]): HistogramSeries {
  if (series.length === 0) throw new RangeError("Cannot merge an empty list of histograms");
  const counts = new Map<number, number>();
  const labels: Record<string, string> = { ...series[0]!.labels };
  let sum = 0;
  let count = 0;
  for (const one of series) {
    for (const bucket of one.buckets) counts.set(bucket.le, (counts.get(bucket.le) ?? 0) + bucket.count);
    sum += one.sum;
    count += one.count;
    for (const name in labels) if (one.labels[name] !== labels[name]) delete labels[name];
  }
  const buckets = [...counts].map(([le, n]) => ({ le, count: n })).sort((a, b) => a.le - b.le);
  return { name: series[0]!.name, labels, buckets, sum, count };
}

/** `sum / count`; NaN when the histogram is empty. */
export function histogramMean(series: HistogramSeries): number {
  return series.count > 0 ? series.sum / series.count : NaN;
}

/**
 * Estimates quantile `q` (0..1) by linear interpolation inside the bucket, as PromQL's
 * `histogram_quantile` does: NaN when empty or without a `+Inf` bucket; the largest finite bound
 * when the quantile falls in the `+Inf` bucket.
 * @throws {RangeError} when `q` is outside [0, 1].
 */
export function histogramQuantile(series: HistogramSeries, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Quantile must be within [0, 1]: current value is ${q}`);
  const buckets = series.buckets;
  const last = buckets.at(-1);
  if (last === undefined || last.le !== Infinity || !(last.count > 0)) return NaN;
  const rank = q * last.count;
  let index = buckets.findIndex((bucket) => bucket.count >= rank);
  if (index < 0) index = buckets.length - 1;
  if (buckets[index]!.le === Infinity) return buckets.length > 1 ? buckets[buckets.length - 2]!.le : NaN;
  const upper = buckets[index]!.le;
  const lower = index === 0 ? Math.min(0, upper) : buckets[index - 1]!.le;
  const below = index === 0 ? 0 : buckets[index - 1]!.count;
  const inBucket = buckets[index]!.count - below;
  if (inBucket <= 0) return upper;
  return lower + (upper - lower) * ((rank - below) / inBucket);
}

/** Normalises samples or a metrics map to a list of `{ name, labels, value }`. */
export function toSeriesValues(input: SeriesInput): SeriesValue[] {
  if (Symbol.iterator in input) return [...(input as Iterable<SeriesValue>)];
  const lines: SeriesValue[] = [];
  for (const [key, value] of Object.entries(input as Record<string, number>)) {
    const { name, labels } = parseSeriesKey(key);
    lines.push({ name, labels, value: value ?? NaN });
  }
  return lines;
}

function parseLe(text: string, name: string): number {
  const lower = text.toLowerCase();
  if (lower === "+inf" || lower === "inf") return Infinity;
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value)) {
    throw new SyntaxError(`Bad bucket bound le="${text}" on '${name}': a number or +Inf expected`);
  }
  return value;
}
