/**
 * Prometheus counters. The family name is given without `_total`; it is exposed with `_total` (and
 * a `_created` timestamp in its own gauge family), as prometheus_client does for vLLM.
 * @module
 */
import type { SeriesColumns } from "./series_columns.ts";
import { Family, type FamilyOptions, formatValue, seriesName } from "./_family.ts";

/** One labelled counter series. */
export class CounterChild {
  value = 0;
  readonly createdS: number;

  constructor(createdS: number) {
    this.createdS = createdS;
  }

  /** Adds `amount` (≥ 0). */
  inc(amount = 1): void {
    if (!(amount >= 0)) {
      throw new RangeError(`Counter increments must be non-negative: current value is ${amount}`);
    }
    this.value += amount;
  }
}

/** A counter family. */
export class Counter<L extends string = never> extends Family<L, CounterChild> {
  constructor(options: FamilyOptions<L>) {
    super(options);
    if (options.name.endsWith("_total")) {
      throw new TypeError(`Counter names are given without '_total': '${options.name}'`);
    }
  }

  protected newChild(): CounterChild {
    return new CounterChild(Date.now() / 1000);
  }

  render(lines: string[]): void {
    // prometheus_client's 0.0.4 output (what vLLM serves) names the counter family with `_total`.
    this.header(lines, "counter", `${this.name}_total`);
    for (const { labels, child } of this.children.values()) {
      lines.push(`${seriesName(`${this.name}_total`, labels)} ${formatValue(child.value)}`);
    }
    this.header(lines, "gauge", `${this.name}_created`);
    for (const { labels, child } of this.children.values()) {
      lines.push(`${seriesName(`${this.name}_created`, labels)} ${formatValue(child.createdS)}`);
    }
  }

  collect(into: SeriesColumns): void {
    for (const entry of this.children.values()) {
      const keys = entry.keys ??= [
        seriesName(`${this.name}_total`, entry.labels),
        seriesName(`${this.name}_created`, entry.labels),
      ];
      into.put(keys[0]!, entry.child.value);
      into.put(keys[1]!, entry.child.createdS);
    }
  }
}
