/**
 * Versioned schemas of the results CSVs: ordered, typed columns whose names carry their units, with
 * `schema_version` always first. A schema only ever grows: a new version appends columns, and
 * `appendRow` adds them to an older file's header (see csv_log.ts), so old rows stay readable.
 * @module
 */
import { type CsvValue, formatCsvCell } from "./csv_format.ts";

/** How a column's cells are written and read back. */
export type CsvColumnType = "string" | "number" | "integer" | "boolean";

/** One column. */
export interface CsvColumn {
  /** snake_case, with the unit last when it has one (`mean_ttft_ms`, `duration_s`). */
  readonly name: string;
  readonly type: CsvColumnType;
  /** A row must set it (non-null). @default {false} */
  readonly required?: boolean;
  /** What it holds, with the unit when the name does not say it. */
  readonly description?: string;
}

/** A results file's schema; `columns[0]` is `schema_version`. */
export interface CsvSchema {
  /** Short name used in messages, e.g. `serve_results`. */
  readonly name: string;
  /** Positive integer; bump it when columns are added. */
  readonly version: number;
  readonly columns: readonly CsvColumn[];
}

/** One row: values by column name; missing columns are written empty. */
export type CsvRow = Readonly<Record<string, CsvValue>>;

const COLUMN_NAME_REGEXP = /^[a-z][a-z0-9_]*$/;

/** The column every schema starts with. */
export const SCHEMA_VERSION_COLUMN: CsvColumn = {
  name: "schema_version",
  type: "integer",
  required: true,
  description: "Version of the schema the row was written with",
};

/**
 * Builds a schema, prepending `schema_version`.
 * @throws {TypeError} for a bad or duplicate column name; {RangeError} for a bad version.
 */
export function defineCsvSchema(
  options: { name: string; version: number; columns: readonly CsvColumn[] },
): CsvSchema {
  if (!Number.isInteger(options.version) || options.version < 1) {
    throw new RangeError(
      `Schema '${options.name}' version must be a positive integer: current value is ${options.version}`,
    );
  }
  const seen = new Set<string>([SCHEMA_VERSION_COLUMN.name]);
  for (const column of options.columns) {
    if (!COLUMN_NAME_REGEXP.test(column.name)) {
      throw new TypeError(`Schema '${options.name}' column name must be snake_case: '${column.name}'`);
    }
    if (seen.has(column.name)) {
      throw new TypeError(`Schema '${options.name}' declares column '${column.name}' twice`);
    }
    seen.add(column.name);
  }
  return Object.freeze({
    name: options.name,
    version: options.version,
    columns: Object.freeze([SCHEMA_VERSION_COLUMN, ...options.columns]),
  });
}

/**
 * Validates `row` against `schema` and formats its cells by column name (`schema_version` filled in).
 * @throws {TypeError} naming the column for an unknown column, a missing required value or a value of
 * the wrong type.
 */
export function formatRowCells(schema: CsvSchema, row: CsvRow): Map<string, string> {
  const columns = new Map(schema.columns.map((column) => [column.name, column]));
  for (const name of Object.keys(row)) {
    if (!columns.has(name)) {
      throw new TypeError(
        `Row has column '${name}' that schema '${schema.name}' v${schema.version} does not declare`,
      );
    }
  }
  if (row.schema_version !== undefined && row.schema_version !== schema.version) {
    throw new TypeError(
      `Row sets schema_version ${row.schema_version} but schema '${schema.name}' is v${schema.version}`,
    );
  }
  const cells = new Map<string, string>();
  for (const column of schema.columns) {
    const value = column.name === SCHEMA_VERSION_COLUMN.name ? schema.version : row[column.name];
    if (value === null || value === undefined) {
      if (column.required) {
        throw new TypeError(`Row of '${schema.name}' misses required column '${column.name}'`);
      }
      cells.set(column.name, "");
      continue;
    }
    checkType(schema, column, value);
    cells.set(column.name, formatCsvCell(value));
  }
  return cells;
}

/** Converts a cell read back from a file to the column's type (null for an empty cell). */
export function parseCell(cell: string | null, type: CsvColumnType | undefined): CsvValue {
  if (cell === null) return null;
  switch (type) {
    case "number":
    case "integer":
      if (cell === "inf" || cell === "+inf") return Infinity;
      if (cell === "-inf") return -Infinity;
      return Number(cell);
    case "boolean":
      return cell === "true" ? true : cell === "false" ? false : cell;
    default:
      return cell;
  }
}

function checkType(schema: CsvSchema, column: CsvColumn, value: CsvValue): void {
  const expected = column.type === "integer" ? "number" : column.type;
  const ok = typeof value === expected && (column.type !== "integer" || Number.isInteger(value));
  if (!ok) {
    throw new TypeError(
      `Column '${column.name}' of '${schema.name}' expects ${
        column.type === "integer" ? "an integer" : `a ${column.type}`
      }: got ${JSON.stringify(value)}`,
    );
  }
}
