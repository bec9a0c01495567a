// Goal: PrefixTree has Ray Serve's PrefixTree semantics (routers.md §1.4): splits, shared
// prefixes, tenant filters, removal with pruning, same-timestamp LRU eviction, smallest tenants,
// and the eviction loop. Method: cases written from §1.4, LRU chains checked node by node, plus a
// seeded random sequence checked against a brute-force model (longest common prefix over the
// strings each tenant inserted) and the character-count invariant.
import assert from "node:assert/strict";
import { VirtualClock } from "../../lib/core/clock.ts";
import { createRng } from "../../lib/core/rng.ts";
import { PrefixTree } from "../../lib/router/prefix_tree.ts";

function chainSum(tree: PrefixTree, tenant: string): number {
  return tree.lruChain(tenant).reduce((sum, text) => sum + text.length, 0);
}

Deno.test("PrefixTree.addTenants() starts tenants at 0 chars with the root as their whole chain", () => {
  const tree = new PrefixTree();
  tree.addTenants(["a", "b"], 1);
  assert.deepEqual([...tree.tenantToCharCount], [["a", 0], ["b", 0]]);
  assert.deepEqual(tree.lruChain("a"), [""]);
  tree.insert("hello", "a", 2);
  tree.addTenants(["a"], 3); // existing tenant: no-op
  assert.equal(tree.tenantToCharCount.get("a"), 5);
  assert.deepEqual(tree.lruChain("zzz"), []);
});

Deno.test("PrefixTree.insert() is a no-op for an unknown tenant", () => {
  const tree = new PrefixTree();
  tree.insert("hello", "ghost", 1);
  assert.equal(tree.tenantToCharCount.size, 0);
  assert.deepEqual(tree.prefixMatch("hello"), { matchedText: "", tenants: null });
});

Deno.test("PrefixTree.insert() shares prefixes and counts each node once per tenant", () => {
  const tree = new PrefixTree();
  tree.addTenants(["a", "b"], 0);
  tree.insert("hello", "a", 1);
  tree.insert("helloworld", "a", 2);
  assert.equal(tree.tenantToCharCount.get("a"), 10);
  assert.deepEqual(tree.lruChain("a"), ["", "world", "hello"]);
  tree.insert("helloworld", "a", 3); // same text again: no growth
  assert.equal(tree.tenantToCharCount.get("a"), 10);
  tree.insert("hellothere", "b", 4);
  assert.equal(tree.tenantToCharCount.get("b"), 10);
  assert.deepEqual(tree.prefixMatch("hello"), { matchedText: "hello", tenants: ["a", "b"] });
  assert.deepEqual(tree.prefixMatch("helloworld!"), { matchedText: "helloworld", tenants: ["a"] });
  assert.deepEqual(tree.prefixMatch("hellothere"), { matchedText: "hellothere", tenants: ["b"] });
});

Deno.test("PrefixTree.insert() splits an edge on a partial match and keeps every tenant's LRU order", () => {
  const tree = new PrefixTree();
  tree.addTenants(["a", "b"], 0);
  tree.insert("helloworld", "a", 1);
  tree.insert("hellothere", "b", 2);
  // "helloworld" split into "hello" + "world"; for a the new "hello" sits just newer than "world".
  assert.deepEqual(tree.lruChain("a"), ["", "hello", "world"]);
  assert.deepEqual(tree.lruChain("b"), ["", "there", "hello"]);
  assert.equal(tree.tenantToCharCount.get("a"), 10);
  assert.equal(tree.tenantToCharCount.get("b"), 10);
  tree.insert("help", "a", 3); // splits "hello" into "hel" + "lo"
  assert.deepEqual(tree.lruChain("a"), ["", "p", "hel", "lo", "world"]);
  assert.deepEqual(tree.lruChain("b"), ["", "there", "hel", "lo"]);
  assert.equal(tree.tenantToCharCount.get("a"), 11);
  assert.equal(tree.tenantToCharCount.get("b"), 10);
});

Deno.test("PrefixTree.prefixMatch() stops inside an edge and returns the tenants of the node reached", () => {
  const tree = new PrefixTree();
  tree.addTenants(["a", "b"], 0);
  tree.insert("helloworld", "a", 1);
  tree.insert("hellothere", "b", 2);
  assert.deepEqual(tree.prefixMatch("hel"), { matchedText: "hel", tenants: ["a", "b"] });
  assert.deepEqual(tree.prefixMatch("hellowo!"), { matchedText: "hellowo", tenants: ["a"] });
  assert.deepEqual(tree.prefixMatch("xyz"), { matchedText: "", tenants: ["a", "b"] });
  assert.deepEqual(tree.prefixMatch(""), { matchedText: "", tenants: ["a", "b"] });
});

Deno.test("PrefixTree.prefixMatch() filters by available tenants; [] means all, unknown means none", () => {
  const tree = new PrefixTree();
  tree.addTenants(["a", "b"], 0);
  tree.insert("helloworld", "a", 1);
  tree.insert("hellothere", "b", 2);
  assert.deepEqual(tree.prefixMatch("helloworld", ["b"]), { matchedText: "hello", tenants: ["b"] });
  assert.deepEqual(tree.prefixMatch("helloworld", ["b", "ghost"]), { matchedText: "hello", tenants: ["b"] });
  assert.deepEqual(tree.prefixMatch("helloworld", []), { matchedText: "helloworld", tenants: ["a"] });
  assert.deepEqual(tree.prefixMatch("helloworld", ["ghost"]), { matchedText: "", tenants: null });
  const before = tree.lruChain("a");
  tree.prefixMatch("hello", ["a"]);
  assert.deepEqual(tree.lruChain("a"), before, "prefixMatch does not touch timestamps");
});

Deno.test("PrefixTree.removeTenants() removes and prunes, and reports chars per tenant", () => {
  const tree = new PrefixTree();
  tree.addTenants(["a", "b"], 0);
  tree.insert("helloworld", "a", 1);
  tree.insert("hellothere", "b", 2);
  const removed = tree.removeTenants(["a", "ghost"]);
  assert.deepEqual([...removed], [["a", 10], ["ghost", 0]]);
  assert.equal(tree.tenantToCharCount.has("a"), false);
  assert.deepEqual(tree.prefixMatch("helloworld"), { matchedText: "hello", tenants: ["b"] });
  tree.addTenants(["a"], 3);
  tree.insert("hellow", "a", 4); // "world" was pruned: a new leaf "w" appears under "hello"
  assert.deepEqual(tree.lruChain("a"), ["", "w", "hello"]);
  tree.removeTenants(["a", "b"]);
  assert.deepEqual(tree.prefixMatch("hello"), { matchedText: "", tenants: null });
  assert.equal(tree.getSmallestTenants(), null);
});

Deno.test("PrefixTree.evictTenantByLru() removes whole same-timestamp groups from the tail", () => {
  const tree = new PrefixTree();
  tree.addTenants(["a"], 0);
  tree.insert("hello", "a", 1);
  tree.insert("helloworld", "a", 2);
  // Both nodes carry timestamp 2: asking for 1 char removes all 10.
  assert.equal(tree.evictTenantByLru("a", 1), 10);
  assert.equal(tree.tenantToCharCount.get("a"), 0);
  assert.deepEqual(tree.lruChain("a"), [""]);
  assert.equal(tree.evictTenantByLru("a", 5), 0, "never evicts the root");
  assert.equal(tree.evictTenantByLru("ghost", 5), 0);
});

Deno.test("PrefixTree.evictTenantByLru() evicts oldest first, clamps the size, and spares other tenants", () => {
  const tree = new PrefixTree();
  tree.addTenants(["a", "b"], 0);
  tree.insert("helloworld", "a", 1);
  tree.insert("hellothere", "a", 2);
  tree.insert("hellothere", "b", 3);
  assert.deepEqual(tree.lruChain("a"), ["", "there", "hello", "world"]);
  assert.equal(tree.evictTenantByLru("a", 1), 5); // "world" (t=1) only
  assert.deepEqual(tree.lruChain("a"), ["", "there", "hello"]);
  assert.deepEqual(tree.prefixMatch("helloworld"), { matchedText: "hello", tenants: ["a", "b"] });
  assert.equal(tree.evictTenantByLru("a", 1_000), 10); // clamped to what a holds
  assert.equal(tree.tenantToCharCount.get("a"), 0);
  assert.deepEqual(tree.prefixMatch("hellothere"), { matchedText: "hellothere", tenants: ["b"] });
  assert.equal(tree.tenantToCharCount.get("b"), 10);
});

Deno.test("PrefixTree.getSmallestTenants() returns all ties, restricted to available tenants", () => {
  const tree = new PrefixTree();
  assert.equal(tree.getSmallestTenants(), null);
  tree.addTenants(["a", "b", "c"], 0);
  assert.deepEqual(tree.getSmallestTenants(), ["a", "b", "c"]);
  tree.insert("hello", "a", 1);
  tree.insert("hi", "b", 1);
  assert.deepEqual(tree.getSmallestTenants(), ["c"]);
  assert.deepEqual(tree.getSmallestTenants(["a", "b"]), ["b"]);
  assert.deepEqual(tree.getSmallestTenants(["a", "ghost"]), ["a"]);
  assert.equal(tree.getSmallestTenants(["ghost"]), null);
});

Deno.test("PrefixTree.startEvictionLoop() evicts tenants over the threshold on the clock", () => {
  const clock = new VirtualClock();
  const tree = new PrefixTree({ clock });
  tree.addTenants(["a", "b"], 0);
  tree.insert("aaaaaaaaaa", "a", 1);
  tree.insert("aaaaaaaaaabbbbbbbbbb", "a", 2);
  tree.insert("cccc", "b", 2);
  assert.equal(tree.startEvictionLoop(15, 12, 10), true);
  assert.equal(tree.startEvictionLoop(15, 12, 10), false, "one loop at a time");
  clock.runUntil(9_999);
  assert.equal(tree.tenantToCharCount.get("a"), 20);
  clock.runUntil(10_000);
  assert.equal(tree.tenantToCharCount.get("a"), 0, "both nodes share the oldest timestamp");
  assert.equal(tree.tenantToCharCount.get("b"), 4);
  tree.stopEvictionLoop();
  assert.equal(clock.runNext(), false, "no timer left after stop");
  assert.equal(tree.startEvictionLoop(15, 12, 10), true, "can start again after stop");
  tree.stopEvictionLoop();
  assert.throws(() => new PrefixTree().startEvictionLoop(1, 1, 1), /no clock/);
});

Deno.test("PrefixTree matches a brute-force model over a seeded random sequence", () => {
  const rng = createRng(7);
  const tree = new PrefixTree();
  const tenants = ["t0", "t1", "t2"];
  const inserted = new Map<string, Set<string>>(tenants.map((t) => [t, new Set()]));
  tree.addTenants(tenants, 0);
  const randomText = (): string => {
    // Mostly short texts over "abc" (many splits); some long ones with a rare "b" so that long
    // partial edge matches (the binary-search path of the edge comparison) occur.
    let text = "";
    const long = rng.float() < 0.3;
    const length = long ? rng.int(20, 300) : rng.int(0, 12);
    for (let i = 0; i < length; i++) text += long ? (rng.float() < 0.01 ? "b" : "a") : "abc"[rng.int(0, 2)];
    return text;
  };
  for (let step = 1; step <= 3000; step++) {
    const tenant = rng.pick(tenants);
    const op = rng.float();
    if (op < 0.6) {
      const text = randomText();
      tree.insert(text, tenant, step);
      inserted.get(tenant)!.add(text);
    } else if (op < 0.97) {
      const text = randomText();
      const available = rng.float() < 0.5 ? undefined : [tenant];
      let best = 0;
      for (const t of available ?? tenants) {
        for (const s of inserted.get(t)!) best = Math.max(best, commonPrefix(s, text));
      }
      assert.equal(tree.prefixMatch(text, available).matchedText, text.slice(0, best), `step ${step}`);
    } else {
      tree.removeTenants([tenant]);
      tree.addTenants([tenant], step);
      inserted.get(tenant)!.clear();
    }
    for (const t of tenants) assert.equal(chainSum(tree, t), tree.tenantToCharCount.get(t), `count of ${t}`);
  }
});

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
