// Goal: read a V8 .cpuprofile (from `deno run --cpu-prof --cpu-prof-dir DIR`) and show where the CPU
// went: self time aggregated by function (name + file:line) and by file, as a share of the sampled
// non-idle time. Method: self time of a node = its hit count × the mean sampling interval.
// Run: deno run -A test/bench/cpuprof_summary.ts FILE.cpuprofile [--top 40] [--per-request N]
// (`--per-request N` also prints µs per request for N requests handled during the profile).
import { parseFlags } from "../../lib/core/cli.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseFlags(Deno.args, {
  top: { type: "number", help: "rows to print", default: 40 },
  "per-request": { type: "number", help: "requests handled during the profile (0: off)", default: 0 },
}, { allowPositionals: true });
const profile = JSON.parse(Deno.readTextFileSync(positionals[0]!)) as Profile;
const intervalUs = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let busyUs = 0;
let idleUs = 0;
for (const [id, count] of hits) {
  const frame = byId.get(id)!.callFrame;
  const us = count * intervalUs;
  if (frame.functionName === "(idle)" || frame.functionName === "(program)") {
    idleUs += frame.functionName === "(idle)" ? us : 0;
    if (frame.functionName === "(idle)") continue;
  }
  busyUs += us;
  const file = frame.url.replace(/^.*\/(node_modules|ext|lib|test|scripts)\//, "$1/") || "(native)";
  const key = `${frame.functionName || "(anonymous)"}  ${file}:${frame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byFile.set(file, (byFile.get(file) ?? 0) + us);
}
const perRequest = values["per-request"];
const fmt = (us: number) =>
  `${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / busyUs).toFixed(1).padStart(5)}%` +
  (perRequest > 0 ? ` ${(us / perRequest).toFixed(2).padStart(7)} µs/req` : "");
console.log(
  `profile ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s, busy ${
    (busyUs / 1e6).toFixed(2)
  } s` +
    `, idle ${(idleUs / 1e6).toFixed(2)} s` +
    (perRequest > 0 ? `, ${(busyUs / perRequest).toFixed(1)} µs/req` : ""),
);
console.log("\nself time by function:");
for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, values.top)) {
  console.log(`${fmt(us)}  ${key}`);
}
console.log("\nself time by file:");
for (const [key, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`${fmt(us)}  ${key}`);
}
