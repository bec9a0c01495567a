/**
 * Summary statistics exactly as numpy computes them for sglang/vLLM: mean, median, population std
 * (ddof=0) and percentiles with numpy's default linear rule. An empty list gives 0 everywhere,
 * as both tools do.
 * @module
 */

/** Arithmetic mean; 0 for an empty list. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Population standard deviation (divide by n, numpy's default); 0 for an empty list. */
export function populationStd(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2;
  return Math.sqrt(sum / values.length);
}

/**
 * Percentile `p` (0..100) of already sorted values with numpy's linear rule:
 * h = (n-1)·p/100, x[floor h] + (h - floor h)·(x[ceil h] - x[floor h]). 0 for an empty list.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) {
    throw new RangeError(`Cannot take a percentile: 'p' must be in [0, 100]: got ${p}`);
  }
  if (sorted.length === 0) return 0;
  const h = (sorted.length - 1) * p / 100;
  const low = Math.floor(h);
  const high = Math.ceil(h);
  return sorted[low]! + (h - low) * (sorted[high]! - sorted[low]!);
}

/** Percentile `p` of unsorted values (sorts a copy). */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileSorted(Float64Array.from(values).sort(), p);
}

/** The sglang statistic set of one metric. */
export interface MetricStats {
  mean: number;
  median: number;
  std: number;
  p90: number;
  p95: number;
  p99: number;
}

/** mean, median, std, p90, p95, p99 of `values` (numpy semantics). */
export function metricStats(values: ArrayLike<number>): MetricStats {
  const sorted = (values instanceof Float64Array ? values.slice() : Float64Array.from(values)).sort();
  return {
    mean: mean(values),
    median: percentileSorted(sorted, 50),
    std: populationStd(values),
    p90: percentileSorted(sorted, 90),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
  };
}
