/**
 * Prometheus gauges.
 * @module
 */
import type { SeriesColumns } from "./series_columns.ts";
import { Family, formatValue, seriesName } from "./_family.ts";

/** One labelled gauge series. */
export class GaugeChild {
  value = 0;

  /** Sets the value. */
  set(value: number): void {
    this.value = value;
  }

  /** Adds `amount` (may be negative). */
  inc(amount = 1): void {
    this.value += amount;
  }
}

/** A gauge family. */
export class Gauge<L extends string = never> extends Family<L, GaugeChild> {
  protected newChild(): GaugeChild {
    return new GaugeChild();
  }

  render(lines: string[]): void {
    this.header(lines, "gauge");
    for (const { labels, child } of this.children.values()) {
      lines.push(`${seriesName(this.name, labels)} ${formatValue(child.value)}`);
    }
  }

  collect(into: SeriesColumns): void {
    for (const entry of this.children.values()) {
      const keys = entry.keys ??= [seriesName(this.name, entry.labels)];
      into.put(keys[0]!, entry.child.value);
    }
  }
}
