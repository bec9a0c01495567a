/**
 * Sweeps: the drivers (routing strategies live or simulated, prefix ratio, concurrency), their
 * configs, the results CSV schemas with atomic row appends, and readers.
 * @module
 */
export {
  DEFAULT_STRATEGIES,
  mergeConfig,
  parseStrategySweepConfig,
  type StrategySweepConfig,
  type StrategySweepConfigInput,
  strategySweepConfigSchema,
} from "./config.ts";
export {
  runStrategySweep,
  type StrategySweepOptions,
  type StrategySweepResult,
  type SweepProgress,
} from "./strategy_sweep.ts";
export {
  fleetSpecFor,
  makeRunId,
  memoizedWorkload,
  type RunOutcome,
  runPoint,
  type RunPointOptions,
  type RunProgress,
} from "./run_point.ts";
export {
  SIM_SAMPLE_INTERVAL_MS,
  type SimulatedRun,
  simulatePoint,
  type SimulatePointOptions,
} from "./sim_point.ts";
export {
  parsePrefixRatioSweepConfig,
  type PrefixRatioSummary,
  type PrefixRatioSweepConfig,
  prefixRatioSweepConfigSchema,
  runPrefixRatioSweep,
} from "./prefix_ratio_sweep.ts";
export {
  type ConcurrencyPoint,
  type ConcurrencySweepConfig,
  concurrencySweepConfigSchema,
  formatConcurrencySummary,
  parseConcurrencySweepConfig,
  runConcurrencySweep,
} from "./concurrency_sweep.ts";
export { formatSweepSummary, writeSweepPlots } from "./report.ts";
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
  serveRowValues,
} from "./results_schemas.ts";
export {
  type EngineAverages,
  engineAverages,
  type ReplicaWindow,
  replicaWindows,
  scrapeWindows,
} from "./engine_averages.ts";
