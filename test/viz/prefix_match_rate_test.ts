// Goal: prefixMatchRate() plots windowed match rates per replica and overall, from the decision
// log or from engine cache counters. Method: fixture runs and a hand-made run.
import assert from "node:assert/strict";
import { defaultWindowS, prefixMatchRate } from "../../lib/viz/prefix_match_rate.ts";
import { runFromParts } from "../../lib/viz/run_folder.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("prefixMatchRate() draws a line per replica and an overall line from the decision log", async () => {
  const { prefixRun } = await fixturePaths();
  const figure = prefixMatchRate(prefixRun);
  const dom = svgDom(figure);
  assert.equal(dom.marks("line").length, 5);
  const texts = dom.texts();
  assert.ok(texts.includes("Prefix match rate"));
  assert.ok(texts.includes("100%"));
  assert.match(figure.spec.subtitle!, /Overall: \d+\.\d%/);
  assert.match(figure.spec.notes![0]!, /router decision log/);
});

Deno.test("prefixMatchRate() averages match_rate per window and replica", () => {
  const decisions = [
    { t_ms: 0, request_id: "a", strategy: "s", branch: "b", chosen: "http://h:1", match_rate: 0.2 },
    { t_ms: 500, request_id: "b", strategy: "s", branch: "b", chosen: "http://h:1", match_rate: 0.4 },
    { t_ms: 1500, request_id: "c", strategy: "s", branch: "b", chosen: "http://h:2", match_rate: 1 },
  ];
  const figure = prefixMatchRate(runFromParts({ id: "d", decisions }), { windowS: 1 });
  const one = figure.data.filter((d) => d.replica === ":1");
  assert.equal(one.length, 1);
  assert.ok(Math.abs((one[0]!.value as number) - 0.3) < 1e-12);
});

Deno.test("prefixMatchRate({source: 'engine'}) uses the engines' prefix-cache counters", async () => {
  const { pow2Run } = await fixturePaths();
  const figure = prefixMatchRate(pow2Run, { source: "engine" });
  assert.match(figure.spec.notes![0]!, /vllm:prefix_cache_hits_total/);
  assert.ok(figure.data.every((d) => (d.value as number) >= 0 && (d.value as number) <= 1));
  assert.equal(defaultWindowS(6000), 1);
  assert.equal(defaultWindowS(300_000), 10);
});
