/**
 * Prometheus: metric families and text exposition for our servers, the exposition parser, and
 * the 100 ms scraper.
 * @module
 */
export { EXPOSITION_CONTENT_TYPE, Registry } from "./registry.ts";
export { Counter, CounterChild } from "./counter.ts";
export { Gauge, GaugeChild } from "./gauge.ts";
export { Histogram, HistogramChild, type HistogramOptions } from "./histogram.ts";
export { parsePrometheusText, type PromSample } from "./parse.ts";
