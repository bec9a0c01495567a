// Goal: efficiencyPareto() plots tokens/s/GPU vs tokens/s/user and marks each deployment's Pareto
// front; paretoFront() is correct. Method: hand-made points and the fixture concurrency sweep.
import assert from "node:assert/strict";
import { efficiencyPareto, paretoFront } from "../../lib/viz/efficiency_pareto.ts";
import { concurrencySweepRows } from "../../lib/viz/results_csv.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("paretoFront() keeps exactly the points no other point beats on both axes", () => {
  const points = [{ x: 1, y: 5 }, { x: 2, y: 4 }, { x: 1.5, y: 3 }, { x: 3, y: 1 }, { x: 3, y: 0.5 }];
  assert.deepEqual(paretoFront(points), [0, 1, 3]);
});

Deno.test("efficiencyPareto() draws front lines, all runs as dots and per-GPU axes", async () => {
  const { serveCsv } = await fixturePaths();
  const figure = efficiencyPareto(concurrencySweepRows(serveCsv));
  const dom = svgDom(figure);
  assert.equal(dom.marks("line").length, 2);
  assert.equal(dom.marks("dot").length, 14);
  const texts = dom.texts();
  assert.ok(texts.includes("Output tokens/s per GPU"));
  assert.ok(texts.includes("Output tokens/s per user"));
  assert.ok(texts.includes("Pareto front"));
  const front = figure.data.filter((d) => d.onFront);
  for (const p of front) {
    const dominated = figure.data.some((q) =>
      q.series === p.series && (q.tokensPerSPerUser as number) > (p.tokensPerSPerUser as number) &&
      (q.tokensPerSPerGpu as number) > (p.tokensPerSPerGpu as number)
    );
    assert.ok(!dominated);
  }
});
