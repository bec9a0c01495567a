/**
 * Bringing a fleet up and down: engines first (in parallel), each ready via `/health` then
 * `/v1/models`, then the router in front of them; teardown in reverse, on success, failure and
 * signals. From a notebook: `const fleet = await startFleet(spec); ...; await fleet.stop()`.
 * @module
 */
import { findFreePort } from "./free_port.ts";
import { type FleetSpec, type FleetSpecInput, parseFleetSpec } from "./fleet_spec.ts";
import { ManagedProcess } from "./managed_process.ts";
import { waitUntilReady } from "./readiness.ts";
import { track, untrack } from "./teardown.ts";

const ENGINE_SCRIPT = new URL("../../scripts/engine.ts", import.meta.url).pathname;
const ROUTER_SCRIPT = new URL("../../scripts/router.ts", import.meta.url).pathname;

/** One server of a fleet. */
export interface FleetMember {
  /** `engine-0`, `engine-1`, ..., `router`. */
  name: string;
  role: "engine" | "router";
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The child process, unless the member is external. */
  process?: ManagedProcess;
}

/** A fleet that is up. */
export interface Fleet {
  readonly spec: FleetSpec;
  readonly engines: readonly FleetMember[];
  readonly router: FleetMember | undefined;
  /** Where clients send requests: the router, or the only engine when there is no router. */
  readonly targetUrl: string;
  /** Every member with a `/metrics` endpoint, for the scraper. */
  readonly metricsTargets: ReadonlyArray<{ name: string; url: string }>;
  /** Resolves with the first of our child processes that exits on its own (a crash). */
  readonly unexpectedExit: Promise<{ name: string; code: number }>;
  /** Stops every child in reverse start order; safe to call more than once. */
  stop(): Promise<void>;
}

/** Options for {@linkcode startFleet}. */
export interface StartFleetOptions {
  /** Folder for `logs/` (children's stdout/stderr). @default a new temporary folder */
  runDir?: string;
  /** Where the routebench router writes its decision log. */
  decisionLogPath?: string;
  signal?: AbortSignal;
}

/** Brings up `specInput` (validated first) and returns once every member is ready. */
export async function startFleet(
  specInput: FleetSpecInput | FleetSpec,
  options: StartFleetOptions = {},
): Promise<Fleet> {
  const spec = parseFleetSpec(specInput);
  const runDir = options.runDir ?? await Deno.makeTempDir({ prefix: "routebench-fleet-" });
  const logDir = `${runDir}/logs`;
  const started: ManagedProcess[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    untrack(handle);
    for (const process of [...started].reverse()) await process.stop();
  };
  const handle = { stop };
  track(handle);
  try {
    const engines = await startEngines(spec, logDir, started, options.signal);
    const router = await startRouter(spec, engines, logDir, started, options);
    if (!router && engines.length !== 1) {
      throw new TypeError(`fleet spec: router kind 'none' needs exactly one engine: got ${engines.length}`);
    }
    const members = router ? [...engines, router] : engines;
    const unexpectedExit = Promise.race(
      started.map((process) => process.exited.then((status) => ({ name: process.name, code: status.code }))),
    ).then((exit) => (stopped ? new Promise<never>(() => {}) : exit));
    return {
      spec,
      engines,
      router,
      targetUrl: (router ?? engines[0]!).url,
      metricsTargets: members.filter((member) =>
        member.role === "engine" || spec.router.kind === "routebench"
      )
        .map((member) => ({ name: member.name, url: `${member.url}/metrics` })),
      unexpectedExit,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startEngines(
  spec: FleetSpec,
  logDir: string,
  started: ManagedProcess[],
  signal: AbortSignal | undefined,
): Promise<FleetMember[]> {
  const launches: Array<
    { name: string; url: string; argv?: string[]; env?: Record<string, string>; timeoutS: number }
  > = [];
  for (const group of spec.engines) {
    if (group.kind === "external") {
      for (const url of group.urls) {
        launches.push({
          name: `engine-${launches.length}`,
          url: url.replace(/\/+$/, ""),
          timeoutS: spec.readyTimeoutS,
        });
      }
      continue;
    }
    for (let i = 0; i < group.count; i++) {
      const index = launches.length;
      const port = findFreePort(spec.host);
      const url = `http://${spec.host}:${port}`;
      const argv = group.kind === "mock"
        ? [
          Deno.execPath(),
          "run",
          "-A",
          ENGINE_SCRIPT,
          "--host",
          spec.host,
          "--port",
          String(port),
          "--model",
          spec.model,
          "--profile",
          group.profile,
          "--speedup-ratio",
          String(group.speedupRatio),
          "--seed",
          String(spec.seed + index),
          ...optionArgs(group.options),
        ]
        : expandTemplate(group.command, {
          model: spec.model,
          port: String(port),
          host: spec.host,
          index: String(index),
        });
      const env = group.kind === "command" ? group.env : {};
      const timeoutS = group.kind === "command" ? group.readyTimeoutS : spec.readyTimeoutS;
      launches.push({ name: `engine-${index}`, url, argv, env, timeoutS });
    }
  }
  const members = await Promise.all(launches.map(async (launch): Promise<FleetMember> => {
    if (!launch.argv) return { name: launch.name, role: "engine", url: launch.url };
    const process = await ManagedProcess.start({
      name: launch.name,
      argv: launch.argv,
      logDir,
      env: childEnv(launch.env ?? {}),
    });
    started.push(process);
    return { name: launch.name, role: "engine", url: launch.url, process };
  }));
  await Promise.all(members.map((member, i) =>
    waitUntilReady(member.url, {
      timeoutMs: launches[i]!.timeoutS * 1000,
      name: member.name,
      ...(member.process ? { process: member.process } : {}),
      ...(signal ? { signal } : {}),
    })
  ));
  return members;
}

async function startRouter(
  spec: FleetSpec,
  engines: FleetMember[],
  logDir: string,
  started: ManagedProcess[],
  options: StartFleetOptions,
): Promise<FleetMember | undefined> {
  const router = spec.router;
  if (router.kind === "none") return undefined;
  if (router.kind === "external") {
    const url = router.url.replace(/\/+$/, "");
    await waitUntilReady(url, {
      name: "router",
      timeoutMs: spec.readyTimeoutS * 1000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { name: "router", role: "router", url };
  }
  const port = findFreePort(spec.host);
  const url = `http://${spec.host}:${port}`;
  const backends = engines.map((engine) => engine.url);
  const argv = router.kind === "routebench"
    ? [
      Deno.execPath(),
      "run",
      "-A",
      ROUTER_SCRIPT,
      "--host",
      spec.host,
      "--port",
      String(port),
      "--strategy",
      router.strategy,
      "--seed",
      String(spec.seed),
      ...backends.flatMap((backend) => ["--backend", backend]),
      ...(options.decisionLogPath ? ["--decision-log", options.decisionLogPath] : []),
      ...optionArgs(router.options),
    ]
    : expandTemplate(router.command, { model: spec.model, port: String(port), host: spec.host }, backends);
  const process = await ManagedProcess.start({
    name: "router",
    argv,
    logDir,
    env: childEnv(router.kind === "command" ? router.env : {}),
  });
  started.push(process);
  const timeoutS = router.kind === "command" ? router.readyTimeoutS : spec.readyTimeoutS;
  await waitUntilReady(url, {
    process,
    timeoutMs: timeoutS * 1000,
    paths: ["/health"],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { name: "router", role: "router", url, process };
}

/** `{ "num-gpu-blocks": 100, "no-kv-events": true }` → `["--num-gpu-blocks", "100", "--no-kv-events"]`. */
export function optionArgs(options: Record<string, string | number | boolean>): string[] {
  return Object.entries(options).flatMap(([name, value]) => {
    if (value === true) return [`--${name}`];
    if (value === false) return [`--no-${name}`];
    return [`--${name}`, String(value)];
  });
}

/**
 * Splits a command template on whitespace (no shell) and substitutes `{name}` placeholders in each
 * argument; an argument that is exactly `{backends}` becomes one argument per backend URL.
 */
export function expandTemplate(
  template: string | readonly string[],
  values: Record<string, string>,
  backends: readonly string[] = [],
): string[] {
  const parts = typeof template === "string" ? template.trim().split(/\s+/) : [...template];
  return parts.flatMap((part) => {
    if (part === "{backends}") return [...backends];
    return [part.replace(/\{(\w+)\}/g, (whole, name: string) => {
      if (name in values) return values[name]!;
      throw new TypeError(
        `Unknown placeholder '${whole}' in command template: use {model}, {port}, {host}, {index} or {backends}`,
      );
    })];
  });
}

function childEnv(extra: Record<string, string>): Record<string, string> {
  return { ...extra, ROUTEBENCH_PARENT_PID: String(Deno.pid) };
}
