/**
 * Sweeps: results CSV schemas, atomic row appends and readers (more to come: drivers).
 * @module
 */
export { type CsvValue, formatCsvCell, parseCsv } from "./csv_format.ts";
export {
  type CsvColumn,
  type CsvColumnType,
  type CsvRow,
  type CsvSchema,
  defineCsvSchema,
  SCHEMA_VERSION_COLUMN,
} from "./csv_schema.ts";
export { appendRow } from "./csv_log.ts";
export { readResultsCsv, type ReadResultsOptions, readResultsRows, type ResultsRow } from "./csv_read.ts";
export {
  ENGINE_METRIC_COLUMNS,
  ENGINE_RESULTS_SCHEMA,
  RUN_CONFIG_COLUMNS,
  SERVE_METRIC_COLUMNS,
  SERVE_RESULTS_SCHEMA,
} from "./results_schemas.ts";
export { type EngineAverages, engineAverages, type ReplicaWindow, scrapeWindows } from "./engine_averages.ts";
