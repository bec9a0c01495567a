// Goal: the concurrency plots draw one line per deployment over the concurrency levels (Dynamo's
// plots). Method: fixture concurrency-sweep rows.
import assert from "node:assert/strict";
import { itlVsConcurrency, throughputVsConcurrency, ttftVsConcurrency } from "../../lib/viz/concurrency.ts";
import { concurrencySweepRows } from "../../lib/viz/results_csv.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("itlVsConcurrency(), ttftVsConcurrency() and throughputVsConcurrency() draw a line per deployment", async () => {
  const { serveCsv } = await fixturePaths();
  const rows = concurrencySweepRows(serveCsv);
  for (
    const [make, label] of [[itlVsConcurrency, "Median ITL (ms)"], [ttftVsConcurrency, "Mean TTFT (ms)"], [
      throughputVsConcurrency,
      "Request throughput (req/s)",
    ]] as const
  ) {
    const figure = make(rows);
    const dom = svgDom(figure);
    assert.equal(dom.marks("line").length, 2);
    const texts = dom.texts();
    assert.ok(texts.includes(label), `missing ${label}`);
    assert.ok(texts.includes("Concurrency (requests in flight per client)"));
    for (const tick of ["1", "8", "64"]) assert.ok(texts.includes(tick), `missing tick ${tick}`);
    assert.equal(figure.data.length, 14);
  }
});
