// Goal: parsePrometheusText/parsePrometheusFamilies read the 0.0.4 text format exactly: they round-trip
// our own Registry output (counters, gauges, histograms, labels and HELP with escaping, special values)
// and reject malformed input with a SyntaxError that names the line.
// Method: render registries, parse, compare values and re-rendered series keys with the raw lines;
// hand-written exposition text for the cases our Registry never emits.
import assert from "node:assert/strict";
import {
  parsePrometheusFamilies,
  parsePrometheusMetrics,
  parsePrometheusText,
  parseSeriesKey,
  Registry,
  seriesKey,
} from "../../lib/prom/mod.ts";

const NASTY = 'back\\slash "quoted"\nnew line, comma={x}';

function exampleRegistry(): Registry {
  const registry = new Registry();
  const requests = registry.counter({
    name: "rb:requests",
    help: "Requests\\served\nper backend",
    labelNames: ["backend", "kind"],
  });
  requests.labels({ backend: "http://127.0.0.1:8001", kind: "ok" }).inc(3);
  requests.labels({ backend: NASTY, kind: "" }).inc(0.5);
  const running = registry.gauge({
    name: "vllm:num_requests_running",
    help: "Running",
    labelNames: ["engine", "model_name"],
  });
  running.labels({ engine: "0", model_name: "m" }).set(7);
  running.labels({ engine: "1", model_name: "m" }).set(-2.5e-7);
  const special = registry.gauge({ name: "rb_special", help: "Special values", labelNames: ["v"] });
  special.labels({ v: "nan" }).set(NaN);
  special.labels({ v: "pinf" }).set(Infinity);
  special.labels({ v: "ninf" }).set(-Infinity);
  registry.gauge({ name: "rb_plain", help: "" }).labels({}).set(1);
  const ttft = registry.histogram({
    name: "vllm:time_to_first_token_seconds",
    help: "TTFT",
    labelNames: ["model_name"],
    buckets: [0.001, 0.5, 1, 2.5],
  });
  for (const value of [0.0005, 0.2, 0.7, 3, 100]) ttft.labels({ model_name: "m" }).observe(value);
  ttft.labels({ model_name: NASTY }).observe(1);
  return registry;
}

Deno.test("parsePrometheusFamilies() round-trips a Registry: types, help, family names and sample counts", () => {
  const families = parsePrometheusFamilies(exampleRegistry().render());
  const byName = new Map(families.map((family) => [family.name, family]));
  assert.equal(byName.get("rb:requests_total")?.type, "counter");
  assert.equal(byName.get("rb:requests_total")?.help, "Requests\\served\nper backend");
  assert.deepEqual(byName.get("rb:requests_total")?.samples.map((s) => s.name), [
    "rb:requests_total",
    "rb:requests_total",
  ]);
  assert.equal(byName.get("rb:requests_created")?.help, "Requests\\served\nper backend");
  assert.equal(byName.get("rb:requests_created")?.type, "gauge");
  assert.equal(byName.get("vllm:num_requests_running")?.type, "gauge");
  const ttft = byName.get("vllm:time_to_first_token_seconds");
  assert.equal(ttft?.type, "histogram");
  // 2 label sets × (5 buckets + sum + count)
  assert.equal(ttft?.samples.length, 14);
  assert.ok(
    ttft?.samples.every((s) => s.family === "vllm:time_to_first_token_seconds" && s.type === "histogram"),
  );
});

Deno.test("parsePrometheusText() round-trips label escaping and special values of a Registry", () => {
  const samples = parsePrometheusText(exampleRegistry().render());
  const nasty = samples.find((s) => s.name === "rb:requests_total" && s.labels.kind === "");
  assert.equal(nasty?.labels.backend, NASTY);
  assert.equal(nasty?.value, 0.5);
  const special = Object.fromEntries(
    samples.filter((s) => s.name === "rb_special").map((s) => [s.labels.v, s.value]),
  );
  assert.ok(Number.isNaN(special.nan));
  assert.equal(special.pinf, Infinity);
  assert.equal(special.ninf, -Infinity);
  const tiny = samples.find((s) => s.name === "vllm:num_requests_running" && s.labels.engine === "1");
  assert.equal(tiny?.value, -2.5e-7);
  assert.deepEqual(samples.find((s) => s.name === "rb_plain")?.labels, {});
});

Deno.test("seriesKey() re-renders every sample of a Registry exactly as exposed", () => {
  const text = exampleRegistry().render();
  const exposed = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.slice(0, line.lastIndexOf(" ")));
  const keys = parsePrometheusText(text).map((s) => seriesKey(s.name, s.labels));
  assert.deepEqual(keys, exposed);
  for (const key of keys) {
    const { name, labels } = parseSeriesKey(key);
    assert.equal(seriesKey(name, labels), key);
  }
  const metrics = parsePrometheusMetrics(text);
  assert.equal(metrics['vllm:time_to_first_token_seconds_bucket{model_name="m",le="+Inf"}'], 5);
  assert.equal(metrics['vllm:num_requests_running{engine="0",model_name="m"}'], 7);
});

Deno.test("parsePrometheusText() reads timestamps, comments, blanks, CRLF, trailing commas and untyped lines", () => {
  const text = [
    "# a free comment",
    "",
    "  # HELP http_requests_total The total number of HTTP requests.",
    "# TYPE http_requests_total counter",
    'http_requests_total{method="post",code="200",} 1027 1395066363000',
    'http_requests_total { method = "post" , code="400" }    3   1395066363000\r',
    "\t",
    "untyped_metric -1e3",
    "inf_words Inf",
    "neg -inf",
    "nan_word nan",
    'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
    "# TYPE rpc_duration_seconds summary",
    'rpc_duration_seconds{quantile="0.5"} 4773',
    "rpc_duration_seconds_sum 1.7560473e+07",
    "rpc_duration_seconds_count 2693",
  ].join("\n");
  const samples = parsePrometheusText(text);
  assert.equal(samples.length, 10);
  assert.deepEqual(samples[0], {
    name: "http_requests_total",
    labels: { method: "post", code: "200" },
    value: 1027,
    type: "counter",
    family: "http_requests_total",
    timestampMs: 1395066363000,
  });
  assert.deepEqual(samples[1]?.labels, { method: "post", code: "400" });
  assert.equal(samples[1]?.value, 3);
  assert.equal(samples[2]?.type, "untyped");
  assert.equal(samples[2]?.value, -1000);
  assert.equal(samples[3]?.value, Infinity);
  assert.equal(samples[4]?.value, -Infinity);
  assert.ok(Number.isNaN(samples[5]?.value));
  assert.deepEqual(samples[6]?.labels, { path: "C:\\DIR\\FILE.TXT", error: 'Cannot find file:\n"FILE.TXT"' });
  assert.deepEqual(samples.slice(7).map((s) => [s.family, s.type]), [
    ["rpc_duration_seconds", "summary"],
    ["rpc_duration_seconds", "summary"],
    ["rpc_duration_seconds", "summary"],
  ]);
});

Deno.test("parsePrometheusText() assigns a histogram named *_total (vllm:iteration_tokens_total) to its family", () => {
  const text = [
    "# TYPE vllm:iteration_tokens_total histogram",
    'vllm:iteration_tokens_total_bucket{le="1.0"} 0',
    'vllm:iteration_tokens_total_bucket{le="+Inf"} 2',
    "vllm:iteration_tokens_total_sum 9",
    "vllm:iteration_tokens_total_count 2",
  ].join("\n");
  assert.ok(
    parsePrometheusText(text).every((s) =>
      s.family === "vllm:iteration_tokens_total" && s.type === "histogram"
    ),
  );
});

Deno.test("parsePrometheusText() throws a SyntaxError naming the line for malformed input", () => {
  const cases: [string, RegExp][] = [
    ["ok 1\nbad_value abc", /line 2: bad value 'abc'/],
    ['x{a="b} 1', /line 1: unterminated value of label 'a'/],
    ['x{a="\\t"} 1', /line 1: invalid escape sequence '\\t'/],
    ["# TYPE x histogramm", /line 1: unknown metric type 'histogramm'/],
    ["# TYPE x gauge\n# TYPE x gauge", /line 2: second TYPE line for 'x'/],
    ["x 1\n# TYPE x gauge", /line 2: TYPE line for 'x' after its samples/],
    ['x{a="1",a="2"} 1', /line 1: duplicate label 'a'/],
    ["x 1 12.5", /line 1: bad timestamp '12.5'/],
    ["x", /line 1: missing value for 'x'/],
    ["x 1 2 3", /line 1: unexpected text after the timestamp/],
    ["1x 1", /line 1: invalid metric name '1x'/],
    ['x{1a="b"} 1', /line 1: invalid label name/],
    ['x{a "b"} 1', /line 1: expected '=' after label 'a'/],
    ['x{a="b" c="d"} 1', /line 1: expected ',' or '}' after label 'a'/],
    ["# HELP x bad \\q escape", /line 1: invalid escape sequence '\\q' in HELP/],
    ["\n\nx 0x10", /line 3: bad value '0x10'/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parsePrometheusText(text), (error: unknown) => {
      assert.ok(error instanceof SyntaxError, `${JSON.stringify(text)} threw ${error}`);
      assert.match(error.message, /^Cannot parse metrics line \d+: /);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("parseSeriesKey() rejects text after the label set", () => {
  assert.throws(() => parseSeriesKey('x{a="b"} 1'), SyntaxError);
  assert.deepEqual(parseSeriesKey("x"), { name: "x", labels: {} });
});
