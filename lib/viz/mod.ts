/**
 * Visualizations: plot functions over the sweep CSVs and run folders, each returning a
 * {@linkcode Figure} that displays inline in the Deno Jupyter kernel and saves as SVG and PNG; the
 * data loaders they share; and the report and chosen-data helpers behind `deno task report` and
 * `deno task choose`.
 * @module
 */
export {
  Figure,
  type FigureSpec,
  type LegendItem,
  type Panel,
  type PngOptions,
  type TableSpec,
} from "./figure.ts";
export { escapeXml, plotDocument, renderFigureSvg, svgToPng, tableToHtml } from "./render.ts";
export {
  AGGREGATE_COLOR,
  lowerIsBetter,
  metricLabel,
  orderSeries,
  replicaColor,
  seriesColors,
  STRATEGY_COLORS,
  STRATEGY_ORDER,
  strategyColor,
} from "./theme.ts";
export {
  concurrencySweepRows,
  type CsvInput,
  loadResults,
  numeric,
  resultRows,
  type Row,
  type RowFilter,
  type RowOptions,
  type SeriesBy,
  seriesNamer,
  strategySweepRows,
} from "./results_csv.ts";
export {
  backendNamer,
  type Decision,
  listRuns,
  loadRun,
  parseSeriesKey,
  type RunData,
  runFromParts,
  type RunInput,
  type Series,
  seriesNamed,
} from "./run_folder.ts";
export { type Downsampled, downsampleMinMax } from "./downsample.ts";
export { histogramQuantile } from "./windows.ts";
export { metricSummary, type MetricSummaryOptions } from "./metric_summary.ts";
export { benchmarkComparison, type BenchmarkComparisonOptions } from "./benchmark_comparison.ts";
export { loadDistribution, type LoadDistributionOptions, strategyOf } from "./load_distribution.ts";
export { prefixMatchRate, type PrefixMatchRateOptions } from "./prefix_match_rate.ts";
export {
  engineMetricTimeseries,
  type EngineMetricTimeseriesOptions,
  resolveMetric,
} from "./engine_metric_timeseries.ts";
export { evictionPolicy, type EvictionPolicyOptions } from "./eviction_policy.ts";
export { deploymentOverhead, type DeploymentOverheadOptions } from "./deployment_overhead.ts";
export { routingMatches, type RoutingMatchesOptions } from "./routing_matches.ts";
export { prefixRatio, type PrefixRatioInput, type PrefixRatioOptions } from "./prefix_ratio.ts";
export {
  type ConcurrencyOptions,
  itlVsConcurrency,
  metricVsConcurrency,
  throughputVsConcurrency,
  ttftVsConcurrency,
} from "./concurrency.ts";
export { type OperationTiming, operationTimings, type OperationTimingsOptions } from "./operation_timings.ts";
export { efficiencyPareto, type EfficiencyParetoOptions, paretoFront } from "./efficiency_pareto.ts";
