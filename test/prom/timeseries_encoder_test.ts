// Goal: TimeseriesJsonlEncoder writes exactly the bytes of formatTimeseriesRecord (JSON.stringify) lines,
// whatever changes between samples: values (including non-finite, -0, exponents), the key set, targets,
// escaped and non-ASCII keys, error records.
// Method: encode record sequences and compare with the UTF-8 of the JSON.stringify lines; one sequence
// is real engine metrics sampled from a VirtualCluster while a request runs.
import assert from "node:assert/strict";
import { formatTimeseriesRecord, type TimeseriesRecord } from "../../lib/prom/mod.ts";
import { TimeseriesJsonlEncoder } from "../../lib/prom/timeseries_encoder.ts";
import { Registry, SeriesColumns } from "../../lib/prom/mod.ts";
import { VirtualClock } from "../../lib/core/clock.ts";
import { VirtualCluster } from "../../lib/cluster/virtual_cluster.ts";

function assertSameBytes(records: TimeseriesRecord[]): void {
  const encoder = new TimeseriesJsonlEncoder();
  for (const record of records) encoder.append(record);
  const expected = new TextEncoder().encode(records.map((r) => `${formatTimeseriesRecord(r)}\n`).join(""));
  assert.equal(new TextDecoder().decode(encoder.bytes()), new TextDecoder().decode(expected));
  assert.deepEqual(encoder.bytes(), expected);
  assert.equal(encoder.linesWritten, records.length);
  encoder.release();
}

Deno.test("TimeseriesJsonlEncoder.append matches JSON.stringify as values, keys and targets change", () => {
  const odd = 'we"ird\\key{l="ä\n"}';
  const records: TimeseriesRecord[] = [
    { t_ms: 1000, target: "engine-0", metrics: { a: 0, b: 1.5, [odd]: NaN, c: 3 } },
    { t_ms: 1100, target: "engine-0", metrics: { a: 0, b: 1.5, [odd]: NaN, c: 4 } },
    { t_ms: 1100, target: "router-ü", metrics: { x: Infinity, y: -0, z: 1e21 } },
    { t_ms: 1200, target: "engine-0", metrics: { a: 2, b: 1.5, [odd]: 7, c: 4 } },
    { t_ms: 1200, target: "router-ü", metrics: { x: -Infinity, y: -0, z: 1.2345678901234567e-308 } },
    { t_ms: 1300, target: "engine-0", metrics: { a: 2, b: 1.5, [odd]: 7, c: 4 } },
    { t_ms: 1400, target: "engine-0", metrics: { b: 1.5, a: 2, "10": 1, c: 4 } },
    { t_ms: 1500, target: "engine-0", metrics: {}, error: "timeout after 50 ms" },
    { t_ms: 1600, target: "engine-0", metrics: { b: 9, a: 2, "10": 1, c: 4 } },
    { t_ms: 1700, target: "engine-0", metrics: { b: 9, a: 2, "10": 1, c: NaN } },
  ];
  assertSameBytes(records);
});

Deno.test("TimeseriesJsonlEncoder.append matches JSON.stringify on sampled VirtualCluster metrics", () => {
  const clock = new VirtualClock();
  const cluster = new VirtualCluster({
    clock,
    model: "m",
    engines: [{ profile: "qwen2.5-1.5b-l4", speedupRatio: 1, options: {} }],
    strategy: "round_robin",
    seed: 1,
    epochOffsetMs: 1_700_000_000_000,
  });
  const records: TimeseriesRecord[] = [];
  const sample = () => {
    records.push(...cluster.sampleMetrics());
    if (records.length < 40) clock.setTimer(clock.nowMs() + 100, sample);
  };
  sample();
  const prompt = "hello world ".repeat(50);
  const body = JSON.stringify({ model: "m", prompt, max_tokens: 40, stream: true });
  let finished = false;
  const request = { id: "r0", prompt, promptTokens: 100, outputTokens: 40 };
  cluster.transport("completions").send(body, () => finished = true, request);
  clock.runWhile(() => records.length < 40);
  cluster.close();
  assert.ok(finished, "the request completed while sampling");
  assertSameBytes(records);
});

Deno.test("TimeseriesJsonlEncoder.appendColumns writes what append writes, as series appear and vanish", () => {
  const registry = new Registry();
  const requests = registry.counter({ name: "requests", help: "h", labelNames: ["kind"] });
  const running = registry.gauge({ name: "running", help: "h" }).labels({});
  const latency = registry.histogram({ name: "latency_seconds", help: "h", buckets: [0.1, 1] }).labels({});
  const columns = new SeriesColumns();
  const byColumns = new TimeseriesJsonlEncoder();
  const records: TimeseriesRecord[] = [];
  const steps: Array<() => void> = [
    () => running.set(1),
    () => requests.labels({ kind: "ok" }).inc(), // a series appears
    () => latency.observe(0.5),
    () => {},
    () => requests.labels({ kind: "error" }).inc(2), // another appears
    () => running.set(NaN),
    () => requests.clear(), // both vanish
    () => running.set(3),
  ];
  steps.forEach((step, index) => {
    step();
    registry.collectInto(columns);
    byColumns.appendColumns(1000 + 100 * index, "engine-0", columns);
    records.push({ t_ms: 1000 + 100 * index, target: "engine-0", metrics: registry.collect() });
  });
  assert.equal(new Set(records.map((record) => Object.keys(record.metrics).length)).size, 3);
  const byRecords = new TimeseriesJsonlEncoder();
  for (const record of records) byRecords.append(record);
  assert.equal(new TextDecoder().decode(byColumns.bytes()), new TextDecoder().decode(byRecords.bytes()));
  assertSameBytes(records);
});
