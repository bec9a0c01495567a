/**
 * What notebooks import: every part's public API from one module. Workloads, the client, fleets,
 * sweeps and plots are exported flat; the engine, router and Prometheus parts also as namespaces
 * (`engine.EngineCore`, `router.PrefixTree`, `prom.parsePrometheusText`) since their type names
 * overlap.
 *
 * ```ts
 * import { metricSummary, PrefixTree, runStrategySweep, startFleet } from "../lib/mod.ts";
 * ```
 * @module
 */
export * from "./core/mod.ts";
export * from "./workload/mod.ts";
export * from "./client/mod.ts";
export * from "./cluster/mod.ts";
export * from "./sweep/mod.ts";
export * from "./viz/mod.ts";
export * as engine from "./engine/mod.ts";
export * as router from "./router/mod.ts";
export * as prom from "./prom/mod.ts";
export { type EngineServer, serveEngine } from "./engine/mod.ts";
export { listStrategies, PrefixTree, type RouterServer, serveRouter } from "./router/mod.ts";
export { Registry, Scraper } from "./prom/mod.ts";
