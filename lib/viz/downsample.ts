/**
 * Downsampling for big timeseries: split the time range into equal buckets and keep, per bucket,
 * the minimum and the maximum sample in time order. Peaks and dips survive (unlike averaging), and
 * the plot cost no longer grows with the number of scrapes.
 * @module
 */

/** Result of {@linkcode downsampleMinMax}. */
export interface Downsampled {
  t: number[];
  v: number[];
  inputPoints: number;
  /** True when points were dropped. */
  downsampled: boolean;
}

/**
 * Keeps at most `maxPoints` points (two per bucket: min and max). `t` must be non-decreasing.
 * Inputs at or under the limit are returned unchanged (copied).
 */
export function downsampleMinMax(t: ArrayLike<number>, v: ArrayLike<number>, maxPoints: number): Downsampled {
  const n = t.length;
  if (n !== v.length) throw new RangeError(`t and v lengths differ: ${n} vs ${v.length}`);
  if (n <= maxPoints || maxPoints < 4) {
    return { t: Array.from(t), v: Array.from(v), inputPoints: n, downsampled: false };
  }
  const buckets = Math.floor(maxPoints / 2);
  const t0 = t[0]!;
  const span = t[n - 1]! - t0 || 1;
  const outT: number[] = [];
  const outV: number[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < n; b++) {
    const end = b === buckets - 1 ? Infinity : t0 + (span * (b + 1)) / buckets;
    let minI = -1;
    let maxI = -1;
    for (; i < n && t[i]! < end; i++) {
      if (minI < 0 || v[i]! < v[minI]!) minI = i;
      if (maxI < 0 || v[i]! > v[maxI]!) maxI = i;
    }
    if (minI < 0) continue;
    const first = Math.min(minI, maxI);
    const second = Math.max(minI, maxI);
    outT.push(t[first]!);
    outV.push(v[first]!);
    if (second !== first) {
      outT.push(t[second]!);
      outV.push(v[second]!);
    }
  }
  return { t: outT, v: outV, inputPoints: n, downsampled: true };
}

/** A note for a figure saying how much was downsampled, or undefined when nothing was. */
export function downsampleNote(inputPoints: number, outputPoints: number): string | undefined {
  if (outputPoints >= inputPoints) return undefined;
  return `Downsampled for display: ${inputPoints.toLocaleString("en-US")} → ${
    outputPoints.toLocaleString("en-US")
  } points (min and max per time bucket, so peaks and dips are kept).`;
}
