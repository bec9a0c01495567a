// Goal: bytes of heap per cached character of PrefixTree (issue 4). Method: generate 2,000 seeded
// 2,000-char conversation prompts, insert them over 4 tenants, drop every other reference to the
// prompts, force GC, and divide the heap growth by the characters the tenants hold (node texts are
// V8 slices of the inserted prompts, so what the slices retain is counted too).
// Run: deno run -A --v8-flags=--expose-gc test/bench/prefix_tree_memory.ts
import { PrefixTree } from "../../lib/router/prefix_tree.ts";
import { conversationPrompts } from "./prefix_tree_bench.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
const tenants = ["a", "b", "c", "d"];

function build(): { tree: PrefixTree; inputChars: number } {
  const tree = new PrefixTree();
  tree.addTenants(tenants, 0);
  let inputChars = 0;
  conversationPrompts(3, 2000).forEach((prompt, i) => {
    inputChars += prompt.length;
    tree.insert(prompt, tenants[i % 4]!, i);
  });
  return { tree, inputChars };
}

gc();
const before = Deno.memoryUsage().heapUsed;
const { tree, inputChars } = build();
gc();
const after = Deno.memoryUsage().heapUsed;
const tenantChars = [...tree.tenantToCharCount.values()].reduce((a, b) => a + b, 0);
const bytes = after - before;
console.log(
  `heap growth ${(bytes / 1e6).toFixed(2)} MB for ${tenantChars} cached tenant chars ` +
    `(${inputChars} input chars): ${(bytes / tenantChars).toFixed(2)} bytes per cached char`,
);
