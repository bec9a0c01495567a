/**
 * Goal: the default `conversations` workload is seeded, shaped like the Ray ShareGPT split (growing
 * pieces whose texts are prefixes of each other, output lengths in range) and shares prefixes at
 * the level the Ray write-up reports.
 * Method: build workloads, compare seeds, check prefix relations and counts directly.
 */
import assert from "node:assert/strict";
import { createRng } from "../../lib/core/rng.ts";
import { countTokens } from "../../lib/core/tokens.ts";
import { createWorkload } from "../../lib/workload/create_workload.ts";

Deno.test("createWorkload('conversations') is deterministic for a seed and differs across seeds", () => {
  const a = createWorkload({ name: "conversations", numPrompts: 50 }, createRng(1));
  const b = createWorkload({ name: "conversations", numPrompts: 50 }, createRng(1));
  const c = createWorkload({ name: "conversations", numPrompts: 50 }, createRng(2));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.requests.map((r) => r.prompt), c.requests.map((r) => r.prompt));
});

Deno.test("createWorkload('conversations') builds growing pieces that share their conversation's prefix", () => {
  const { requests, info } = createWorkload({ name: "conversations", numPrompts: 1000 }, createRng(42));
  assert.equal(requests.length, 1000);
  const bySession = new Map<string, typeof requests>();
  for (const r of requests) {
    assert.ok(r.outputTokens >= 10 && r.outputTokens <= 200);
    assert.equal(r.promptTokens, countTokens(r.prompt!));
    assert.equal(r.messages!.length % 2, 0, "every piece ends with an assistant reply");
    assert.equal(r.messages![0]!.role, "user");
    bySession.set(r.sessionId!, [...(bySession.get(r.sessionId!) ?? []), r]);
  }
  for (const group of bySession.values()) {
    group.sort((x, y) => x.messages!.length - y.messages!.length);
    for (let i = 1; i < group.length; i++) assert.ok(group[i]!.prompt!.startsWith(group[i - 1]!.prompt!));
  }
  // Ray: "max-conversations=10K, num-prompts=1K → about 333 unique groups, ~3 prompts per group".
  assert.ok(bySession.size > 280 && bySession.size < 340, `groups ${bySession.size}`);
  assert.equal(info!.conversations, 340);
  const meanPrompt = requests.reduce((s, r) => s + r.promptTokens, 0) / requests.length;
  assert.ok(meanPrompt > 1000 && meanPrompt < 3500, `mean prompt ${meanPrompt}`);
});

Deno.test("createWorkload('conversations') validates its parameters", () => {
  assert.throws(
    () => createWorkload({ name: "conversations", minOutputLen: 5, maxOutputLen: 2 }, createRng(1)),
    RangeError,
  );
  assert.throws(
    () => createWorkload({ name: "conversations", maxConversations: 0 }, createRng(1)),
    RangeError,
  );
  assert.throws(() => createWorkload({ name: "nope" } as never, createRng(1)), TypeError);
});
