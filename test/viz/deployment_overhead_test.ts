// Goal: deploymentOverhead() breaks the router's time per request down by phase. Method: fixture
// run with phase histograms; a run with only decision_us.
import assert from "node:assert/strict";
import { deploymentOverhead } from "../../lib/viz/deployment_overhead.ts";
import { runFromParts } from "../../lib/viz/run_folder.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("deploymentOverhead() draws a bar per phase in request order with p50/p99 ticks", async () => {
  const { pow2Run } = await fixturePaths();
  const figure = deploymentOverhead(pow2Run);
  const dom = svgDom(figure);
  assert.equal(dom.marks("bar").length, 4);
  assert.deepEqual(figure.data.map((d) => d.phase), ["parse", "select", "connect", "first_byte"]);
  assert.ok(dom.texts().includes("Time per request (ms)"));
  for (const row of figure.data) assert.ok((row.p50Ms as number) <= (row.p99Ms as number));
});

Deno.test("deploymentOverhead() falls back to decision_us from the decision log", () => {
  const decisions = [10, 20, 30].map((us, i) => ({
    t_ms: i,
    request_id: `${i}`,
    strategy: "s",
    branch: "b",
    chosen: "x",
    decision_us: us,
  }));
  const figure = deploymentOverhead(runFromParts({ id: "d", decisions }));
  assert.equal(figure.data.length, 1);
  assert.equal(figure.data[0]!.meanMs, 0.02);
  assert.throws(() => deploymentOverhead(runFromParts({ id: "e" })), /no routebench_router_phase_seconds/);
});
