/**
 * Sweep drivers (routing strategies, prefix ratio, concurrency), their configs, and the CSV
 * results they append.
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
export { fleetSpecFor, makeRunId, type RunOutcome, runPoint, type RunProgress } from "./run_point.ts";
export {
  parsePrefixRatioSweepConfig,
  type PrefixRatioSummary,
  type PrefixRatioSweepConfig,
  prefixRatioSweepConfigSchema,
  runPrefixRatioSweep,
} from "./prefix_ratio_sweep.ts";
export {
  CONCURRENCY_COLUMNS,
  type ConcurrencyPoint,
  type ConcurrencySweepConfig,
  concurrencySweepConfigSchema,
  formatConcurrencySummary,
  parseConcurrencySweepConfig,
  runConcurrencySweep,
} from "./concurrency_sweep.ts";
export {
  CONFIG_COLUMNS,
  type CsvRow,
  ENGINE_COLUMNS,
  SERVE_COLUMNS,
  serveMetricValues,
  SWEEP_CSV_SCHEMA_VERSION,
} from "./columns.ts";
export {
  ENGINE_METRIC_COLUMNS,
  engineMetricsRow,
  engineTotals,
  scrapeEngineTotals,
} from "./engine_metrics.ts";
export { formatSweepSummary, writeSweepPlots } from "./report.ts";
export { appendRow, readCsvObjects } from "./csv_log.ts";
