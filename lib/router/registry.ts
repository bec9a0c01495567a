/**
 * The only name → strategy map. Each entry declares its parameters once (default, CLI flag, help,
 * bounds), so the CLI, `--help`, the lib README and programmatic configs share one definition.
 * @module
 */
import type { RoutingStrategy, StrategyDeps, StrategyFactory, StrategyName } from "./strategy.ts";
import { createRoundRobin } from "./strategies/round_robin.ts";
import { createRandom } from "./strategies/random.ts";
import { createPow2 } from "./strategies/pow2.ts";
import { createLeastRequest } from "./strategies/least_request.ts";
import { createPrefixAware, PREFIX_AWARE_DEFAULTS } from "./strategies/prefix_aware.ts";
import { CACHE_AWARE_DEFAULTS, createCacheAware } from "./strategies/cache_aware.ts";
import { createKvAware, KV_AWARE_DEFAULTS } from "./strategies/kv_aware.ts";
import { createPredictedLatency, PREDICTED_LATENCY_DEFAULTS } from "./strategies/predicted_latency.ts";

/** One strategy parameter. */
export interface ParamSpec {
  /** Kebab-case CLI flag without `--`. */
  flag: string;
  type: "number" | "boolean";
  help: string;
  min?: number;
  max?: number;
  integer?: boolean;
}

/** A registry entry. `C` is the resolved config. */
export interface StrategyEntry<C extends object> {
  /** One line for `--help`. */
  summary: string;
  defaults: Readonly<C>;
  params: { readonly [K in keyof C]: ParamSpec };
  create: StrategyFactory<C>;
}

// deno-lint-ignore no-explicit-any
type AnyEntry = StrategyEntry<any>;

// Parameters shared by kv_aware and predicted_latency (same flag, same default).
const KV_BLOCK_SIZE_PARAM: ParamSpec = {
  flag: "kv-block-size",
  type: "number",
  help: "Engine KV block size, tokens",
  min: 1,
  integer: true,
};
const ROUTER_TTL_PARAM: ParamSpec = {
  flag: "router-ttl-s",
  type: "number",
  help: "Approximate index: a routed block is forgotten after this long, seconds",
  min: 0,
};
const ROUTER_MAX_TREE_PARAM: ParamSpec = {
  flag: "router-max-tree-size",
  type: "number",
  help: "Approximate index: bound on (backend, block) entries",
  min: 1,
  integer: true,
};

/** Every strategy, by name. */
export const STRATEGIES: Readonly<Record<StrategyName, AnyEntry>> = {
  round_robin: {
    summary: "cycle through the healthy backends",
    defaults: {},
    params: {},
    create: createRoundRobin,
  },
  random: { summary: "uniform seeded pick", defaults: {}, params: {}, create: createRandom },
  pow2: {
    summary: "two random backends, the one with fewer in-flight requests wins",
    defaults: {},
    params: {},
    create: createPow2,
  },
  least_request: {
    summary: "fewest in-flight requests (ties: fewer routed so far, then random)",
    defaults: {},
    params: {},
    create: createLeastRequest,
  },
  prefix_aware: {
    summary: "Ray Serve PrefixCacheAffinityRouter: longest character-prefix match, else smallest tree",
    defaults: PREFIX_AWARE_DEFAULTS,
    params: {
      matchRateThreshold: {
        flag: "prefix-aware-match-rate-threshold",
        type: "number",
        help: "Matched fraction below which the smallest tree wins",
        min: 0,
        max: 1,
      },
      imbalancedThreshold: {
        flag: "imbalanced-threshold",
        type: "number",
        help: "Max - min in-flight above which pow2 decides ('inf': never)",
        min: 0,
      },
      doEviction: { flag: "do-eviction", type: "boolean", help: "Run the tree eviction loop" },
      evictionThresholdChars: {
        flag: "eviction-threshold-chars",
        type: "number",
        help: "Evict a backend's tree above this many characters",
        min: 0,
      },
      evictionTargetChars: {
        flag: "eviction-target-chars",
        type: "number",
        help: "Evict down to this many characters",
        min: 0,
      },
      evictionIntervalS: {
        flag: "eviction-interval-s",
        type: "number",
        help: "Eviction loop period, seconds",
        min: 0.001,
      },
    },
    create: createPrefixAware,
  },
  cache_aware: {
    summary: "SGLang cache-aware: abs AND rel imbalance -> least loaded, else match rate > threshold",
    defaults: CACHE_AWARE_DEFAULTS,
    params: {
      cacheThreshold: {
        flag: "cache-threshold",
        type: "number",
        help: "Match rate above which the cached backend wins",
        min: 0,
        max: 1,
      },
      balanceAbsThreshold: {
        flag: "balance-abs-threshold",
        type: "number",
        help: "Imbalanced when max - min in-flight exceeds this...",
        min: 0,
      },
      balanceRelThreshold: {
        flag: "balance-rel-threshold",
        type: "number",
        help: "...and max exceeds min times this",
        min: 0,
      },
      evictionIntervalS: {
        flag: "cache-eviction-interval-s",
        type: "number",
        help: "Tree eviction period, seconds",
        min: 0.001,
      },
      maxTreeSize: {
        flag: "max-tree-size",
        type: "number",
        help: "Per-backend tree bound, characters",
        min: 0,
      },
    },
    create: createCacheAware,
  },
  kv_aware: {
    summary: "Dynamo KV router: cost = overlap weight x prefill blocks + decode blocks",
    defaults: KV_AWARE_DEFAULTS,
    params: {
      blockSize: KV_BLOCK_SIZE_PARAM,
      overlapScoreWeight: {
        flag: "kv-overlap-score-weight",
        type: "number",
        help: "Weight of prefill blocks against decode blocks",
        min: 0,
      },
      temperature: {
        flag: "router-temperature",
        type: "number",
        help: "Softmax sampling temperature (0: take the minimum cost)",
        min: 0,
      },
      useKvEvents: {
        flag: "kv-events",
        type: "boolean",
        help: "Index from the engines' /kv_events; --no-kv-events: from routing decisions with a TTL",
      },
      ttlS: ROUTER_TTL_PARAM,
      maxTreeSize: ROUTER_MAX_TREE_PARAM,
      pruneTargetRatio: {
        flag: "router-prune-target-ratio",
        type: "number",
        help: "Without events: prune to this fraction of the bound",
        min: 0,
        max: 1,
      },
    },
    create: createKvAware,
  },
  predicted_latency: {
    summary: "ours: least predicted TTFT, coefficients fitted online from observed TTFT and cached_tokens",
    defaults: PREDICTED_LATENCY_DEFAULTS,
    params: {
      blockSize: KV_BLOCK_SIZE_PARAM,
      ttlS: ROUTER_TTL_PARAM,
      maxTreeSize: ROUTER_MAX_TREE_PARAM,
      forgettingFactor: {
        flag: "latency-forgetting-factor",
        type: "number",
        help: "Weight of the past per observation in the TTFT fits",
        min: 0.5,
        max: 1,
      },
      priorBaseMs: { flag: "latency-prior-base-ms", type: "number", help: "Prior base TTFT, ms", min: 0 },
      priorMsPerToken: {
        flag: "latency-prior-ms-per-token",
        type: "number",
        help: "Prior ms per queued or uncached prompt token",
        min: 0,
      },
      priorMsPerInFlight: {
        flag: "latency-prior-ms-per-in-flight",
        type: "number",
        help: "Prior ms per in-flight request",
        min: 0,
      },
      minSamples: {
        flag: "latency-min-samples",
        type: "number",
        help: "Observations before a backend's own fit replaces the fleet-wide one",
        min: 0,
        integer: true,
      },
    },
    create: createPredictedLatency,
  },
};

/** Strategy names, in the order users compare them. */
export function listStrategies(): StrategyName[] {
  return Object.keys(STRATEGIES) as StrategyName[];
}

/** Throws a TypeError naming the valid strategies unless `name` is one. */
export function assertStrategyName(name: string): asserts name is StrategyName {
  if (!listStrategies().includes(name as StrategyName)) {
    throw new TypeError(`Unknown strategy '${name}': expected one of ${listStrategies().join(", ")}`);
  }
}

/**
 * Merges `params` over the strategy's defaults and validates them. Keys may be given as the
 * config key (`matchRateThreshold`), in snake_case, or as the CLI flag name.
 */
export function resolveStrategyConfig(name: string, params: Readonly<Record<string, unknown>> = {}): object {
  assertStrategyName(name);
  const entry = STRATEGIES[name];
  const config: Record<string, unknown> = { ...entry.defaults };
  const specs = entry.params as Record<string, ParamSpec>;
  for (const [given, value] of Object.entries(params)) {
    const key = Object.keys(specs).find((k) => sameName(k, given) || sameName(specs[k]!.flag, given));
    if (key === undefined) {
      const known = Object.keys(specs);
      throw new TypeError(
        `Unknown parameter '${given}' for strategy '${name}': expected ${
          known.length ? known.join(", ") : "none"
        }`,
      );
    }
    config[key] = checkParam(name, key, specs[key]!, value);
  }
  return config;
}

/** Builds a strategy by name from (partial) parameters. */
export function createStrategy(
  name: string,
  params: Readonly<Record<string, unknown>>,
  deps: StrategyDeps,
): RoutingStrategy {
  const config = resolveStrategyConfig(name, params);
  return STRATEGIES[name as StrategyName].create(config, deps);
}

/** A short stable label: the name plus the parameters that differ from the defaults. */
export function strategyLabel(name: string, config: object = {}): string {
  assertStrategyName(name);
  const defaults = STRATEGIES[name].defaults as Record<string, unknown>;
  const changed = Object.entries(config).filter(([key, value]) => defaults[key] !== value);
  if (changed.length === 0) return name;
  return `${name}(${changed.map(([key, value]) => `${key}=${value}`).join(",")})`;
}

function sameName(a: string, b: string): boolean {
  return a.replace(/[-_]/g, "").toLowerCase() === b.replace(/[-_]/g, "").toLowerCase();
}

function checkParam(strategy: string, key: string, spec: ParamSpec, value: unknown): unknown {
  const where = `strategy '${strategy}' parameter '${key}' (--${spec.flag})`;
  if (spec.type === "boolean") {
    if (typeof value !== "boolean") {
      throw new TypeError(`${where} must be a boolean: current value is ${value}`);
    }
    return value;
  }
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${where} must be a number: current value is ${JSON.stringify(value)}`);
  }
  if (spec.integer && Number.isFinite(value) && !Number.isInteger(value)) {
    throw new RangeError(`${where} must be an integer: current value is ${value}`);
  }
  if (spec.min !== undefined && value < spec.min) {
    throw new RangeError(`${where} must be at least ${spec.min}: current value is ${value}`);
  }
  if (spec.max !== undefined && value > spec.max) {
    throw new RangeError(`${where} must be at most ${spec.max}: current value is ${value}`);
  }
  return value;
}
