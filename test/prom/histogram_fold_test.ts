// Goal: foldHistograms() rebuilds one histogram per label set from parsed samples and from timeseries
// metrics maps, and the readers (mean, quantile, merge) handle the edge cases: empty histograms, a
// histogram with only the +Inf bucket, buckets out of le order, NaN values, bad le labels.
// Method: Registry-rendered histograms with known observations, and hand-written exposition text.
import assert from "node:assert/strict";
import {
  foldHistograms,
  histogramMean,
  histogramQuantile,
  mergeHistograms,
  parsePrometheusMetrics,
  parsePrometheusText,
  Registry,
} from "../../lib/prom/mod.ts";

Deno.test("foldHistograms() rebuilds buckets, sum and count per label set from a Registry", () => {
  const registry = new Registry();
  const h = registry.histogram({
    name: "lat_seconds",
    help: "h",
    labelNames: ["engine"],
    buckets: [0.1, 1, 10],
  });
  for (const value of [0.05, 0.5, 0.5, 5, 50]) h.labels({ engine: "0" }).observe(value);
  h.labels({ engine: "1" }).observe(2);
  const text = registry.render();
  for (const input of [parsePrometheusText(text), parsePrometheusMetrics(text)]) {
    const [zero, one, ...rest] = foldHistograms(input);
    assert.equal(rest.length, 0);
    assert.deepEqual(zero, {
      name: "lat_seconds",
      labels: { engine: "0" },
      buckets: [{ le: 0.1, count: 1 }, { le: 1, count: 3 }, { le: 10, count: 4 }, { le: Infinity, count: 5 }],
      sum: 56.05,
      count: 5,
    });
    assert.deepEqual(one?.labels, { engine: "1" });
    assert.equal(one?.count, 1);
    assert.equal(histogramMean(zero!), 56.05 / 5);
  }
});

Deno.test("foldHistograms() gives an empty series for a labelled histogram without observations", () => {
  const registry = new Registry();
  registry.histogram({ name: "empty_seconds", help: "h", labelNames: ["m"], buckets: [1, 2] }).labels({
    m: "x",
  });
  registry.histogram({ name: "never_seconds", help: "no children", buckets: [1] });
  const [series, ...rest] = foldHistograms(parsePrometheusText(registry.render()));
  assert.equal(rest.length, 0, "a histogram family without children has no series");
  assert.deepEqual(series?.buckets.map((b) => b.count), [0, 0, 0]);
  assert.equal(series?.count, 0);
  assert.ok(Number.isNaN(histogramMean(series!)));
  assert.ok(Number.isNaN(histogramQuantile(series!, 0.5)));
});

Deno.test("foldHistograms() handles a histogram with only the +Inf bucket", () => {
  const registry = new Registry();
  const h = registry.histogram({ name: "only_inf", help: "h", buckets: [] });
  h.labels({}).observe(3);
  h.labels({}).observe(4);
  const [series] = foldHistograms(parsePrometheusText(registry.render()));
  assert.deepEqual(series?.buckets, [{ le: Infinity, count: 2 }]);
  assert.equal(histogramMean(series!), 3.5);
  assert.ok(Number.isNaN(histogramQuantile(series!, 0.5)), "no finite bound to report");
});

Deno.test("foldHistograms() sorts buckets by numeric le, not by text, and takes count from +Inf when _count is absent", () => {
  const text = [
    'h_bucket{le="+Inf",a="x"} 10',
    'h_bucket{le="10",a="x"} 9',
    'h_bucket{le="2.5",a="x"} 5',
    'h_bucket{le="1e-3",a="x"} 1',
    'h_sum{a="x"} 20',
  ].join("\n");
  const [series] = foldHistograms(parsePrometheusText(text));
  assert.deepEqual(series?.buckets.map((b) => b.le), [0.001, 2.5, 10, Infinity]);
  assert.equal(series?.count, 10);
  assert.equal(histogramQuantile(series!, 0.5), 2.5);
  assert.equal(histogramQuantile(series!, 0.95), 10, "in the +Inf bucket: the largest finite bound");
  assert.ok(Math.abs(histogramQuantile(series!, 0.7) - 6.25) < 1e-12, "linear inside (2.5, 10]");
});

Deno.test("foldHistograms() keeps NaN sums and counts and readers return NaN for them", () => {
  const text = [
    "# TYPE h histogram",
    'h_bucket{le="1"} NaN',
    'h_bucket{le="+Inf"} NaN',
    "h_sum NaN",
    "h_count NaN",
  ].join("\n");
  const [series] = foldHistograms(parsePrometheusText(text));
  assert.ok(Number.isNaN(series!.sum));
  assert.ok(Number.isNaN(histogramMean(series!)));
  assert.ok(Number.isNaN(histogramQuantile(series!, 0.5)));
});

Deno.test("foldHistograms() rejects bad and duplicate le labels", () => {
  assert.throws(
    () => foldHistograms(parsePrometheusText('h_bucket{le="fast"} 1')),
    /Bad bucket bound le="fast"/,
  );
  assert.throws(
    () => foldHistograms(parsePrometheusText('h_bucket{le="1"} 1\nh_bucket{le="1.0"} 1')),
    /Duplicate bucket le="1.0"/,
  );
});

Deno.test("foldHistograms() ignores _sum/_count of summaries and plain counters", () => {
  const text = [
    "# TYPE rpc summary",
    'rpc{quantile="0.5"} 1',
    "rpc_sum 3",
    "rpc_count 2",
    "requests_count 4",
  ].join("\n");
  assert.deepEqual(foldHistograms(parsePrometheusText(text)), []);
});

Deno.test("mergeHistograms() adds buckets across engines and keeps the shared labels", () => {
  const merged = mergeHistograms([
    {
      name: "h",
      labels: { engine: "0", model: "m" },
      buckets: [{ le: 1, count: 1 }, { le: Infinity, count: 2 }],
      sum: 3,
      count: 2,
    },
    {
      name: "h",
      labels: { engine: "1", model: "m" },
      buckets: [{ le: 1, count: 0 }, { le: Infinity, count: 1 }],
      sum: 5,
      count: 1,
    },
  ]);
  assert.deepEqual(merged, {
    name: "h",
    labels: { model: "m" },
    buckets: [{ le: 1, count: 1 }, { le: Infinity, count: 3 }],
    sum: 8,
    count: 3,
  });
  assert.throws(() => mergeHistograms([]), RangeError);
  assert.throws(() => histogramQuantile(merged, 1.5), RangeError);
});
