/**
 * Time-window arithmetic over scraped series: windowed means of histograms (Δsum/Δcount), rates
 * of counters, means of gauges and of event values, and quantiles from histogram buckets. Counter
 * resets (a cumulative value going down) start a new baseline instead of giving negative deltas.
 * @module
 */
import { histogramQuantile as promHistogramQuantile } from "../prom/histogram_fold.ts";
import type { Series } from "./run_folder.ts";

/** A point on a time axis: seconds since the run's start, and a value. */
export interface TimePoint {
  tS: number;
  value: number;
}

/** Window end times (epoch ms) covering [startMs, endMs] in steps of windowMs. */
export function windowEnds(startMs: number, endMs: number, windowMs: number): number[] {
  if (!(windowMs > 0)) throw new RangeError(`windowS must be positive: got ${windowMs / 1000}`);
  const ends: number[] = [];
  for (let end = startMs + windowMs; end < endMs + windowMs; end += windowMs) ends.push(end);
  return ends;
}

/** Cumulative value at or before each boundary, with resets folded in (monotone result). */
export function cumulativeAt(series: Series, boundaries: readonly number[]): number[] {
  const out: number[] = [];
  let index = 0;
  let offset = 0;
  let previous = 0;
  let current = 0;
  for (const boundary of boundaries) {
    while (index < series.tMs.length && series.tMs[index]! <= boundary) {
      const value = series.values[index]!;
      if (value < previous) offset += previous;
      previous = value;
      current = offset + value;
      index++;
    }
    out.push(current);
  }
  return out;
}

/** Mean of a histogram per window: Δsum / Δcount; windows without observations are skipped. */
export function histogramWindowMeans(
  sum: Series,
  count: Series,
  originMs: number,
  endMs: number,
  windowMs: number,
): TimePoint[] {
  const ends = windowEnds(originMs, endMs, windowMs);
  const sums = cumulativeAt(sum, ends);
  const counts = cumulativeAt(count, ends);
  const points: TimePoint[] = [];
  for (let i = 0; i < ends.length; i++) {
    const deltaCount = counts[i]! - (i > 0 ? counts[i - 1]! : baseline(count, originMs));
    const deltaSum = sums[i]! - (i > 0 ? sums[i - 1]! : baseline(sum, originMs));
    if (deltaCount > 0) {
      points.push({ tS: (Math.min(ends[i]!, endMs) - originMs) / 1000, value: deltaSum / deltaCount });
    }
  }
  return points;
}

/** Rate per second of a counter per window. */
export function counterWindowRates(
  series: Series,
  originMs: number,
  endMs: number,
  windowMs: number,
): TimePoint[] {
  const ends = windowEnds(originMs, endMs, windowMs);
  const values = cumulativeAt(series, ends);
  return ends.map((end, i) => ({
    tS: (Math.min(end, endMs) - originMs) / 1000,
    value: (values[i]! - (i > 0 ? values[i - 1]! : baseline(series, originMs))) / (windowMs / 1000),
  }));
}

/** Ratio of two counters' increases per window (e.g. cache hits / queries); skips empty windows. */
export function counterWindowRatios(
  numerator: Series,
  denominator: Series,
  originMs: number,
  endMs: number,
  windowMs: number,
): TimePoint[] {
  return histogramWindowMeans(numerator, denominator, originMs, endMs, windowMs);
}

/** Mean of samples (t in epoch ms) per window; windows without samples are skipped. */
export function valueWindowMeans(
  tMs: ArrayLike<number>,
  values: ArrayLike<number>,
  originMs: number,
  windowMs: number,
): TimePoint[] {
  const sums = new Map<number, { sum: number; n: number }>();
  for (let i = 0; i < tMs.length; i++) {
    const k = Math.floor((tMs[i]! - originMs) / windowMs);
    const bucket = sums.get(k) ?? { sum: 0, n: 0 };
    bucket.sum += values[i]!;
    bucket.n++;
    sums.set(k, bucket);
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([k, { sum, n }]) => ({
    tS: ((k + 1) * windowMs) / 1000,
    value: sum / n,
  }));
}

/**
 * Quantile `q` (0..1) from cumulative histogram buckets (`le` upper bounds, counts cumulative), with
 * lib/prom's `histogramQuantile` (linear inside the bucket, as Prometheus does); undefined when the
 * histogram is empty.
 */
export function histogramQuantile(
  buckets: readonly { le: number; count: number }[],
  q: number,
): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const value = promHistogramQuantile({ name: "", labels: {}, buckets: sorted, sum: NaN, count: NaN }, q);
  return Number.isNaN(value) ? undefined : value;
}

/** Last sample time over a set of series (epoch ms), or `fallback` when all are empty. */
export function lastTimeMs(series: readonly Series[], fallback: number): number {
  let last = -Infinity;
  for (const s of series) {
    if (s.tMs.length > 0 && s.tMs[s.tMs.length - 1]! > last) last = s.tMs[s.tMs.length - 1]!;
  }
  return Number.isFinite(last) ? last : fallback;
}

function baseline(series: Series, originMs: number): number {
  // Value before the first window: the first sample when it sits at the origin (scrapes start with the run).
  return series.tMs.length > 0 && series.tMs[0]! <= originMs ? series.values[0]! : 0;
}
