/**
 * Goal: the `sharegpt` loader accepts every format variant in ../shared/data/sharegpt, reports what
 * it skipped, and splits conversations into pieces exactly like the Ray benchmark.
 * Method: parse in-test JSON for the split rules; load the real sample files (skipped with a message
 * when ../shared/data is absent).
 */
import assert from "node:assert/strict";
import { createRng } from "../../lib/core/rng.ts";
import { createWorkload } from "../../lib/workload/create_workload.ts";
import { parseShareGpt, shareGptWorkload } from "../../lib/workload/sharegpt.ts";
import { SHARED_DATA, sharedData } from "./_data.ts";

const HAVE_DATA = SHARED_DATA !== undefined;

const conversation = (id: string, turns: number) => ({
  id,
  conversations: Array.from({ length: turns * 2 }, (_, i) => ({
    from: i % 2 === 0 ? "human" : "gpt",
    value: `${id} message ${i}`,
  })),
});

Deno.test("shareGptWorkload() makes one piece per turn prefix and samples without replacement", () => {
  const data = parseShareGpt(JSON.stringify([conversation("a", 3), conversation("b", 2)]), "test");
  const { requests, info } = shareGptWorkload(data, {
    path: "test",
    numPrompts: 5,
    minOutputLen: 7,
    maxOutputLen: 7,
  }, createRng(3));
  assert.equal(info!.pieces, 5);
  const pieces = requests.map((r) => `${r.sessionId}:${r.messages!.length}`).sort();
  assert.deepEqual(pieces.length, 5);
  assert.equal(new Set(pieces).size, 5, "all five pieces, each once");
  const longest = requests.find((r) => r.messages!.length === 6)!;
  assert.equal(
    longest.prompt,
    "User: a message 0\n\nAssistant: a message 1\n\nUser: a message 2\n\nAssistant: a message 3\n\nUser: a message 4\n\nAssistant: a message 5",
  );
  for (const r of requests) assert.equal(r.outputTokens, 7);
});

Deno.test("shareGptWorkload() picks maxConversations conversations and oversamples only beyond all pieces", () => {
  const data = parseShareGpt(
    JSON.stringify([conversation("a", 2), conversation("b", 2), conversation("c", 2)]),
    "test",
  );
  const one = shareGptWorkload(data, { path: "t", numPrompts: 10, maxConversations: 1 }, createRng(1));
  assert.equal(new Set(one.requests.map((r) => r.sessionId)).size, 1);
  assert.equal(one.info!.sampled_with_replacement, true);
  assert.equal(one.requests.length, 10);
});

Deno.test("parseShareGpt() counts what it skips by reason", () => {
  const data = parseShareGpt(
    JSON.stringify([
      conversation("ok", 1),
      { id: "x" },
      { conversations: [{ from: "robot", value: "hi" }] },
      { conversations: [{ from: "gpt", value: "only a reply" }] },
      { prompt: "single prompt", response: "single reply" },
    ]),
    "test",
  );
  assert.equal(data.conversations.length, 2);
  assert.deepEqual(data.skipped.toJSON(), {
    total: 3,
    byReason: {
      "no conversations/conversation/prompt field": 1,
      "unknown role 'robot'": 1,
      "no user message": 1,
    },
  });
});

Deno.test({
  name: "createWorkload('sharegpt') loads every sample file variant in ../shared/data/sharegpt",
  ignore: !HAVE_DATA,
  fn() {
    const expectTurns: Record<string, number> = {
      "apple_sharegpt_tiny_V4.3.json": 6,
      "axolotl_conversation.json": 6,
      "mlenergy_ShareGPT_V3_filtered_500_firstturn.json": 500,
      "venkat_sharegpt_sample_50.json": 50,
    };
    for (const [file, pieces] of Object.entries(expectTurns)) {
      const workload = createWorkload({
        name: "sharegpt",
        path: sharedData(`sharegpt/${file}`),
        numPrompts: 20,
      }, createRng(0));
      assert.equal(workload.requests.length, 20, file);
      assert.equal(workload.info!.pieces, pieces, file);
      for (const r of workload.requests) {
        assert.ok(r.promptTokens > 0 && r.prompt!.startsWith("User: "), file);
      }
    }
  },
});

Deno.test("createWorkload('sharegpt') names the file when it cannot be read", () => {
  assert.throws(
    () => createWorkload({ name: "sharegpt", path: "/nonexistent/x.json" }, createRng(0)),
    /\/nonexistent\/x\.json/,
  );
});
