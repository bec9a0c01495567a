// Goal: the router's proxy overhead (issue 4): added latency p50 ≤ 0.3 ms and p99 ≤ 2 ms at 1,000
// streamed requests/s, and ≥ 5,000 streamed requests/s (64 chunks each) through the router alone
// against an instant backend on 2 cores. Method: the instant backend (test/bench/_instant_upstream.ts)
// and the router (scripts/router.ts, round_robin) run as child processes; this process is the
// client (node:http keep-alive, reads every byte). (1) open loop at 1,000 req/s, direct to the
// backend and through the router in alternating one-second slices (`--duration-s` of each): the
// difference of latency percentiles is the added latency;
// (2) closed loop at concurrency 64 through the router: req/s and the router process's CPU share
// (from /proc), so req/s ÷ CPU share estimates what the router alone sustains on one core.
// `--upstream-mode chunks` makes the backend send its 66 SSE events as separate writes (the router
// then handles 66 reads per request, as with a real engine); `single` sends them in one write.
// `--cpu-prof-dir DIR` runs the router under `--cpu-prof` (summarize the profile with
// test/bench/cpuprof_summary.ts); `--phase latency|throughput` runs one phase only;
// `--minimal-proxy` measures test/bench/_minimal_proxy.ts instead: the least any Deno.serve +
// node:http proxy costs, to compare the router's raw HTTP/1.1 design with.
// Run: deno run -A test/bench/router_proxy_bench.ts [--duration-s 5] [--rate 1000] [--concurrency 64]
//   [--upstream-mode single|chunks] [--phase all|latency|throughput] [--cpu-prof-dir DIR]
import * as http from "node:http";
import { parseFlags } from "../../lib/core/cli.ts";

const { values } = parseFlags(Deno.args, {
  "duration-s": { type: "number", help: "seconds per phase (and per path in the latency phase)", default: 5 },
  rate: { type: "number", help: "open-loop rate, req/s", default: 1000 },
  concurrency: { type: "number", help: "closed-loop concurrency", default: 64 },
  strategy: { type: "string", help: "router strategy", default: "round_robin" },
  "upstream-mode": { type: "string", help: "single (one write) or chunks (66 writes)", default: "single" },
  phase: { type: "string", help: "all, latency or throughput", default: "all" },
  "cpu-prof-dir": { type: "string", help: "profile the router process into this directory" },
  "minimal-proxy": {
    type: "boolean",
    help: "benchmark test/bench/_minimal_proxy.ts (Deno.serve + node:http) instead",
  },
});
if (!["single", "chunks"].includes(values["upstream-mode"])) {
  throw new RangeError("--upstream-mode: single|chunks");
}
if (!["all", "latency", "throughput"].includes(values.phase)) {
  throw new RangeError("--phase: all|latency|throughput");
}
const ROOT = new URL("../../", import.meta.url).pathname;
const body = JSON.stringify({
  model: "m",
  messages: [{ role: "user", content: "Tell me a story about routers. ".repeat(20) }],
  stream: true,
});

async function spawn(args: string[], pattern: RegExp): Promise<{ child: Deno.ChildProcess; url: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  })
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!pattern.test(out)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`child exited: ${args.join(" ")}`);
    out += value;
  }
  void (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  return { child, url: pattern.exec(out)![1]! };
}

function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!.split(" ");
  return Number(stat[11]) + Number(stat[12]); // utime + stime, in clock ticks (100/s)
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
function request(url: URL): Promise<number> {
  // returns the full-body latency in ms
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({
      agent,
      hostname: url.hostname,
      port: url.port,
      path: "/v1/chat/completions",
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(performance.now() - start));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function openLoop(url: URL, rate: number, durationS: number): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.round(rate * durationS);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(request(url).then((ms) => void latencies.push(ms)));
  }
  await Promise.all(pending);
  return latencies;
}

async function closedLoop(url: URL, concurrency: number, durationS: number): Promise<number> {
  let done = 0;
  const deadline = performance.now() + durationS * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await request(url);
      done++;
    }
  }));
  return done / durationS;
}

const upstream = await spawn(
  ["test/bench/_instant_upstream.ts", "--mode", values["upstream-mode"]],
  /listening on (http:\/\/\S+)/,
);
const profArgs = values["cpu-prof-dir"] === undefined
  ? []
  : ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof-dir"]];
let routedRequests = 0;
const routerArgs = values["minimal-proxy"]
  ? [
    "test/bench/_minimal_proxy.ts",
    "--backend",
    upstream.url,
  ]
  : [
    "scripts/router.ts",
    "--strategy",
    values.strategy,
    "--backend",
    upstream.url,
    "--health-interval-s",
    "0",
  ];
const router = await spawn(
  [...profArgs, ...routerArgs],
  /routebench router listening on (http:\/\/\S+)/,
);
try {
  const direct = new URL(upstream.url);
  const routed = new URL(router.url);
  routedRequests += await closedLoop(routed, 16, 1); // warm up JIT and connection pools
  await closedLoop(direct, 16, 1);
  if (values.phase !== "throughput") {
    // Alternating one-second slices, so both paths see the same machine conditions.
    const d: number[] = [];
    const r: number[] = [];
    for (let slice = 0; slice < values["duration-s"]; slice++) {
      d.push(...await openLoop(direct, values.rate, 1));
      r.push(...await openLoop(routed, values.rate, 1));
    }
    d.sort((a, b) => a - b);
    r.sort((a, b) => a - b);
    routedRequests += r.length;
    const row = (name: string, s: number[]) =>
      `${name.padEnd(8)} p50 ${percentile(s, 0.5).toFixed(3)} ms  p99 ${percentile(s, 0.99).toFixed(3)} ms`;
    console.log(`open loop ${values.rate} req/s, 64-chunk SSE, full-body latency:`);
    console.log(row("direct", d));
    console.log(row("router", r));
    console.log(
      `added    p50 ${(percentile(r, 0.5) - percentile(d, 0.5)).toFixed(3)} ms  ` +
        `p99 ${(percentile(r, 0.99) - percentile(d, 0.99)).toFixed(3)} ms`,
    );
  }
  if (values.phase !== "latency") {
    const ticks0 = cpuTicks(router.child.pid);
    const rps = await closedLoop(routed, values.concurrency, values["duration-s"]);
    routedRequests += rps * values["duration-s"];
    const cpuShare = (cpuTicks(router.child.pid) - ticks0) / 100 / values["duration-s"];
    const directRps = await closedLoop(direct, values.concurrency, values["duration-s"]);
    console.log(
      `closed loop c=${values.concurrency}: router ${rps.toFixed(0)} req/s (router CPU ${
        (cpuShare * 100).toFixed(0)
      }%` +
        ` of one core, ${(cpuShare * 1e6 / rps).toFixed(0)} µs/req → ~${
          (rps / cpuShare).toFixed(0)
        } req/s per router core); direct ${directRps.toFixed(0)} req/s`,
    );
  }
  console.log(`requests sent through the router: ${Math.round(routedRequests)}`);
} finally {
  agent.destroy();
  router.child.kill("SIGTERM");
  upstream.child.kill("SIGTERM");
  await router.child.status;
  await upstream.child.status;
}
