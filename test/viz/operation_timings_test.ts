// Goal: operationTimings() draws one log–log line per operation. Method: hand-made timings.
import assert from "node:assert/strict";
import { operationTimings } from "../../lib/viz/operation_timings.ts";
import { svgDom } from "./_helpers.ts";

Deno.test("operationTimings() draws a line per operation with µs and size axes", () => {
  const rows = ["insert", "prefixMatch", "evictTenantByLru"].flatMap((operation, i) =>
    [1e4, 1e5, 1e6].map((size) => ({ operation, size, usPerOp: (i + 1) * Math.log10(size) }))
  );
  const dom = svgDom(operationTimings(rows));
  assert.equal(dom.marks("line").length, 3);
  const texts = dom.texts();
  for (const label of ["Time per operation (µs)", "Tree size (characters)", "insert", "evictTenantByLru"]) {
    assert.ok(texts.includes(label), `missing ${label}`);
  }
  assert.throws(() => operationTimings([]), /no measurements/);
});
