// Goal: evictionPolicy() shows tree characters per tenant, the threshold and target lines, and KV
// usage on a right axis. Method: the fixture prefix_aware runs.
import assert from "node:assert/strict";
import { evictionPolicy } from "../../lib/viz/eviction_policy.ts";
import { fixturePaths, svgDom } from "./_helpers.ts";

Deno.test("evictionPolicy() draws tenant lines, KV lines, threshold and target from config.json", async () => {
  const { prefixRun, pow2Run } = await fixturePaths();
  const dom = svgDom(evictionPolicy(prefixRun));
  assert.equal(dom.marks("line").length, 8);
  assert.equal(dom.marks("rule").length, 3);
  const texts = dom.texts();
  for (
    const label of [
      "threshold 12,000 chars",
      "target 8,000 chars",
      "KV cache usage (%)",
      "Prefix-tree characters",
      "100%",
      "engine-2",
    ]
  ) {
    assert.ok(texts.includes(label), `missing ${label}`);
  }
  assert.throws(() => evictionPolicy(pow2Run), /no routebench_router_tree_chars/);
});

Deno.test("evictionPolicy() takes threshold and target from options", async () => {
  const { prefixRun } = await fixturePaths();
  const texts = svgDom(evictionPolicy(prefixRun, { thresholdChars: 5000, targetChars: 4000 })).texts();
  assert.ok(texts.includes("threshold 5,000 chars"));
  assert.ok(texts.includes("target 4,000 chars"));
});
