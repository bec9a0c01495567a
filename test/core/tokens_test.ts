// Goal: the tokenizer is deterministic, prefix-stable, about 4 characters per token on prose, and
// its output words round-trip. Method: tokenize constructed texts and compare id lists.
import assert from "node:assert/strict";
import { countTokens, detokenize, OUTPUT_WORD_IDS, OUTPUT_WORDS, tokenize } from "../../lib/core/tokens.ts";

const PROSE = "The quick brown fox jumps over the lazy dog, and then it runs 123 meters to the river bank.";

Deno.test("tokenize() gives the same ids for the same text", () => {
  assert.deepEqual(tokenize(PROSE), tokenize(String(PROSE)));
});

Deno.test("tokenize() keeps a shared text prefix as a shared token prefix", () => {
  const system = "You are a helpful assistant. Answer briefly and cite sources.\n\n";
  const a = tokenize(`${system}What is the capital of France?`);
  const b = tokenize(`${system}Explain quantum tunnelling to a child.`);
  const shared = tokenize(system).length;
  assert.deepEqual(a.slice(0, shared), b.slice(0, shared));
  assert.notDeepEqual(a.slice(shared), b.slice(shared));
});

Deno.test("countTokens() equals tokenize().length and prose averages 3-5 chars per token", () => {
  assert.equal(countTokens(PROSE), tokenize(PROSE).length);
  const charsPerToken = PROSE.length / countTokens(PROSE);
  assert.ok(charsPerToken > 3 && charsPerToken < 5, `chars per token ${charsPerToken}`);
});

Deno.test("OUTPUT_WORDS are one token each and detokenize() round-trips them", () => {
  for (const word of OUTPUT_WORDS) assert.equal(tokenize(word).length, 1, `'${word}'`);
  const ids = [OUTPUT_WORD_IDS[0]!, OUTPUT_WORD_IDS[5]!, OUTPUT_WORD_IDS[9]!];
  const text = detokenize(ids);
  assert.deepEqual(tokenize(text), ids);
  assert.equal(new Set(OUTPUT_WORD_IDS).size, OUTPUT_WORD_IDS.length, "output word ids collide");
});
