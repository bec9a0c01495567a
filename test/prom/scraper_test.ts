// Goal: the Scraper writes one timeseries.jsonl line per scrape per target in the contract's shape,
// keeps the 100 ms cadence on average, records a dead target as an error line without stopping, and
// reports its own timing. Method: 2 Deno.serve servers on 127.0.0.1:0 serving Registry text whose
// counter grows per request, plus a port nobody listens on; run the scraper ~1.2 s, read the file.
// Timing checks are loose sanity bounds (cadence on average), not performance targets: the
// performance figures live in test/bench/scraper_bench.ts.
import assert from "node:assert/strict";
import {
  EXPOSITION_CONTENT_TYPE,
  readTimeseriesJsonl,
  Registry,
  type ScrapeTransport,
  startScraper,
  type TimeseriesRecord,
} from "../../lib/prom/mod.ts";

function serveRegistry(engine: string): Deno.HttpServer<Deno.NetAddr> {
  const registry = new Registry();
  const scrapes = registry.counter({ name: "test:scrapes", help: "Scrapes served", labelNames: ["engine"] });
  const ttft = registry.histogram({
    name: "test:ttft_seconds",
    help: "TTFT",
    labelNames: ["engine"],
    buckets: [0.1, 1],
  });
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    if (new URL(request.url).pathname !== "/metrics") return new Response("not found", { status: 404 });
    scrapes.labels({ engine }).inc();
    ttft.labels({ engine }).observe(0.5);
    return new Response(registry.render(), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } });
  });
}

function deadPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

async function runScraper(transport: ScrapeTransport, thread: "worker" | "main") {
  const servers = [serveRegistry("0"), serveRegistry("1")];
  const dir = await Deno.makeTempDir({ prefix: "scraper_test_" });
  const outPath = `${dir}/timeseries.jsonl`;
  const seen: TimeseriesRecord[] = [];
  try {
    const scraper = await startScraper({
      targets: [
        { name: "engine-0", url: `http://127.0.0.1:${servers[0]!.addr.port}` },
        { name: "engine-1", url: `http://127.0.0.1:${servers[1]!.addr.port}/metrics` },
        { name: "router", url: `http://127.0.0.1:${deadPort()}` },
      ],
      outPath,
      transport,
      thread,
      onRecord: (record) => seen.push(record),
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const stats = await scraper.stop();
    const records = await readTimeseriesJsonl(outPath);
    return { stats, records, seen };
  } finally {
    await Promise.all(servers.map((server) => server.shutdown()));
    await Deno.remove(dir, { recursive: true });
  }
}

for (const [transport, thread] of [["node-http", "worker"], ["fetch", "main"]] as const) {
  Deno.test(`startScraper() (${transport}, ${thread} thread) writes one line per scrape per target and records a dead target as errors`, async () => {
    const { stats, records, seen } = await runScraper(transport, thread);
    assert.ok(stats.ticks >= 10 && stats.ticks <= 14, `ticks ${stats.ticks} in 1.2 s at 100 ms`);
    assert.equal(records.length, stats.ticks * 3 - stats.busySkips, "one line per tick per target");
    assert.equal(stats.linesWritten, records.length);
    assert.equal(seen.length, records.length, "onRecord saw every record");

    const engine0 = records.filter((r) => r.target === "engine-0");
    assert.equal(engine0.length, stats.targets["engine-0"]!.scrapes);
    assert.equal(stats.targets["engine-0"]!.failures, 0);
    for (const record of engine0) {
      assert.deepEqual(Object.keys(record), ["t_ms", "target", "metrics"]);
      assert.ok(Number.isInteger(record.t_ms) && Math.abs(record.t_ms - Date.now()) < 60_000, "epoch ms");
    }
    // The server's counter grows by one per scrape: every scrape reached it, in order.
    const counts = engine0.map((r) => r.metrics['test:scrapes_total{engine="0"}']);
    assert.deepEqual(counts, counts.map((_, i) => i + 1));
    assert.equal(engine0.at(-1)!.metrics['test:ttft_seconds_bucket{engine="0",le="+Inf"}'], engine0.length);

    const router = records.filter((r) => r.target === "router");
    assert.equal(router.length, stats.ticks, "the dead target is recorded on every tick");
    assert.ok(
      router.every((r) =>
        typeof r.error === "string" && r.error.length > 0 && Object.keys(r.metrics).length === 0
      ),
    );
    assert.equal(stats.targets.router!.failures, router.length);
    assert.equal(stats.failures, router.length);

    // Cadence on average: t_ms of consecutive ticks of one target are ~100 ms apart.
    const span = engine0.at(-1)!.t_ms - engine0[0]!.t_ms;
    const meanGap = span / (engine0.length - 1);
    assert.ok(
      Math.abs(meanGap - 100) < 5 + 100 * stats.missedTicks / engine0.length,
      `mean gap ${meanGap} ms`,
    );
    assert.equal(stats.intervalErrorMs.count, stats.ticks - 1 - stats.missedTicks);
    assert.ok(stats.startLagMs.p50 < 20, `start lag p50 ${stats.startLagMs.p50} ms`);
  });
}

Deno.test("startScraper() works without an output file and can be stopped twice", async () => {
  const server = serveRegistry("0");
  try {
    const seen: TimeseriesRecord[] = [];
    const scraper = await startScraper({
      targets: [{ name: "engine-0", url: `http://127.0.0.1:${server.addr.port}` }],
      intervalMs: 20,
      onRecord: (record) => seen.push(record),
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const stats = await scraper.stop();
    const again = await scraper.stop();
    assert.ok(stats.scrapes >= 3, `scrapes ${stats.scrapes}`);
    assert.equal(seen.length, stats.scrapes);
    assert.equal(again.ticks, stats.ticks, "nothing ticks after stop()");
  } finally {
    await server.shutdown();
  }
});

Deno.test("Scraper rejects duplicate target names and bad URLs with a clear TypeError", async () => {
  const { Scraper } = await import("../../lib/prom/mod.ts");
  assert.throws(
    () =>
      new Scraper({
        targets: [{ name: "a", url: "http://127.0.0.1:1" }, { name: "a", url: "http://127.0.0.1:2" }],
      }),
    /Duplicate scraper target name 'a'/,
  );
  assert.throws(() => new Scraper({ targets: [{ name: "a", url: "localhost:80" }] }), TypeError);
  assert.throws(() => new Scraper({ targets: [], intervalMs: 0 }), RangeError);
});
