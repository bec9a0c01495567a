/**
 * Shared machinery of metric families: name and label validation, children keyed by label values,
 * and label rendering with Prometheus escaping.
 * @module
 */
import type { SeriesColumns } from "./series_columns.ts";

const METRIC_NAME_REGEXP = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_REGEXP = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Options every metric family takes. */
export interface FamilyOptions<L extends string> {
  /** Metric name, e.g. `vllm:num_requests_running`. */
  name: string;
  /** One-line help text. */
  help: string;
  /** Label names, in exposition order. */
  labelNames?: readonly L[];
}

/** The part of a family the registry renders. */
export interface RenderableFamily {
  /** Appends every series under the key the parser derives from `render`. */
  collect(into: SeriesColumns): void;
  readonly name: string;
  render(lines: string[]): void;
}

/** One child of a family with its rendered labels. */
export interface FamilyEntry<C> {
  /** `a="x",b="y"` (escaped), empty without labels. */
  labels: string;
  child: C;
  /**
   * The child's series keys in `collect` order, built on first collect: the simulation samples
   * every 100 ms of virtual time and would otherwise rebuild the same strings each time.
   */
  keys: string[] | null;
}

/** Base class: validates names and keeps one child per distinct label-value tuple. */
export abstract class Family<L extends string, C> implements RenderableFamily {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  protected readonly children = new Map<string, FamilyEntry<C>>();

  constructor(options: FamilyOptions<L>) {
    if (!METRIC_NAME_REGEXP.test(options.name)) {
      throw new TypeError(`Invalid metric name: '${options.name}'`);
    }
    for (const label of options.labelNames ?? []) {
      if (!LABEL_NAME_REGEXP.test(label) || label.startsWith("__")) {
        throw new TypeError(`Invalid label name for metric '${options.name}': '${label}'`);
      }
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
  }

  /** The child for these label values, created on first use. */
  labels(values: Readonly<Record<L, string>>): C {
    let key = "";
    for (const name of this.labelNames) key += `${values[name]}\u0000`;
    let entry = this.children.get(key);
    if (entry === undefined) {
      for (const name of this.labelNames) {
        if (values[name] === undefined) {
          throw new TypeError(`Missing label '${name}' for metric '${this.name}'`);
        }
      }
      entry = {
        labels: this.labelNames.map((name) => `${name}="${escapeLabelValue(values[name])}"`).join(","),
        child: this.newChild(),
        keys: null,
      };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** Removes every child (e.g. on reset). */
  clear(): void {
    this.children.clear();
  }

  protected abstract newChild(): C;
  abstract render(lines: string[]): void;
  abstract collect(into: SeriesColumns): void;

  protected header(lines: string[], type: string, name: string = this.name): void {
    lines.push(`# HELP ${name} ${escapeHelp(this.help)}`, `# TYPE ${name} ${type}`);
  }
}

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Formats a sample value as Prometheus does (`+Inf`, `-Inf`, `NaN`). */
export function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}

/** `name{labels}` or `name` when there are no labels. */
export function seriesName(name: string, labels: string): string {
  return labels === "" ? name : `${name}{${labels}}`;
}
