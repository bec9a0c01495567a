// Goal: BackendPool's health rules: N consecutive failed probes take a backend out (default 2), M
// consecutive successes put it back (default 1), a connect failure on a real request takes it out
// at once, and the probe loop applies these rules on its schedule. Method: the pool driven directly
// (reportProbe / markUnhealthy) and through startHealthChecks on a VirtualClock with a scripted
// probe; the router CLI flags parsed through routerInputFromFlags; a real router with probes off
// in front of a killed upstream for the connect-failure rule.
import assert from "node:assert/strict";
import { VirtualClock } from "../../lib/core/clock.ts";
import { parseFlags } from "../../lib/core/cli.ts";
import { BackendPool, routerFlagSpec, routerInputFromFlags, serveRouter } from "../../lib/router/mod.ts";
import { sseBody, startUpstream } from "./_upstream.ts";

const A = "http://127.0.0.1:1";
const B = "http://127.0.0.1:2";

function trackedPool(thresholds: { unhealthyAfter?: number; healthyAfter?: number } = {}) {
  const events: string[] = [];
  const pool = new BackendPool([A, B], {
    ...thresholds,
    onAdded: (id) => events.push(`+${id}`),
    onRemoved: (id) => events.push(`-${id}`),
  });
  return { pool, events };
}

Deno.test("BackendPool.reportProbe() takes a backend out after 2 consecutive failures by default", () => {
  const { pool, events } = trackedPool();
  pool.reportProbe(A, false);
  assert.equal(pool.get(A)!.healthy, true, "one failed probe is not enough");
  pool.reportProbe(A, true);
  pool.reportProbe(A, false);
  assert.equal(pool.get(A)!.healthy, true, "a success in between restarts the count");
  pool.reportProbe(A, false);
  assert.equal(pool.get(A)!.healthy, false);
  assert.deepEqual(events, [`-${A}`]);
  pool.reportProbe(A, true);
  assert.equal(pool.get(A)!.healthy, true, "one success puts it back by default");
  assert.deepEqual(events, [`-${A}`, `+${A}`]);
  assert.equal(pool.get(B)!.healthy, true, "the other backend is untouched");
});

Deno.test("BackendPool.reportProbe() honours unhealthyAfter and healthyAfter", () => {
  const { pool, events } = trackedPool({ unhealthyAfter: 3, healthyAfter: 2 });
  pool.reportProbe(A, false);
  pool.reportProbe(A, false);
  assert.equal(pool.get(A)!.healthy, true);
  pool.reportProbe(A, false);
  assert.equal(pool.get(A)!.healthy, false);
  pool.reportProbe(A, true);
  assert.equal(pool.get(A)!.healthy, false, "one success of two");
  pool.reportProbe(A, false);
  pool.reportProbe(A, true);
  assert.equal(pool.get(A)!.healthy, false, "a failure in between restarts the count");
  pool.reportProbe(A, true);
  assert.equal(pool.get(A)!.healthy, true);
  assert.deepEqual(events, [`-${A}`, `+${A}`]);
});

Deno.test("BackendPool.markUnhealthy() takes a backend out at once; probes bring it back", () => {
  const { pool, events } = trackedPool({ healthyAfter: 2 });
  pool.markUnhealthy(A);
  assert.equal(pool.get(A)!.healthy, false);
  assert.deepEqual(pool.healthyViews().map((view) => view.id), [B]);
  pool.reportProbe(A, true);
  assert.equal(pool.get(A)!.healthy, false);
  pool.reportProbe(A, true);
  assert.equal(pool.get(A)!.healthy, true);
  assert.deepEqual(events, [`-${A}`, `+${A}`]);
});

Deno.test("BackendPool rejects thresholds below 1 or fractional", () => {
  assert.throws(() => new BackendPool([A], { unhealthyAfter: 0 }), /unhealthyAfter/);
  assert.throws(() => new BackendPool([A], { healthyAfter: 1.5 }), /healthyAfter/);
});

Deno.test("BackendPool.startHealthChecks() applies the thresholds on the probe schedule", async () => {
  const clock = new VirtualClock();
  const { pool } = trackedPool({ unhealthyAfter: 2, healthyAfter: 1 });
  // A fails probes 1-3 and answers from probe 4 on; B always answers.
  let round = 0;
  const answers = [false, false, false, true, true];
  pool.startHealthChecks(clock, {
    intervalS: 1,
    probe: (id) => Promise.resolve(id === B || answers[Math.min(round, answers.length - 1)]!),
  });
  const states: boolean[] = [];
  for (let i = 0; i < 5; i++) {
    clock.runUntil(clock.nowMs() + 1000);
    for (let k = 0; k < 5; k++) await Promise.resolve(); // let the probe promises settle
    round++;
    states.push(pool.get(A)!.healthy);
  }
  pool.close();
  assert.deepEqual(states, [true, false, false, true, true]);
  assert.equal(pool.get(B)!.healthy, true);
});

Deno.test("routerInputFromFlags() reads --unhealthy-after and --healthy-after", () => {
  const parse = (args: string[]) => {
    const parsed = parseFlags(["--strategy", "pow2", "--backend", A, ...args], routerFlagSpec());
    return routerInputFromFlags(parsed.values, parsed.given);
  };
  const defaults = parse([]);
  assert.equal(defaults.unhealthyAfter, 2);
  assert.equal(defaults.healthyAfter, 1);
  const given = parse(["--unhealthy-after", "4", "--healthy-after", "3"]);
  assert.equal(given.unhealthyAfter, 4);
  assert.equal(given.healthyAfter, 3);
  assert.throws(() => parse(["--unhealthy-after", "0"]), /unhealthy-after|unhealthyAfter/);
});

Deno.test("serveRouter() a connect failure on a request takes the backend out at once (no probes)", async () => {
  const a = startUpstream();
  const b = startUpstream();
  const router = await serveRouter({ strategy: "round_robin", backends: [a.url, b.url], healthIntervalS: 0 });
  try {
    await b.close();
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${router.url}/v1/completions`, {
        method: "POST",
        body: JSON.stringify({ prompt: `x ${i}`, stream: true }),
      });
      assert.equal(await response.text(), sseBody(8));
    }
    assert.equal(router.core.pool.get(b.url)!.healthy, false, "out after one connect failure");
    assert.deepEqual(router.core.pool.healthyViews().map((view) => view.id), [a.url]);
  } finally {
    await router.shutdown();
    await a.close();
  }
});
