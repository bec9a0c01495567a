/**
 * The fleet spec: which engines and which router to bring up. Validated with zod at the boundary
 * (JSON or YAML file, or a TS object from a notebook); a bad field is one line naming it.
 * @module
 */
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { UsageError } from "../core/cli.ts";
import { listStrategies } from "../router/registry.ts";

const optionValue = z.union([z.string(), z.number(), z.boolean()]);

/** Our mock engine, `count` replicas. */
const mockEngineSchema = z.object({
  kind: z.literal("mock"),
  count: z.number().int().min(1).max(64).default(4),
  profile: z.string().default("qwen2.5-1.5b-l4"),
  speedupRatio: z.number().positive().default(1),
  /** Extra engine flags by name (without `--`), e.g. `{ "num-gpu-blocks": 2000 }`. */
  options: z.record(z.string(), optionValue).default({}),
}).strict();

/**
 * Any OpenAI-compatible server started from a command template; `{model}`, `{port}`, `{host}`
 * and `{index}` are substituted in each argument (the template is split on whitespace first, never
 * run through a shell).
 */
const commandEngineSchema = z.object({
  kind: z.literal("command"),
  count: z.number().int().min(1).max(64).default(1),
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
  env: z.record(z.string(), z.string()).default({}),
  readyTimeoutS: z.number().positive().default(600),
}).strict();

/** A deployment that is already running. */
const externalEngineSchema = z.object({
  kind: z.literal("external"),
  urls: z.array(z.string().url()).min(1),
}).strict();

const engineGroupSchema = z.discriminatedUnion("kind", [
  mockEngineSchema,
  commandEngineSchema,
  externalEngineSchema,
]);

const routebenchRouterSchema = z.object({
  kind: z.literal("routebench"),
  strategy: z.string().default("round_robin").refine(
    (name) => listStrategies().includes(name as never),
    { error: (issue) => `unknown strategy '${issue.input}': expected one of ${listStrategies().join(", ")}` },
  ),
  /** Strategy and router flags by name (without `--`). */
  options: z.record(z.string(), optionValue).default({}),
}).strict();

const commandRouterSchema = z.object({
  kind: z.literal("command"),
  /** `{port}`, `{host}`, `{model}` and `{backends}` (one argument per backend URL) are substituted. */
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
  env: z.record(z.string(), z.string()).default({}),
  readyTimeoutS: z.number().positive().default(120),
}).strict();

const externalRouterSchema = z.object({ kind: z.literal("external"), url: z.string().url() }).strict();
const noRouterSchema = z.object({ kind: z.literal("none") }).strict();

/** The whole fleet spec. */
export const fleetSpecSchema = z.object({
  /** Served model name every engine answers to. */
  model: z.string().default("Qwen/Qwen2.5-1.5B-Instruct"),
  host: z.string().default("127.0.0.1"),
  engines: z.array(engineGroupSchema).min(1).default([{
    kind: "mock",
    count: 4,
    profile: "qwen2.5-1.5b-l4",
    speedupRatio: 1,
    options: {},
  }]),
  router: z.discriminatedUnion("kind", [
    routebenchRouterSchema,
    commandRouterSchema,
    externalRouterSchema,
    noRouterSchema,
  ])
    .default({ kind: "routebench", strategy: "round_robin", options: {} }),
  /** Seed for the mock engines (engine i gets seed + i). */
  seed: z.number().int().default(0),
  readyTimeoutS: z.number().positive().default(60),
}).strict();

/** A validated fleet spec with every default filled in. */
export type FleetSpec = z.infer<typeof fleetSpecSchema>;
/** What a user may write: every field with a default is optional. */
export type FleetSpecInput = z.input<typeof fleetSpecSchema>;
/** One engine group of a fleet spec. */
export type EngineGroupSpec = FleetSpec["engines"][number];
/** The router part of a fleet spec. */
export type RouterSpec = FleetSpec["router"];

/** Validates `input`; throws {@linkcode UsageError} naming the first bad field. */
export function parseFleetSpec(input: unknown, source = "fleet spec"): FleetSpec {
  const result = fleetSpecSchema.safeParse(input);
  if (!result.success) throw new UsageError(`${source}: ${formatZodIssue(result.error.issues[0]!)}`);
  return result.data;
}

/** Reads and validates a fleet spec from a `.json`, `.yaml` or `.yml` file. */
export async function loadFleetSpec(path: string): Promise<FleetSpec> {
  return parseFleetSpec(await readStructuredFile(path), path);
}

/** Reads a JSON or YAML file; errors name the file. */
export async function readStructuredFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : error}`);
  }
  try {
    return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${path} is not valid ${/\.ya?ml$/i.test(path) ? "YAML" : "JSON"}: ${
        error instanceof Error ? error.message.split("\n")[0] : error
      }`,
    );
  }
}

/** One line for a zod issue: `field.path: message`. */
export function formatZodIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const names = issue.keys.map((key) => `'${path === "" ? key : `${path}.${key}`}'`).join(", ");
    return `unknown field ${names}`;
  }
  return `field '${path === "" ? "(top level)" : path}': ${issue.message}`;
}
