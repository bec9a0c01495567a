/**
 * Prometheus histograms with fixed upper bounds and an implicit `+Inf` bucket.
 * @module
 */
import type { SeriesColumns } from "./series_columns.ts";
import { Family, type FamilyOptions, formatValue, seriesName } from "./_family.ts";

/** One labelled histogram series. Counts are per bucket (not cumulative) until rendering. */
export class HistogramChild {
  readonly bucketCounts: number[];
  sum = 0;
  count = 0;
  readonly createdS: number;
  readonly #upperBounds: readonly number[];

  constructor(upperBounds: readonly number[], createdS: number) {
    this.#upperBounds = upperBounds;
    this.bucketCounts = new Array(upperBounds.length + 1).fill(0);
    this.createdS = createdS;
  }

  /** Records one observation. */
  observe(value: number): void {
    const bounds = this.#upperBounds;
    let low = 0;
    let high = bounds.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (value <= bounds[mid]!) high = mid;
      else low = mid + 1;
    }
    this.bucketCounts[low]!++;
    this.sum += value;
    this.count++;
  }
}

/** Options for a {@linkcode Histogram}. */
export interface HistogramOptions<L extends string> extends FamilyOptions<L> {
  /** Finite upper bounds, strictly increasing. */
  buckets: readonly number[];
}

/** A histogram family. */
export class Histogram<L extends string = never> extends Family<L, HistogramChild> {
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions<L>) {
    super(options);
    for (let i = 1; i < options.buckets.length; i++) {
      if (!(options.buckets[i]! > options.buckets[i - 1]!)) {
        throw new RangeError(`Histogram buckets must increase strictly: metric '${options.name}'`);
      }
    }
    this.buckets = options.buckets.filter((bound) => Number.isFinite(bound));
  }

  protected newChild(): HistogramChild {
    return new HistogramChild(this.buckets, Date.now() / 1000);
  }

  render(lines: string[]): void {
    this.header(lines, "histogram");
    for (const { labels, child } of this.children.values()) {
      const prefix = labels === "" ? "" : `${labels},`;
      let cumulative = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += child.bucketCounts[i]!;
        const le = i < this.buckets.length ? formatValue(this.buckets[i]!) : "+Inf";
        lines.push(`${this.name}_bucket{${prefix}le="${le}"} ${cumulative}`);
      }
      lines.push(`${seriesName(`${this.name}_sum`, labels)} ${formatValue(child.sum)}`);
      lines.push(`${seriesName(`${this.name}_count`, labels)} ${child.count}`);
    }
    this.header(lines, "gauge", `${this.name}_created`);
    for (const { labels, child } of this.children.values()) {
      lines.push(`${seriesName(`${this.name}_created`, labels)} ${formatValue(child.createdS)}`);
    }
  }

  collect(into: SeriesColumns): void {
    const numBuckets = this.buckets.length + 1;
    for (const entry of this.children.values()) {
      const keys = entry.keys ??= this.#seriesKeys(entry.labels);
      const child = entry.child;
      let cumulative = 0;
      for (let i = 0; i < numBuckets; i++) {
        cumulative += child.bucketCounts[i]!;
        into.put(keys[i]!, cumulative);
      }
      into.put(keys[numBuckets]!, child.sum);
      into.put(keys[numBuckets + 1]!, child.count);
      into.put(keys[numBuckets + 2]!, child.createdS);
    }
  }

  /** Keys of one child's series: each bucket (`+Inf` last), then sum, count and created. */
  #seriesKeys(labels: string): string[] {
    const prefix = labels === "" ? "" : `${labels},`;
    const keys: string[] = [];
    for (let i = 0; i <= this.buckets.length; i++) {
      const le = i < this.buckets.length ? formatValue(this.buckets[i]!) : "+Inf";
      keys.push(`${this.name}_bucket{${prefix}le="${le}"}`);
    }
    keys.push(
      seriesName(`${this.name}_sum`, labels),
      seriesName(`${this.name}_count`, labels),
      seriesName(`${this.name}_created`, labels),
    );
    return keys;
  }
}
