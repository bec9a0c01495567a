// Goal: routingMatches() counts intended vs final decisions per replica as a table. Method: a
// hand-made decision log with known mismatches, and a fixture run.
import assert from "node:assert/strict";
import { routingMatches } from "../../lib/viz/routing_matches.ts";
import { runFromParts } from "../../lib/viz/run_folder.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("routingMatches() counts intended, final and matched decisions per replica", () => {
  const d = (chosen: string, intended?: string) => ({
    t_ms: 0,
    request_id: "r",
    strategy: "s",
    branch: "prefix_match",
    chosen,
    ...(intended ? { intended } : {}),
  });
  const run = runFromParts({
    id: "m",
    decisions: [d("http://h:1"), d("http://h:1", "http://h:2"), d("http://h:2")],
  });
  const figure = routingMatches(run);
  const row = (replica: string) => figure.data.find((r) => r.replica === replica)!;
  assert.deepEqual(row(":1"), {
    replica: ":1",
    intended: 1,
    final: 2,
    matched: 1,
    rerouted: 1,
    matchRate: "50.0%",
  });
  assert.deepEqual(row("all"), {
    replica: "all",
    intended: 3,
    final: 3,
    matched: 2,
    rerouted: 1,
    matchRate: "66.7%",
  });
  assert.match(figure.toHtml(), /<th[^>]*>Intended<\/th>/);
});

Deno.test("routingMatches() renders its table as SVG for the report", async () => {
  const { pow2Run } = await fixturePaths();
  const texts = svgDom(routingMatches(pow2Run)).texts();
  for (const label of ["Replica", "Intended", "Final", "Matched", "engine-0", "all"]) {
    assert.ok(texts.includes(label), `missing ${label}`);
  }
  assert.throws(() => routingMatches(runFromParts({ id: "x" })), /no decisions/);
});
