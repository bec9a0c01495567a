/**
 * The router: strategies behind one interface, the routing core (usable without HTTP), and the
 * streaming proxy server.
 * @module
 */
export {
  type CandidateRecord,
  createRouteRequest,
  type KvEvent,
  type RequestOutcome,
  type RouteRequest,
  type RoutingStrategy,
  type Selection,
  type StrategyDeps,
  type StrategyFactory,
  type StrategyName,
  WARM_UP_HEADER,
  type WorkerId,
  type WorkerView,
} from "./strategy.ts";
export {
  assertStrategyName,
  createStrategy,
  listStrategies,
  type ParamSpec,
  resolveStrategyConfig,
  STRATEGIES,
  type StrategyEntry,
  strategyLabel,
} from "./registry.ts";
export { type RouteOptions, RouterCore, type RouterCoreOptions, type RouteTicket } from "./router_core.ts";
export {
  BackendPool,
  type BackendState,
  type HealthCheckOptions,
  type HealthThresholds,
} from "./backend_pool.ts";
export {
  type DecisionRecord,
  type DecisionSink,
  JsonlFileDecisionSink,
  MemoryDecisionSink,
} from "./decision_log.ts";
export { RouterMetrics } from "./metrics.ts";
export { promptTextOf, type PromptTextResult, type RoutedEndpoint } from "./request_body.ts";
export { findUsage, type UsageFigures } from "./usage_sniffer.ts";
export {
  normalizeBackendUrl,
  resolveRouterConfig,
  ROUTER_DEFAULTS,
  type RouterConfig,
  type RouterConfigInput,
  routerFlagSpec,
  routerInputFromFlags,
} from "./config.ts";
export { type RouterServer, serveRouter, type ServeRouterOptions } from "./server.ts";
export { type PrefixMatch, PrefixTree, type PrefixTreeOptions } from "./prefix_tree.ts";
