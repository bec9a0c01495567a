/**
 * Goal: mooncake replay builds prompts whose shared hash-id prefixes are byte-identical and whose
 * token blocks line up with the trace's 512-token blocks; arrival times follow the trace.
 * Method: hand-made rows for exact checks (countTokens, tokenize + blockHashes); the real trace in
 * ../shared/data/mooncake for lengths (skipped when absent).
 */
import assert from "node:assert/strict";
import { blockHashes } from "../../lib/core/block_hash.ts";
import { countTokens, tokenize } from "../../lib/core/tokens.ts";
import { BlockTexts, mooncakeWorkloadFromRows } from "../../lib/workload/mooncake.ts";
import { loadMooncakeTrace, parseMooncakeTrace } from "../../lib/workload/mooncake_trace.ts";
import { SHARED_DATA, sharedData } from "./_data.ts";

Deno.test("BlockTexts.text() is exactly blockSize tokens for every id, and a partial block is its prefix", () => {
  const blocks = new BlockTexts(512);
  for (const id of [0, 1, 2, 77, 123456, 2 ** 40]) {
    assert.equal(countTokens(blocks.text(id)), 512, `id ${id}`);
    assert.ok(blocks.text(id).startsWith(blocks.text(id, 100)));
    assert.equal(countTokens(blocks.text(id, 100)), 100);
  }
  assert.notEqual(blocks.text(1), blocks.text(2));
});

Deno.test("mooncakeWorkloadFromRows() gives byte-identical prompt prefixes exactly where hash_ids agree", () => {
  const rows = parseMooncakeTrace(
    [
      { timestamp: 100, input_length: 1536, output_length: 5, hash_ids: [1, 2, 3] },
      { timestamp: 350, input_length: 1536, output_length: 7, hash_ids: [1, 2, 9] },
      { timestamp: 400, input_length: 600, output_length: 1, hash_ids: [1, 8] },
      { timestamp: 900, input_length: 512, output_length: 3, hash_ids: [4] },
    ].map((r) => JSON.stringify(r)).join("\n"),
    "test",
  );
  const { requests } = mooncakeWorkloadFromRows(rows, { speedup: 2 });
  assert.deepEqual(requests.map((r) => r.arrivalMs), [0, 125, 150, 400]);
  assert.deepEqual(requests.map((r) => r.promptTokens), [1536, 1536, 600, 512]);
  const [a, b, c, d] = requests.map((r) => r.prompt!);
  for (const r of requests) assert.equal(countTokens(r.prompt!), r.promptTokens);
  const common = (x: string, y: string) => {
    let i = 0;
    while (i < x.length && x[i] === y[i]) i++;
    return x.slice(0, i);
  };
  // a and b share blocks 1,2 exactly: their common text is 1024 tokens plus at most part of a word.
  assert.equal(tokenize(common(a!, b!)).length >= 1024, true);
  assert.ok(countTokens(common(a!, b!)) <= 1025);
  assert.ok(countTokens(common(a!, c!)) >= 512 && countTokens(common(a!, c!)) <= 513);
  assert.ok(countTokens(common(a!, d!)) <= 1);
  // Token blocks line up: the chained block hashes agree exactly on the shared ids.
  const ha = blockHashes(tokenize(a!), 512);
  const hb = blockHashes(tokenize(b!), 512);
  const hc = blockHashes(tokenize(c!), 512);
  assert.deepEqual(hb.slice(0, 2), ha.slice(0, 2));
  assert.notEqual(hb[2], ha[2]);
  assert.equal(hc[0], ha[0]);
  assert.notEqual(hc[1], ha[1]);
});

Deno.test({
  name: "mooncakeWorkload() matches the trace's input lengths on ../shared/data/mooncake",
  ignore: SHARED_DATA === undefined,
  fn() {
    const rows = loadMooncakeTrace(sharedData("mooncake/synthetic_trace.jsonl"));
    const { requests, info } = mooncakeWorkloadFromRows(rows, { numPrompts: 200 });
    assert.equal(requests.length, 200);
    let matched = 0;
    for (let i = 0; i < requests.length; i++) {
      if (requests[i]!.promptTokens === rows[i]!.input_length) matched++;
      assert.equal(countTokens(requests[i]!.prompt!), requests[i]!.promptTokens);
    }
    assert.equal(matched, 200 - Number(info!.input_length_adjusted));
    assert.ok(matched >= 190, `matched ${matched}`);
  },
});

Deno.test("parseMooncakeTrace() names the line of a bad row", () => {
  assert.throws(
    () =>
      parseMooncakeTrace(
        '{"timestamp":0,"input_length":1,"output_length":1,"hash_ids":[1]}\n{"timestamp":"x"}',
        "t.jsonl",
      ),
    /t\.jsonl' line 2/,
  );
});
