// Goal: loadDistribution() draws in-flight load per replica plus the mean, overlaid for 4 replicas
// and as a readable grid for 8. Method: the fixture runs.
import assert from "node:assert/strict";
import { loadDistribution } from "../../lib/viz/load_distribution.ts";
import { loadRun, runFromParts } from "../../lib/viz/run_folder.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("loadDistribution() overlays 4 replica lines and a mean line, with names from config.json", async () => {
  const { pow2Run } = await fixturePaths();
  const dom = svgDom(loadDistribution(pow2Run));
  assert.equal(dom.marks("line").length, 5);
  const texts = dom.texts();
  for (
    const label of [
      "engine-0",
      "engine-3",
      "mean across replicas",
      "Requests in flight",
      "Time since run start (s)",
      "Load per replica (pow2)",
    ]
  ) {
    assert.ok(texts.includes(label), `missing ${label}`);
  }
});

Deno.test("loadDistribution() draws 8 replicas as a grid with the mean repeated in each cell", async () => {
  const { eightRun } = await fixturePaths();
  const figure = loadDistribution(loadRun(eightRun));
  const dom = svgDom(figure);
  assert.equal(dom.all('g[aria-label="frame"]').length >= 8 || dom.marks("frame").length >= 8, true);
  assert.equal(dom.marks("line").length, 16);
  assert.equal(new Set(figure.data.map((d) => d.replica)).size, 8);
});

Deno.test("loadDistribution() falls back to engine running + waiting and rejects runs with neither", () => {
  const lines = [0, 1, 2].map((i) => ({
    t_ms: 1000 + i * 100,
    target: "engine-0",
    metrics: { 'vllm:num_requests_running{engine="0"}': i, 'vllm:num_requests_waiting{engine="0"}': 1 },
  }));
  const figure = loadDistribution(runFromParts({ id: "e", lines }));
  assert.deepEqual(figure.data.map((d) => d.value), [1, 2, 3]);
  assert.match(figure.spec.notes!.join(" "), /no router series/);
  assert.throws(
    () => loadDistribution(runFromParts({ id: "empty" })),
    /no routebench_router_backend_in_flight/,
  );
});
