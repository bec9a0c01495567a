/**
 * `deno task serve`: brings a fleet up (from a spec file, or the default 4 mock engines behind a
 * routebench router) and holds it until Ctrl-C, printing every member's URL.
 * @module
 */
import { runCli } from "../lib/core/cli.ts";
import { installSignalTeardown, loadFleetSpec, parseFleetSpec, startFleet } from "../lib/cluster/mod.ts";

await runCli({
  usage: "deno task serve [--fleet FILE] [options]",
  summary: "Brings a fleet of engines and a router up and keeps it running until Ctrl-C.",
  flags: {
    fleet: {
      type: "string",
      help: "Fleet spec (JSON or YAML); flags below override its router/engine count",
    },
    strategy: { type: "string", help: "Router strategy for the routebench router" },
    "num-servers": { type: "number", integer: true, min: 1, help: "Mock engines (default spec only)" },
    profile: { type: "string", help: "Mock engine profile (default spec only)" },
    "speedup-ratio": { type: "number", help: "Mock engine speedup ratio (default spec only)" },
    "run-dir": {
      type: "string",
      help: "Folder for logs/ and the decision log (default: a temporary folder)",
    },
  },
}, async (values) => {
  const base = values.fleet ? await loadFleetSpec(values.fleet) : parseFleetSpec({});
  const spec = structuredClone(base);
  if (values.strategy) {
    spec.router = spec.router.kind === "routebench"
      ? { ...spec.router, strategy: values.strategy }
      : { kind: "routebench", strategy: values.strategy, options: {} };
  }
  for (const group of spec.engines) {
    if (group.kind !== "mock") continue;
    if (values["num-servers"] !== undefined) group.count = values["num-servers"];
    if (values.profile !== undefined) group.profile = values.profile;
    if (values["speedup-ratio"] !== undefined) group.speedupRatio = values["speedup-ratio"];
  }
  const runDir = values["run-dir"] ?? await Deno.makeTempDir({ prefix: "routebench-serve-" });
  installSignalTeardown(() => console.error("routebench: stopping the fleet"));
  const fleet = await startFleet(spec, { runDir, decisionLogPath: `${runDir}/decisions.jsonl` });
  for (const member of [...fleet.engines, ...(fleet.router ? [fleet.router] : [])]) {
    console.log(`${member.name.padEnd(10)} ${member.url}`);
  }
  console.log(
    `send requests to ${fleet.targetUrl}/v1/chat/completions; logs in ${runDir}/logs; Ctrl-C stops the fleet`,
  );
  const crash = await fleet.unexpectedExit;
  console.error(`routebench: ${crash.name} exited with code ${crash.code}; stopping the fleet`);
  await fleet.stop();
  Deno.exit(1);
});
