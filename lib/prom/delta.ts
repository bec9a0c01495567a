/**
 * Differences between two scrapes of one target: counter increases (reset-aware, as PromQL's
 * `increase` without extrapolation) and histogram windows, whose mean is Δsum/Δcount. Scrapes are
 * given as parsed samples or as the `{ seriesKey: value }` maps of timeseries.jsonl.
 * @module
 */
import { foldHistograms, type HistogramSeries, mergeHistograms, type SeriesInput } from "./histogram_fold.ts";
import { parseSeriesKey } from "./series_key.ts";

/** Series suffixes that only grow (until the process restarts). */
const CUMULATIVE_SUFFIXES = ["_total", "_count", "_sum", "_bucket"];

/**
 * Increase of a counter from `before` to `after`. A drop means the target restarted, so the increase
 * is `after` itself; a series absent before started at 0.
 */
export function counterDelta(before: number | undefined, after: number): number {
  if (before === undefined || Number.isNaN(before)) return after;
  return after >= before ? after - before : after;
}

/**
 * Increases of every cumulative series (`_total`, `_count`, `_sum`, `_bucket`) in `after` since
 * `before`. Gauges and `_created` stamps are left out: a difference of them means nothing.
 */
export function metricsDelta(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const brace = key.indexOf("{");
    const name = brace < 0 ? key : key.slice(0, brace);
    if (!CUMULATIVE_SUFFIXES.some((suffix) => name.endsWith(suffix))) continue;
    delta[key] = counterDelta(before[key], value);
  }
  return delta;
}

/**
 * The observations `after` gained since `before` (same family and labels). When `after.count` is
 * below `before.count` the target restarted, and `after` is the whole window.
 */
export function histogramDelta(before: HistogramSeries | undefined, after: HistogramSeries): HistogramSeries {
  if (before === undefined || !(after.count >= before.count)) return structuredClone(after);
  const previous = new Map(before.buckets.map((bucket) => [bucket.le, bucket.count]));
  return {
    name: after.name,
    labels: { ...after.labels },
    buckets: after.buckets.map((bucket) => ({
      le: bucket.le,
      count: bucket.count - (previous.get(bucket.le) ?? 0),
    })),
    sum: after.sum - (Number.isNaN(before.sum) ? 0 : before.sum),
    count: after.count - (Number.isNaN(before.count) ? 0 : before.count),
  };
}

/**
 * The histogram of `family` over the window between two scrapes, merged across every label set
 * that carries all of `match`'s labels. Returns undefined when `after` has no such series.
 *
 * @example Mean TTFT of one engine over a run, in ms
 * ```ts ignore
 * const window = histogramWindow(first.metrics, last.metrics, "vllm:time_to_first_token_seconds");
 * const meanTtftMs = window === undefined ? NaN : histogramMean(window) * 1000;
 * ```
 */
export function histogramWindow(
  before: SeriesInput,
  after: SeriesInput,
  family: string,
  match: Readonly<Record<string, string>> = {},
): HistogramSeries | undefined {
  const selected = (input: SeriesInput) =>
    foldHistograms(familySeries(input, family)).filter((series) =>
      series.name === family && Object.entries(match).every(([name, value]) => series.labels[name] === value)
    );
  const earlier = new Map(selected(before).map((series) => [JSON.stringify(series.labels), series]));
  const deltas = selected(after).map((series) =>
    histogramDelta(earlier.get(JSON.stringify(series.labels)), series)
  );
  return deltas.length === 0 ? undefined : mergeHistograms(deltas);
}

/** The series of `family` only (`<family>_bucket/_sum/_count`), so folding skips the rest. */
function familySeries(input: SeriesInput, family: string): SeriesInput {
  if (Symbol.iterator in input) return input;
  const map = input as Readonly<Record<string, number>>;
  const index = keysByName(map);
  const subset: Record<string, number> = {};
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    for (const key of index.get(`${family}${suffix}`) ?? []) subset[key] = map[key]!;
  }
  return subset;
}

const keysByNameCache = new WeakMap<object, Map<string, string[]>>();

/**
 * The keys of a metrics map grouped by series name (the part before `{`), built once per map: a
 * window over N families would otherwise scan every key N times. Metrics maps are snapshots and are
 * never changed after a scrape, so the index stays valid.
 */
function keysByName(map: Readonly<Record<string, number>>): Map<string, string[]> {
  let index = keysByNameCache.get(map);
  if (index === undefined) {
    index = new Map();
    for (const key in map) {
      const brace = key.indexOf("{");
      const name = brace < 0 ? key : key.slice(0, brace);
      let keys = index.get(name);
      if (keys === undefined) index.set(name, keys = []);
      keys.push(key);
    }
    keysByNameCache.set(map, index);
  }
  return index;
}

/**
 * Sum of the increases of every series of counter `name` (the exposed name, e.g.
 * `vllm:prompt_tokens_total`) whose labels carry all of `match`, between two metrics maps.
 */
export function counterWindow(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  name: string,
  match: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const key of keysByName(after).get(name) ?? []) {
    const value = after[key]!;
    const labels = parseSeriesKey(key).labels;
    if (!Object.entries(match).every(([label, wanted]) => labels[label] === wanted)) continue;
    total += counterDelta(before[key], value);
  }
  return total;
}
