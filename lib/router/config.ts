/**
 * The router's configuration: defaults in one place, validation of programmatic options, and the
 * CLI flag spec built from the router's own flags plus every strategy's parameters.
 * @module
 */
import { type FlagDef, type FlagSpec, UsageError } from "../core/cli.ts";
import { listStrategies, type ParamSpec, resolveStrategyConfig, STRATEGIES } from "./registry.ts";
import type { StrategyName } from "./strategy.ts";

/** Everything `serveRouter` needs, resolved. */
export interface RouterConfig {
  /** Interface to bind. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  strategy: StrategyName;
  /** The strategy's parameters, merged over its defaults. */
  strategyConfig: Record<string, unknown>;
  /** Backend base URLs (`http://host:port`, no trailing slash). */
  backends: string[];
  /** Append the JSONL decision log here, when set. */
  decisionLogPath?: string;
  /** Seconds between health probes (`GET /health`); 0 disables them. */
  healthIntervalS: number;
  /** Probe timeout, seconds. */
  healthTimeoutS: number;
  /** Consecutive failed probes that take a backend out (a connect failure on a request does at once). */
  unhealthyAfter: number;
  /** Consecutive successful probes that put a backend back. */
  healthyAfter: number;
  /** A routed request is aborted after this many seconds. */
  requestTimeoutS: number;
  /** Larger request bodies get 413. */
  maxBodyBytes: number;
  /** Other backends tried after a connect failure. */
  maxConnectRetries: number;
  /** Seed of the strategy's random choices. */
  seed: number;
  /** Synthetic requests routed in virtual time before listening, to warm the code (0: none). */
  warmUpRequests: number;
}

/** Defaults for every {@linkcode RouterConfig} field that has one. */
export const ROUTER_DEFAULTS = {
  host: "127.0.0.1",
  port: 0,
  healthIntervalS: 2,
  healthTimeoutS: 1,
  unhealthyAfter: 2,
  healthyAfter: 1,
  requestTimeoutS: 600,
  maxBodyBytes: 32 * 1024 * 1024,
  maxConnectRetries: 3,
  seed: 0,
  warmUpRequests: 256,
} as const;

/** Programmatic options: `strategy` and `backends` are required, the rest default. */
export type RouterConfigInput = Partial<Omit<RouterConfig, "strategyConfig" | "strategy" | "backends">> & {
  strategy: string;
  backends: readonly string[];
  /** Strategy parameters (partial; keys as config keys, snake_case or flag names). */
  strategyConfig?: Readonly<Record<string, unknown>>;
};

/** Validates and completes programmatic options. Throws TypeError/RangeError naming the field. */
export function resolveRouterConfig(input: RouterConfigInput): RouterConfig {
  const strategyConfig = resolveStrategyConfig(input.strategy, input.strategyConfig ?? {}) as Record<
    string,
    unknown
  >;
  const backends = input.backends.map(normalizeBackendUrl);
  if (backends.length === 0) {
    throw new RangeError("Cannot start the router: 'backends' is empty (give --backend URL)");
  }
  const config: RouterConfig = {
    ...ROUTER_DEFAULTS,
    ...definedOnly(input),
    strategy: input.strategy as StrategyName,
    strategyConfig,
    backends,
  };
  checkNumber("port", config.port, 0, 65535, true);
  checkNumber("healthIntervalS", config.healthIntervalS, 0);
  checkNumber("healthTimeoutS", config.healthTimeoutS, 0.001);
  checkNumber("unhealthyAfter", config.unhealthyAfter, 1, 1000, true);
  checkNumber("healthyAfter", config.healthyAfter, 1, 1000, true);
  checkNumber("requestTimeoutS", config.requestTimeoutS, 0.001);
  checkNumber("maxBodyBytes", config.maxBodyBytes, 1, Infinity, true);
  checkNumber("maxConnectRetries", config.maxConnectRetries, 0, 100, true);
  checkNumber("seed", config.seed, 0, Number.MAX_SAFE_INTEGER, true);
  checkNumber("warmUpRequests", config.warmUpRequests, 0, 1_000_000, true);
  return config;
}

/** `http://host:port` with no trailing slash; throws TypeError for anything else. */
export function normalizeBackendUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`Backend '${raw}' is not a URL: expected http://HOST:PORT`);
  }
  if (url.protocol !== "http:") {
    throw new TypeError(`Backend '${raw}' must use http://: got '${url.protocol}'`);
  }
  if (url.pathname !== "/" || url.search !== "") {
    throw new TypeError(`Backend '${raw}' must be a base URL without a path: expected http://HOST:PORT`);
  }
  return `http://${url.host}`;
}

const ROUTER_FLAGS = {
  port: {
    type: "number",
    help: "Port to listen on (0 picks a free port)",
    default: 0,
    integer: true,
    min: 0,
  },
  host: { type: "string", help: "Interface to bind", default: ROUTER_DEFAULTS.host },
  strategy: { type: "string", help: "Routing strategy" },
  backend: { type: "list", help: "Backend base URL, e.g. http://127.0.0.1:8001" },
  "decision-log": { type: "string", help: "Append one JSON line per routed request to this file" },
  "health-interval-s": {
    type: "number",
    help: "Seconds between GET /health probes of each backend (0: off)",
    default: ROUTER_DEFAULTS.healthIntervalS,
    min: 0,
  },
  "health-timeout-s": {
    type: "number",
    help: "Health probe timeout",
    default: ROUTER_DEFAULTS.healthTimeoutS,
    min: 0,
  },
  "unhealthy-after": {
    type: "number",
    help: "Consecutive failed probes that take a backend out (a connect failure on a request: at once)",
    default: ROUTER_DEFAULTS.unhealthyAfter,
    integer: true,
    min: 1,
  },
  "healthy-after": {
    type: "number",
    help: "Consecutive successful probes that put a backend back",
    default: ROUTER_DEFAULTS.healthyAfter,
    integer: true,
    min: 1,
  },
  "request-timeout-s": {
    type: "number",
    help: "Abort a routed request after this long",
    default: ROUTER_DEFAULTS.requestTimeoutS,
    min: 0,
  },
  "max-body-bytes": {
    type: "number",
    help: "Reject larger request bodies with 413",
    default: ROUTER_DEFAULTS.maxBodyBytes,
    integer: true,
    min: 1,
  },
  "max-connect-retries": {
    type: "number",
    help: "Other backends tried after a connect failure",
    default: ROUTER_DEFAULTS.maxConnectRetries,
    integer: true,
    min: 0,
  },
  seed: { type: "number", help: "Seed for the strategy's random choices", default: 0, integer: true, min: 0 },
  "warm-up-requests": {
    type: "number",
    help: "Synthetic requests routed in virtual time before listening, so served requests run optimized code",
    default: ROUTER_DEFAULTS.warmUpRequests,
    integer: true,
    min: 0,
  },
} satisfies FlagSpec;

/** Which strategies use each strategy flag (a flag may be shared, e.g. `--kv-block-size`). */
export function strategyFlagOwners(): Map<
  string,
  { spec: ParamSpec; key: string; strategies: StrategyName[] }
> {
  const owners = new Map<string, { spec: ParamSpec; key: string; strategies: StrategyName[] }>();
  for (const name of listStrategies()) {
    const params = STRATEGIES[name].params as Record<string, ParamSpec>;
    for (const [key, spec] of Object.entries(params)) {
      const owner = owners.get(spec.flag);
      if (owner === undefined) owners.set(spec.flag, { spec, key, strategies: [name] });
      else owner.strategies.push(name);
    }
  }
  return owners;
}

/** The router CLI's flags: its own plus every strategy's, each documented with its strategy and default. */
export function routerFlagSpec(): FlagSpec {
  const spec: FlagSpec = {};
  for (const [name, def] of Object.entries(ROUTER_FLAGS)) {
    spec[name] = name === "strategy"
      ? { ...def, help: `Routing strategy: ${listStrategies().join(", ")}` } as FlagDef
      : def as FlagDef;
  }
  for (const [flag, owner] of strategyFlagOwners()) {
    const defaults = STRATEGIES[owner.strategies[0]!].defaults as Record<string, unknown>;
    const value = defaults[owner.key] === Infinity ? "inf" : defaults[owner.key];
    const help = `[${owner.strategies.join(", ")}] ${owner.spec.help}`;
    spec[flag] = owner.spec.type === "boolean"
      ? { type: "boolean", help: `${help} (default: ${value}; --no-${flag} to turn off)` }
      : {
        type: "number",
        help: `${help} (default: ${value})`,
        ...(owner.spec.min !== undefined ? { min: owner.spec.min } : {}),
      };
  }
  return spec;
}

/** Turns parsed CLI flags into {@linkcode RouterConfigInput}. Throws UsageError for user mistakes. */
export function routerInputFromFlags(
  values: Record<string, unknown>,
  given: ReadonlySet<string>,
): RouterConfigInput {
  const strategy = values.strategy as string | undefined;
  if (strategy === undefined) {
    throw new UsageError(`--strategy is required: one of ${listStrategies().join(", ")}`);
  }
  if (!listStrategies().includes(strategy as StrategyName)) {
    throw new UsageError(`unknown --strategy '${strategy}': expected one of ${listStrategies().join(", ")}`);
  }
  const backends = values.backend as string[];
  if (backends.length === 0) throw new UsageError("at least one --backend URL is required");
  const strategyConfig: Record<string, unknown> = {};
  for (const [flag, owner] of strategyFlagOwners()) {
    if (!given.has(flag)) continue;
    if (!owner.strategies.includes(strategy as StrategyName)) {
      throw new UsageError(
        `--${flag} applies to ${owner.strategies.join(", ")}, not to --strategy ${strategy}`,
      );
    }
    strategyConfig[owner.key] = values[flag];
  }
  const input: RouterConfigInput = {
    strategy,
    backends,
    strategyConfig,
    host: values.host as string,
    port: values.port as number,
    healthIntervalS: values["health-interval-s"] as number,
    healthTimeoutS: values["health-timeout-s"] as number,
    unhealthyAfter: values["unhealthy-after"] as number,
    healthyAfter: values["healthy-after"] as number,
    requestTimeoutS: values["request-timeout-s"] as number,
    maxBodyBytes: values["max-body-bytes"] as number,
    maxConnectRetries: values["max-connect-retries"] as number,
    seed: values.seed as number,
    warmUpRequests: values["warm-up-requests"] as number,
  };
  if (values["decision-log"] !== undefined) input.decisionLogPath = values["decision-log"] as string;
  try {
    resolveRouterConfig(input);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  return input;
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function checkNumber(field: string, value: number, min: number, max = Infinity, integer = false): void {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(
      `Router option '${field}' must be a number: current value is ${JSON.stringify(value)}`,
    );
  }
  if (value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? "an integer" : "a number";
    throw new RangeError(
      `Router option '${field}' must be ${kind} in [${min}, ${max}]: current value is ${value}`,
    );
  }
}
