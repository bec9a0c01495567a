/**
 * Readers of the results CSVs: {@linkcode readResultsRows} returns plain objects (no polars);
 * {@linkcode readResultsCsv} returns a nodejs-polars DataFrame for notebooks. Both take typed columns
 * from a schema when given one, so a column that is empty in older rows still has its type. Files are
 * replaced atomically by appendRow, so readers need no lock.
 * @module
 */
import type pl from "nodejs-polars";
import { type CsvValue, parseCsv } from "./csv_format.ts";
import { type CsvColumnType, type CsvSchema, parseCell } from "./csv_schema.ts";

/** Options of the readers. */
export interface ReadResultsOptions {
  /** Types for the schema's columns; other columns are strings (plain reader) or inferred (polars). */
  schema?: CsvSchema;
}

/** One row read back: values by header name, null for empty cells. */
export type ResultsRow = Record<string, CsvValue>;

/**
 * Reads a results CSV into plain objects, one per row, keyed by the file's header.
 * @throws {SyntaxError} naming the file and line for malformed CSV or a row with more cells than the header.
 */
export async function readResultsRows(path: string, options: ReadResultsOptions = {}): Promise<ResultsRow[]> {
  const records = parseCsv(await Deno.readTextFile(path), path);
  const header = (records[0] ?? []).map((name) => name ?? "");
  const types = columnTypes(options.schema);
  return records.slice(1).map((record, index) => {
    if (record.length > header.length) {
      throw new SyntaxError(
        `${path}: row ${index + 1} has ${record.length} cells, the header ${header.length}`,
      );
    }
    const row: ResultsRow = {};
    header.forEach((name, i) => row[name] = parseCell(record[i] ?? null, types.get(name)));
    return row;
  });
}

/**
 * Reads a results CSV into a nodejs-polars DataFrame (polars is loaded on first use).
 *
 * @example
 * ```ts ignore
 * const df = await readResultsCsv("data/results/serve_conversations_sweep_results.csv", { schema: SERVE_RESULTS_SCHEMA });
 * df.groupBy("strategy").agg(pl.col("mean_ttft_ms").mean());
 * ```
 */
export async function readResultsCsv(path: string, options: ReadResultsOptions = {}): Promise<pl.DataFrame> {
  const polars = (await import("nodejs-polars")).default;
  const text = await Deno.readTextFile(path);
  const header = (parseCsv(text.slice(0, text.indexOf("\n") + 1), path)[0] ?? []).map((name) => name ?? "");
  const types = columnTypes(options.schema);
  const dtypes: Record<string, pl.DataType> = {};
  for (const name of header) {
    const type = types.get(name);
    if (type !== undefined) dtypes[name] = polarsType(polars, type);
  }
  return polars.readCSV(text, { dtypes, inferSchemaLength: 1_000_000, quoteChar: '"', hasHeader: true });
}

function columnTypes(schema: CsvSchema | undefined): Map<string, CsvColumnType> {
  return new Map(schema?.columns.map((column) => [column.name, column.type]) ?? []);
}

function polarsType(polars: typeof pl, type: CsvColumnType): pl.DataType {
  switch (type) {
    case "number":
      return polars.Float64;
    case "integer":
      return polars.Int64;
    case "boolean":
      return polars.Bool;
    default:
      return polars.Utf8;
  }
}
