/**
 * Reading the sweep CSVs (`serve_*_sweep_results.csv`, `engine_*_sweep_results.csv`) through
 * nodejs-polars, and the row helpers plots share: numeric access, filtering, series keys
 * (strategy, or "strategy · label" when one strategy ran under several labels), and splitting a
 * file into its strategy-sweep and concurrency-sweep rows.
 * @module
 */
import pl from "nodejs-polars";

/** One CSV row as a plain object. */
export type Row = Record<string, unknown>;

/** What plot functions accept as CSV data: a file path, rows, or a polars DataFrame. */
export type CsvInput = string | readonly Row[] | pl.DataFrame;

/** Row filter: column → wanted value (or list of values, or predicate). */
export type RowFilter = Record<string, unknown | readonly unknown[] | ((value: unknown) => boolean)>;

/** How rows are grouped into series. `auto` = strategy, plus the label when a strategy has several. */
export type SeriesBy = "auto" | "strategy" | "label" | "strategy+label";

/** Options shared by CSV-based plots. */
export interface RowOptions {
  /** Keep only rows matching every entry. */
  where?: RowFilter;
  /** Include rows whose status is not "ok". @default {false} */
  includeFailed?: boolean;
}

/**
 * Loads a results CSV with nodejs-polars. Throws TypeError naming the file when it is missing or
 * cannot be parsed.
 */
export function loadResults(path: string): pl.DataFrame {
  try {
    Deno.statSync(path);
  } catch {
    throw new TypeError(`Cannot read results CSV '${path}': file not found`);
  }
  try {
    return pl.readCSV(path, { inferSchemaLength: 10000 });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new TypeError(`Cannot parse results CSV '${path}': ${message}`);
  }
}

/** Rows of a CSV input with numbers and booleans typed, failed runs dropped unless asked. */
export function resultRows(csv: CsvInput, options: RowOptions = {}): Row[] {
  const raw: readonly Row[] = typeof csv === "string"
    ? loadResults(csv).toRecords() as Row[]
    : Array.isArray(csv)
    ? csv as readonly Row[]
    : (csv as pl.DataFrame).toRecords() as Row[];
  const rows = raw.map(coerceRow);
  return rows.filter((row) =>
    (options.includeFailed || row.status === undefined || row.status === "ok") && matches(row, options.where)
  );
}

/** A numeric cell, or undefined when missing, empty or not a finite number. */
export function numeric(row: Row, column: string): number | undefined {
  const value = row[column];
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  if (typeof value === "bigint") return Number(value);
  return undefined;
}

/** Throws TypeError unless some row has a numeric `column`; names the available numeric columns. */
export function requireMetric(rows: readonly Row[], column: string, what: string): void {
  if (rows.some((row) => numeric(row, column) !== undefined)) return;
  const columns = new Set<string>();
  for (const row of rows) {
    for (const [key] of Object.entries(row)) if (numeric(row, key) !== undefined) columns.add(key);
  }
  const list = [...columns].slice(0, 40).join(", ");
  throw new TypeError(
    rows.length === 0
      ? `${what}: no rows to plot (check the file and the 'where' filter)`
      : `${what}: no numeric values in column '${column}'; numeric columns are: ${list}`,
  );
}

/** Returns a function naming each row's series. */
export function seriesNamer(rows: readonly Row[], by: SeriesBy = "auto"): (row: Row) => string {
  const strategyOf = (row: Row) => String(row.strategy ?? row.label ?? "unknown");
  const labelOf = (row: Row) => String(row.label ?? row.strategy ?? "unknown");
  let mode = by;
  if (mode === "auto") {
    const labels = new Map<string, Set<string>>();
    for (const row of rows) {
      const set = labels.get(strategyOf(row)) ?? new Set<string>();
      set.add(labelOf(row));
      labels.set(strategyOf(row), set);
    }
    mode = [...labels.values()].some((set) => set.size > 1) ? "strategy+label" : "strategy";
  }
  if (mode === "strategy") return strategyOf;
  if (mode === "label") return labelOf;
  return (row) => `${strategyOf(row)} · ${labelOf(row)}`;
}

/** Rows whose (strategy, label) series ran at two or more `max_concurrency` values. */
export function concurrencySweepRows(csv: CsvInput, options: RowOptions = {}): Row[] {
  const rows = resultRows(csv, options);
  const levels = concurrencyLevels(rows);
  return rows.filter((row) => (levels.get(seriesId(row))?.size ?? 0) >= 2);
}

/** Rows not part of a concurrency sweep (each series at a single concurrency). */
export function strategySweepRows(csv: CsvInput, options: RowOptions = {}): Row[] {
  const rows = resultRows(csv, options);
  const levels = concurrencyLevels(rows);
  return rows.filter((row) => (levels.get(seriesId(row))?.size ?? 0) < 2);
}

/** Mean, min and max of numbers (undefined for an empty list). */
export function stats(
  values: readonly number[],
): { mean: number; min: number; max: number; n: number } | undefined {
  if (values.length === 0) return undefined;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { mean: sum / values.length, min, max, n: values.length };
}

function seriesId(row: Row): string {
  return `${row.strategy ?? ""}\u0000${row.label ?? ""}`;
}

function concurrencyLevels(rows: readonly Row[]): Map<string, Set<number>> {
  const levels = new Map<string, Set<number>>();
  for (const row of rows) {
    const level = numeric(row, "max_concurrency");
    if (level === undefined) continue;
    const set = levels.get(seriesId(row)) ?? new Set<number>();
    set.add(level);
    levels.set(seriesId(row), set);
  }
  return levels;
}

function coerceRow(row: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === "bigint") out[key] = Number(value);
    else if (typeof value === "string") {
      const trimmed = value.trim();
      if (trimmed === "true" || trimmed === "True") out[key] = true;
      else if (trimmed === "false" || trimmed === "False") out[key] = false;
      else if (trimmed !== "" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) {
        out[key] = Number(trimmed);
      } else out[key] = value;
    } else out[key] = value;
  }
  return out;
}

function matches(row: Row, where: RowFilter | undefined): boolean {
  if (!where) return true;
  for (const [column, wanted] of Object.entries(where)) {
    const value = row[column];
    if (typeof wanted === "function") {
      if (!(wanted as (v: unknown) => boolean)(value)) return false;
    } else if (Array.isArray(wanted)) {
      if (!wanted.some((w) => String(w) === String(value))) return false;
    } else if (String(wanted) !== String(value)) return false;
  }
  return true;
}
