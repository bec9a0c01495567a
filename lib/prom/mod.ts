/**
 * Prometheus: metric families and text exposition for our servers, the exposition parser, histogram
 * folding and deltas between scrapes, and the 100 ms scraper that writes timeseries.jsonl.
 * @module
 */
export { EXPOSITION_CONTENT_TYPE, Registry } from "./registry.ts";
export { Counter, CounterChild } from "./counter.ts";
export { Gauge, GaugeChild } from "./gauge.ts";
export { Histogram, HistogramChild, type HistogramOptions } from "./histogram.ts";
export {
  parsePrometheusFamilies,
  parsePrometheusText,
  type PromFamily,
  type PromSample,
  type PromType,
  samplesToMetrics,
} from "./parse.ts";
export { parsePrometheusMetrics } from "./parse_metrics.ts";
export { parseSeriesKey, seriesKey } from "./series_key.ts";
export {
  foldHistograms,
  type HistogramBucket,
  histogramMean,
  histogramQuantile,
  type HistogramSeries,
  mergeHistograms,
  type SeriesInput,
  type SeriesValue,
} from "./histogram_fold.ts";
export { counterDelta, counterWindow, histogramDelta, histogramWindow, metricsDelta } from "./delta.ts";
export {
  createMetricsFetcher,
  type MetricsFetcher,
  scrapeOnce,
  type ScrapeTransport,
} from "./metrics_fetcher.ts";
export {
  formatTimeseriesRecord,
  gzipTimeseries,
  JsonlWriter,
  readTimeseriesJsonl,
  readTimeseriesRecords,
  TIMESERIES_GZIP_LEVEL,
  type TimeseriesRecord,
  writeGzippedJsonl,
} from "./timeseries.ts";
export { SeriesColumns } from "./series_columns.ts";
export { TimeseriesJsonlEncoder } from "./timeseries_encoder.ts";
export {
  Scraper,
  type ScraperOptions,
  type ScraperStats,
  type ScrapeTarget,
  type TargetStats,
  type TimingStats,
} from "./scraper.ts";
export { type ScraperHandle, startScraper, type StartScraperOptions } from "./start_scraper.ts";
