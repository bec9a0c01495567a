/**
 * Benchmark of the 100 ms scraper (issue 6 target: interval error p99 ≤ 3 ms with 16 endpoints while a
 * load runs). A subprocess serves 16 vLLM-sized /metrics endpoints and an SSE endpoint; this process
 * runs a node:http SSE client loop (the load) and the scraper at once, once per transport, and prints
 * the scraper's own stats.
 *
 *   deno run -A test/bench/scraper_bench.ts [--endpoints 16] [--duration-s 20] [--concurrency 64]
 *     [--itl-ms 10] [--tokens 100] [--transport node-http --transport fetch] [--warmup-s 3] [--spin-ms 2]
 *
 * Each transport first scrapes for --warmup-s (discarded: the first scrapes of a process pay for JIT
 * and lazy module init; its figures are printed) and then for --duration-s (reported).
 * `cpu_wait_ms_per_s` is how long this process's threads waited for a CPU per second (schedstat): on a
 * shared machine, lag spikes follow it.
 *
 * @module
 */
import http from "node:http";
import { type FlagSpec, runCli } from "../../lib/core/cli.ts";
import { type ScraperStats, type ScrapeTransport, startScraper } from "../../lib/prom/mod.ts";

const FLAGS = {
  "endpoints": { type: "number", help: "Metrics endpoints to scrape", default: 16, integer: true, min: 1 },
  "duration-s": { type: "number", help: "Scrape time per transport", default: 20, min: 1 },
  "concurrency": {
    type: "number",
    help: "SSE streams in flight (0: no load)",
    default: 64,
    integer: true,
    min: 0,
  },
  "itl-ms": { type: "number", help: "Server delay between SSE chunks", default: 10, min: 0 },
  "tokens": { type: "number", help: "SSE chunks per stream", default: 100, integer: true, min: 1 },
  "transport": { type: "list", help: "Transports to measure, in order", default: ["node-http", "fetch"] },
  "warmup-s": {
    type: "number",
    help: "Discarded scrape time per transport first (JIT, lazy init)",
    default: 3,
    min: 0,
  },
  "thread": {
    type: "list",
    help: "Where the scraper runs (worker, main), each measured",
    default: ["worker", "main"],
  },
  "spin-ms": { type: "number", help: "Scraper spinMs", default: 2, min: 0 },
} satisfies FlagSpec;

await runCli({
  usage: "deno run -A test/bench/scraper_bench.ts [options]",
  summary: "Measures the scraper's interval error with N endpoints under a same-process SSE load.",
  flags: FLAGS,
}, async (flags) => {
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_scraper_bench_server.ts", import.meta.url).pathname,
      String(flags.endpoints),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const ports = await readReadyLine(server.stdout);
    const rows: Record<string, string | number>[] = [];
    for (const thread of flags.thread as ("worker" | "main")[]) {
      for (const transport of flags.transport as ScrapeTransport[]) {
        const load = startLoad(ports.stream_port, flags.concurrency, flags.tokens, flags["itl-ms"]);
        const targets = ports.metrics_ports.map((port, i) => ({
          name: `engine-${i}`,
          url: `http://127.0.0.1:${port}`,
        }));
        const options = { targets, transport, thread, spinMs: flags["spin-ms"] };
        const warmup = await startScraper(options);
        await sleep(Math.max(1, flags["warmup-s"]) * 1000); // also lets the load ramp up
        const coldStats = await warmup.stop();
        const waitBefore = runQueueWaitMs();
        const scraper = await startScraper(options);
        await sleep(flags["duration-s"] * 1000);
        const stats = await scraper.stop();
        const waitMsPerS = (runQueueWaitMs() - waitBefore) / flags["duration-s"];
        if (flags["warmup-s"] > 0) {
          console.log(
            `${thread}/${transport} warm-up: interval error p99 ${
              coldStats.intervalErrorMs.p99.toFixed(3)
            } ms, max ${coldStats.intervalErrorMs.max.toFixed(3)} ms`,
          );
        }
        const loadStats = await load.stop();
        rows.push({
          ...row(`${thread}/${transport}`, stats, loadStats.chunksPerS),
          "cpu_wait_ms_per_s": Math.round(waitMsPerS),
        });
      }
    }
    console.log(
      `load average at end: ${
        Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
      } (${navigator.hardwareConcurrency} CPUs)`,
    );
    console.table(rows);
  } finally {
    server.kill("SIGTERM");
    await server.status;
  }
});

/**
 * Time this process's threads spent runnable but waiting for a CPU (Linux schedstat), in ms: other
 * tenants of the machine, not the scraper, cause lag spikes when this is high.
 */
function runQueueWaitMs(): number {
  let totalNs = 0;
  try {
    for (const task of Deno.readDirSync("/proc/self/task")) {
      const fields = Deno.readTextFileSync(`/proc/self/task/${task.name}/schedstat`).trim().split(/\s+/);
      totalNs += Number(fields[1] ?? 0);
    }
  } catch {
    return NaN;
  }
  return totalNs / 1e6;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function row(setup: string, stats: ScraperStats, chunksPerS: number): Record<string, string | number> {
  const f = (value: number) => Number(value.toFixed(3));
  return {
    setup,
    ticks: stats.ticks,
    missed: stats.missedTicks,
    failures: stats.failures,
    busy: stats.busySkips,
    "interval_err_p50_ms": f(stats.intervalErrorMs.p50),
    "interval_err_p99_ms": f(stats.intervalErrorMs.p99),
    "interval_err_max_ms": f(stats.intervalErrorMs.max),
    "start_lag_p50_ms": f(stats.startLagMs.p50),
    "start_lag_p99_ms": f(stats.startLagMs.p99),
    "scrape_p50_ms": f(stats.scrapeMs.p50),
    "scrape_p99_ms": f(stats.scrapeMs.p99),
    "load_chunks_per_s": Math.round(chunksPerS),
  };
}

async function readReadyLine(
  stream: ReadableStream<Uint8Array>,
): Promise<{ metrics_ports: number[]; stream_port: number }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("bench server exited before it was ready");
    text += value;
  }
  reader.releaseLock();
  return JSON.parse(text.slice(0, text.indexOf("\n")));
}

/** `concurrency` SSE streams in a loop over node:http keep-alive, counting `data:` chunks. */
function startLoad(port: number, concurrency: number, tokens: number, itlMs: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, concurrency) });
  let running = true;
  let chunks = 0;
  const started = performance.now();
  const streamOnce = () =>
    new Promise<void>((resolve) => {
      const request = http.get({
        host: "127.0.0.1",
        port,
        path: `/stream?tokens=${tokens}&itl_ms=${itlMs}`,
        agent,
      }, (response) => {
        response.setEncoding("utf8");
        let pending = "";
        response.on("data", (text: string) => {
          pending += text;
          let end;
          while ((end = pending.indexOf("\n\n")) >= 0) {
            const event = pending.slice(0, end);
            pending = pending.slice(end + 2);
            if (event.startsWith("data: ") && event !== "data: [DONE]") {
              JSON.parse(event.slice(6));
              chunks++;
            }
          }
        });
        response.on("end", resolve);
        response.on("error", () => resolve());
      });
      request.on("error", () => resolve());
    });
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) await streamOnce();
  });
  return {
    async stop(): Promise<{ chunksPerS: number }> {
      running = false;
      const chunksPerS = chunks / ((performance.now() - started) / 1000);
      await Promise.all(workers);
      agent.destroy();
      return { chunksPerS };
    },
  };
}
