/**
 * Prometheus counters. The family name is given without `_total`; it is exposed with `_total` (and
 * a `_created` timestamp), as prometheus_client does for vLLM.
 * @module
 */
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
    this.header(lines, "counter");
    for (const { labels, child } of this.children.values()) {
      lines.push(`${seriesName(`${this.name}_total`, labels)} ${formatValue(child.value)}`);
    }
    lines.push(`# HELP ${this.name}_created ${this.help}`, `# TYPE ${this.name}_created gauge`);
    for (const { labels, child } of this.children.values()) {
      lines.push(`${seriesName(`${this.name}_created`, labels)} ${formatValue(child.createdS)}`);
    }
  }
}
