/**
 * A registry of metric families rendered as Prometheus text exposition (format 0.0.4). Each engine
 * and router owns its own registry; there is no global one, so several servers can share a process.
 * @module
 */
import type { RenderableFamily } from "./_family.ts";
import { Counter } from "./counter.ts";
import { SeriesColumns } from "./series_columns.ts";
import { Gauge } from "./gauge.ts";
import { Histogram, type HistogramOptions } from "./histogram.ts";
import type { FamilyOptions } from "./_family.ts";

/** Content type of the text exposition format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Holds metric families and renders them. */
export class Registry {
  readonly #families = new Map<string, RenderableFamily>();

  /** Registers and returns a counter. */
  counter<L extends string = never>(options: FamilyOptions<L>): Counter<L> {
    return this.#register(new Counter<L>(options));
  }

  /** Registers and returns a gauge. */
  gauge<L extends string = never>(options: FamilyOptions<L>): Gauge<L> {
    return this.#register(new Gauge<L>(options));
  }

  /** Registers and returns a histogram. */
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.#register(new Histogram<L>(options));
  }

  /** The whole exposition text, ending with a newline. */
  render(): string {
    const lines: string[] = [];
    for (const family of this.#families.values()) family.render(lines);
    lines.push("");
    return lines.join("\n");
  }

  /**
   * Every series as `{ seriesKey: value }`: exactly what parsing {@linkcode Registry.render}'s text
   * gives, without rendering and parsing it (the virtual-time simulation samples this way).
   */
  collect(): Record<string, number> {
    const columns = new SeriesColumns();
    this.collectInto(columns);
    return columns.toRecord();
  }

  /** The same series as {@linkcode Registry.collect}, refilled into `columns` (reused across samples). */
  collectInto(columns: SeriesColumns): void {
    columns.begin();
    for (const family of this.#families.values()) family.collect(columns);
    columns.end();
  }

  #register<F extends RenderableFamily>(family: F): F {
    if (this.#families.has(family.name)) {
      throw new TypeError(`Metric '${family.name}' is already registered`);
    }
    this.#families.set(family.name, family);
    return family;
  }
}
