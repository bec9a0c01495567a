// Goal: the seeded generator is deterministic, forks are independent, and distributions have the
// right means. Method: compare sequences and sample means over many draws.
import assert from "node:assert/strict";
import { createRng } from "../../lib/core/rng.ts";

Deno.test("createRng() gives the same sequence for the same seed and a different one otherwise", () => {
  const a = createRng(7);
  const b = createRng(7);
  const c = createRng(8);
  const seqA = Array.from({ length: 5 }, () => a.float());
  assert.deepEqual(seqA, Array.from({ length: 5 }, () => b.float()));
  assert.notDeepEqual(seqA, Array.from({ length: 5 }, () => c.float()));
});

Deno.test("Rng fork() is deterministic per label and differs between labels", () => {
  const x = createRng(1).fork("engine").float();
  assert.equal(x, createRng(1).fork("engine").float());
  assert.notEqual(x, createRng(1).fork("router").float());
});

Deno.test("Rng int() stays within bounds, inclusive", () => {
  const rng = createRng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const value = rng.int(2, 5);
    assert.ok(value >= 2 && value <= 5);
    seen.add(value);
  }
  assert.deepEqual([...seen].sort(), [2, 3, 4, 5]);
});

Deno.test("Rng exponential() and gamma() have the expected means", () => {
  const rng = createRng(11);
  const n = 40_000;
  let expSum = 0;
  let gammaSum = 0;
  let gammaSmallSum = 0;
  for (let i = 0; i < n; i++) {
    expSum += rng.exponential(4);
    gammaSum += rng.gamma(2, 3);
    gammaSmallSum += rng.gamma(0.5, 2);
  }
  assert.ok(Math.abs(expSum / n - 0.25) < 0.01);
  assert.ok(Math.abs(gammaSum / n - 6) < 0.15);
  assert.ok(Math.abs(gammaSmallSum / n - 1) < 0.05);
});
