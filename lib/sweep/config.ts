/**
 * The routing-strategy sweep's configuration: defaults in one place (this file), then a
 * `--config FILE` (JSON or YAML), then flags. Mirrors the DEFAULT_CONFIG of Ray's
 * sweep_strategies.py, scaled so the default sweep finishes in under two minutes on 2 cores.
 * @module
 */
import { z } from "zod";
import { UsageError } from "../core/cli.ts";
import { formatZodIssue } from "../cluster/fleet_spec.ts";
import { listStrategies } from "../router/registry.ts";

const optionValue = z.union([z.string(), z.number(), z.boolean()]);
/** A positive rate, or Infinity (`"inf"` in JSON, `.inf` in YAML). */
const rateSchema = z.union([
  z.number().positive(),
  z.literal(Infinity),
  z.literal("inf").transform(() => Infinity),
]);

/** Every strategy the default sweep compares. */
export const DEFAULT_STRATEGIES = [
  "round_robin",
  "pow2",
  "prefix_aware",
  "cache_aware",
  "kv_aware",
  "predicted_latency",
] as const;

/** Schema of a strategy sweep; every field has a default. */
export const strategySweepConfigSchema = z.object({
  /** `label` column of the CSVs (Ray's benchmark_label): names what you changed. */
  label: z.string().min(1).default("default"),
  strategies: z.array(
    z.string().refine(
      (name) => listStrategies().includes(name as never),
      {
        error: (issue) => `unknown strategy '${issue.input}': expected one of ${listStrategies().join(", ")}`,
      },
    ),
  ).min(1).default([...DEFAULT_STRATEGIES]),
  /** Runs per strategy. */
  repeats: z.number().int().min(1).default(1),
  /** Run the workload once before the measured run without restarting the fleet (warms the caches). */
  withWarmup: z.boolean().default(false),
  /**
   * Short unique requests sent before each measured run, after which prefix caches are reset: they
   * warm the fleet's code and connections, not its caches (lib/sweep/fleet_warm_up.ts). 0: none.
   */
  warmUpRequests: z.number().int().min(0).default(64),
  seed: z.number().int().default(0),
  /** Folder for the CSVs and run folders. */
  out: z.string().min(1).default("data/results"),
  /** "live" runs real processes; "sim" runs the whole cluster in virtual time. */
  mode: z.enum(["live", "sim"]).default("live"),
  fleet: z.object({
    numServers: z.number().int().min(1).max(64).default(4),
    profile: z.string().default("qwen2.5-1.5b-l4"),
    model: z.string().default("Qwen/Qwen2.5-1.5B-Instruct"),
    /** Divides every modelled duration of the mock engines. */
    speedupRatio: z.number().positive().default(2),
    enablePrefixCaching: z.boolean().default(true),
    /** Extra mock-engine flags by name, e.g. `{ "num-gpu-blocks": 4000 }`. */
    engineOptions: z.record(z.string(), optionValue).default({}),
    readyTimeoutS: z.number().positive().default(60),
  }).strict().prefault({}),
  router: z.object({
    /** Router flags for every strategy (without `--`). */
    options: z.record(z.string(), optionValue).default({}),
    /** Per-strategy flags, e.g. `{ "prefix_aware": { "prefix-aware-match-rate-threshold": 0.2 } }`. */
    strategyOptions: z.record(z.string(), z.record(z.string(), optionValue)).default({}),
  }).strict().prefault({}),
  /** Workload spec passed to createWorkload (name plus its parameters). */
  workload: z.object({
    name: z.string().default("conversations"),
    numPrompts: z.number().int().min(1).default(300),
    maxConversations: z.number().int().min(1).default(100),
    minOutputLen: z.number().int().min(1).default(10),
    maxOutputLen: z.number().int().min(1).default(200),
    /** Input file for file-based workloads (sharegpt, mooncake, csv-trace). */
    path: z.string().optional(),
  }).passthrough().prefault({}),
  client: z.object({
    maxConcurrency: z.number().int().min(1).default(40),
    /** Requests per second; Infinity (or "inf" in a config file) sends all at once. */
    requestRate: rateSchema.default(100),
    burstiness: z.number().positive().default(1),
    ignoreEos: z.boolean().default(true),
    stream: z.boolean().default(true),
    endpoint: z.enum(["chat", "completions"]).default("chat"),
    timeoutS: z.number().positive().default(300),
    /** A run whose send lag p99 exceeds this is marked invalid. */
    sendLagP99ThresholdMs: z.number().positive().default(50),
  }).strict().prefault({}),
}).strict();

/** A fully resolved strategy sweep configuration. */
export type StrategySweepConfig = z.infer<typeof strategySweepConfigSchema>;
/** What a user may pass: any subset. */
export type StrategySweepConfigInput = z.input<typeof strategySweepConfigSchema>;

/** Validates a config (defaults filled in); throws UsageError naming the first bad field. */
export function parseStrategySweepConfig(input: unknown, source = "sweep config"): StrategySweepConfig {
  const result = strategySweepConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new UsageError(`${source}: ${formatZodIssue(result.error.issues[0]!)}`);
  if (result.data.workload.minOutputLen > result.data.workload.maxOutputLen) {
    throw new UsageError(`${source}: field 'workload.minOutputLen' must not exceed 'workload.maxOutputLen'`);
  }
  return result.data;
}

/** The client runner options of a sweep point, for live runs and simulated ones alike. */
export function clientOptionsFor(config: StrategySweepConfig, seed: number) {
  return {
    model: config.fleet.model,
    endpoint: config.client.endpoint,
    maxConcurrency: config.client.maxConcurrency,
    requestRate: config.client.requestRate,
    burstiness: config.client.burstiness,
    ignoreEos: config.client.ignoreEos,
    stream: config.client.stream,
    timeoutMs: config.client.timeoutS * 1000,
    sendLagP99ThresholdMs: config.client.sendLagP99ThresholdMs,
    seed,
  };
}

/** Deep-merges `override` onto `base` (plain objects only; arrays and values replace). */
export function mergeConfig<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) {
    return (override === undefined ? base : override) as T;
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = key in merged ? mergeConfig(merged[key], value) : value;
  }
  return merged as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
