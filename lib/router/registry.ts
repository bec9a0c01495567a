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
  // Filled in by the strategies that need the prefix tree and KV index (see below).
  prefix_aware: undefined as unknown as AnyEntry,
  cache_aware: undefined as unknown as AnyEntry,
  kv_aware: undefined as unknown as AnyEntry,
  predicted_latency: undefined as unknown as AnyEntry,
};

/** Strategy names, in the order users compare them. */
export function listStrategies(): StrategyName[] {
  return (Object.keys(STRATEGIES) as StrategyName[]).filter((name) => STRATEGIES[name] !== undefined);
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

/** Registers an entry (used by the cache strategies' module to fill their slots). */
export function registerStrategy(name: StrategyName, entry: AnyEntry): void {
  (STRATEGIES as Record<StrategyName, AnyEntry>)[name] = entry;
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
