// Goal: PrefixTree performance targets (issue 4): insert + prefixMatch of 2,000-character
// conversation prompts ≥ 100,000 operations/s; evictTenantByLru under 1 ms on a 1,000,000-character
// tree. Method: deno bench over a seeded set of growing conversations across 4 tenants.
// Run: deno bench -A test/bench/prefix_tree_bench.ts   (bytes per cached char: test/bench/prefix_tree_memory.ts)
import { createRng } from "../../lib/core/rng.ts";
import { PrefixTree } from "../../lib/router/prefix_tree.ts";

const TENANTS = ["http://w0", "http://w1", "http://w2", "http://w3"];

/** 400 conversations; each prompt is a 2,000-char conversation prefix (a shared system prompt + turns). */
export function conversationPrompts(seed: number, count: number, length = 2000): string[] {
  const rng = createRng(seed);
  const system = "system: You are a helpful assistant who answers carefully and cites sources.\n".repeat(6);
  const prompts: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = system;
    let turn = 0;
    while (text.length < length) {
      text += `user ${i}.${turn++}: question about topic ${rng.int(0, 1e6)} and more words\n`;
    }
    prompts.push(text.slice(0, length));
  }
  return prompts;
}

const prompts = conversationPrompts(1, 400);
const warm = new PrefixTree();
warm.addTenants(TENANTS, 0);
prompts.forEach((prompt, i) => warm.insert(prompt, TENANTS[i % 4]!, i));
let time = 1000;
let cursor = 0;

Deno.bench("PrefixTree insert of a 2,000-char prompt (warm tree, 400 conversations)", () => {
  const i = cursor++ % prompts.length;
  warm.insert(prompts[i]!, TENANTS[(i + (cursor & 1)) % 4]!, time++);
});

Deno.bench("PrefixTree prefixMatch of a 2,000-char prompt (warm tree)", () => {
  warm.prefixMatch(prompts[cursor++ % prompts.length]!, TENANTS);
});

Deno.bench("PrefixTree insert + prefixMatch pair (one routing decision)", () => {
  const i = cursor++ % prompts.length;
  warm.prefixMatch(prompts[i]!, TENANTS);
  warm.insert(prompts[i]!, TENANTS[i % 4]!, time++);
});

// A 1,000,000-character tenant: 500 distinct 2,000-char prompts, each inserted at its own time.
const bigPrompts = conversationPrompts(2, 500);
Deno.bench("PrefixTree evictTenantByLru of 10% from a 1,000,000-char tree", (b) => {
  const tree = new PrefixTree();
  tree.addTenants(["t"], 0);
  bigPrompts.forEach((prompt, i) => tree.insert(prompt, "t", i + 1));
  b.start();
  tree.evictTenantByLru("t", 100_000);
  b.end();
});
