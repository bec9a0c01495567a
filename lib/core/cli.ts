/**
 * The one place command-line flags are parsed (node:util parseArgs underneath, since JSR's
 * `@std/cli` is unreachable here). Every script declares its flags as a {@linkcode FlagSpec}, gets
 * `--help` for free, and turns user errors into one line on stderr with exit code 2.
 * @module
 */
import { parseArgs } from "node:util";

/**
 * An error whose message is written for the user (a server that did not become ready, a run that
 * could not start): {@linkcode runCli} prints the message without a stack trace and exits 1.
 */
export class ReportedError extends Error {
  override name = "ReportedError";
}

/** A user error: bad flag, bad config field, missing file. Printed as one line, exit code 2. */
export class UsageError extends ReportedError {
  override name = "UsageError";
}

/** One flag's declaration. */
export type FlagDef =
  | { type: "string"; help: string; default?: string; short?: string }
  | { type: "number"; help: string; default?: number; short?: string; integer?: boolean; min?: number }
  | { type: "boolean"; help: string; default?: boolean; short?: string }
  | { type: "list"; help: string; default?: string[]; short?: string };

/** Flags by their long name (kebab-case, as typed on the command line). */
export type FlagSpec = Record<string, FlagDef>;

type ValueOf<D extends FlagDef> = D extends { type: "number" } ? number
  : D extends { type: "boolean" } ? boolean
  : D extends { type: "list" } ? string[]
  : string;

/** Parsed values; flags without a default may be undefined (lists default to []). */
export type Flags<S extends FlagSpec> = {
  [K in keyof S]: S[K] extends { default: unknown } ? ValueOf<S[K]>
    : S[K] extends { type: "list" } ? string[]
    : S[K] extends { type: "boolean" } ? boolean
    : ValueOf<S[K]> | undefined;
};

/** What {@linkcode parseFlags} returns: the values, positionals, and the set of flags the user gave. */
export interface ParsedFlags<S extends FlagSpec> {
  values: Flags<S>;
  positionals: string[];
  given: Set<keyof S & string>;
}

/**
 * Parses `argv` against `spec`. Throws {@linkcode UsageError} for unknown flags, missing values and
 * malformed numbers. `--no-NAME` sets a boolean flag to false.
 */
export function parseFlags<S extends FlagSpec>(
  argv: readonly string[],
  spec: S,
  options: { allowPositionals?: boolean } = {},
): ParsedFlags<S> {
  const parseOptions: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [name, def] of Object.entries(spec)) {
    parseOptions[name] = {
      type: def.type === "boolean" ? "boolean" : "string",
      ...(def.type === "list" ? { multiple: true } : {}),
      ...(def.short ? { short: def.short } : {}),
    };
  }
  const negated = new Set<string>();
  const args: string[] = [];
  for (const arg of argv) {
    const name = arg.startsWith("--no-") ? arg.slice(5) : undefined;
    if (name !== undefined && spec[name]?.type === "boolean") negated.add(name);
    else args.push(arg);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: parseOptions,
      allowPositionals: options.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(cleanParseArgsMessage(error));
  }
  const values: Record<string, unknown> = {};
  const given = new Set<keyof S & string>();
  for (const [name, def] of Object.entries(spec)) {
    const raw = (parsed.values as Record<string, unknown>)[name];
    if (negated.has(name)) {
      values[name] = false;
      given.add(name);
    } else if (raw === undefined) {
      values[name] = def.default ?? (def.type === "list" ? [] : def.type === "boolean" ? false : undefined);
    } else {
      given.add(name);
      values[name] = def.type === "number" ? parseNumberFlag(name, raw as string, def) : raw;
    }
  }
  return { values: values as Flags<S>, positionals: parsed.positionals, given };
}

/** Help text for a script: usage line, summary, then one line per flag with its default. */
export function formatHelp(usage: string, summary: string, spec: FlagSpec): string {
  const lines = [`Usage: ${usage}`, "", summary, "", "Options:"];
  const rows = Object.entries(spec).map(([name, def]) => {
    const value = def.type === "boolean"
      ? ""
      : def.type === "list"
      ? " VALUE (repeatable)"
      : ` ${def.type.toUpperCase()}`;
    const flag = `${def.short ? `-${def.short}, ` : ""}--${name}${value}`;
    const fallback = def.default === undefined || (Array.isArray(def.default) && def.default.length === 0)
      ? ""
      : ` (default: ${Array.isArray(def.default) ? def.default.join(" ") : def.default})`;
    return [flag, `${def.help}${fallback}`] as const;
  });
  rows.push(["-h, --help", "Show this help and exit"]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  return lines.join("\n");
}

/** What a script declares to {@linkcode runCli}. */
export interface CliOptions<S extends FlagSpec> {
  /** How the script is invoked, e.g. `deno task engine [options]`. */
  usage: string;
  /** One paragraph on what the script does. */
  summary: string;
  flags: S;
  allowPositionals?: boolean;
}

/**
 * Runs a script's `main` with parsed flags. `--help` prints help and exits 0; a
 * {@linkcode UsageError} anywhere prints `error: <message>` and exits 2 (no stack trace), another
 * {@linkcode ReportedError} the same with exit 1; any other error is a bug and is printed with its
 * stack, exit 1.
 */
export async function runCli<S extends FlagSpec>(
  options: CliOptions<S>,
  main: (flags: Flags<S>, parsed: ParsedFlags<S>) => Promise<void> | void,
): Promise<void> {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(formatHelp(options.usage, options.summary, options.flags));
    return;
  }
  try {
    const parsed = parseFlags(Deno.args, options.flags, {
      allowPositionals: options.allowPositionals ?? false,
    });
    await main(parsed.values, parsed);
  } catch (error) {
    if (error instanceof ReportedError) {
      console.error(`error: ${error.message}`);
      Deno.exit(error instanceof UsageError ? 2 : 1);
    }
    throw error;
  }
}

function parseNumberFlag(name: string, raw: string, def: Extract<FlagDef, { type: "number" }>): number {
  const value = raw.trim() === "inf" ? Infinity : Number(raw);
  if (raw.trim() === "" || Number.isNaN(value)) {
    throw new UsageError(`--${name} expects a number: got '${raw}'`);
  }
  if (def.integer && !Number.isInteger(value)) {
    throw new UsageError(`--${name} expects an integer: got '${raw}'`);
  }
  if (def.min !== undefined && value < def.min) {
    throw new UsageError(`--${name} must be at least ${def.min}: got '${raw}'`);
  }
  return value;
}

function cleanParseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag '${unknown[1]}' (see --help)`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `flag '${missing[1]!.split(",").pop()!.trim().split(" ")[0]}' needs a value`;
  return message.split("\n")[0]!.replace(/\. To specify.*$/, "");
}
