/**
 * Goal: PreciseClock keeps the Clock contract: timers never fire before their deadline, run in
 * deadline order (ties in the order set), can be cancelled, may be set from callbacks, and close()
 * stops the waker Worker (the test's sanitizers see no leaked resource).
 * Method: real timers a few ms apart; assertions are about order and never-early, not about how
 * late a timer is (the machine is shared; precision is measured in test/bench/precise_clock.ts).
 */
import assert from "node:assert/strict";
import { PreciseClock } from "../../lib/core/precise_clock.ts";

Deno.test("PreciseClock.setTimer() fires in deadline order, never early, and honours cancel", async () => {
  const clock = new PreciseClock();
  try {
    const t0 = clock.nowMs();
    const fired: Array<[string, number, number]> = [];
    const at = (label: string, offsetMs: number) =>
      clock.setTimer(t0 + offsetMs, () => fired.push([label, t0 + offsetMs, clock.nowMs()]));
    at("c", 12);
    at("a", 3);
    at("b", 7.5);
    at("b2", 7.5);
    at("x", 5).cancel();
    await clock.sleepUntil(t0 + 20);
    assert.deepEqual(fired.map(([label]) => label), ["a", "b", "b2", "c"]);
    for (const [label, deadline, now] of fired) assert.ok(now >= deadline, `${label} fired early`);
  } finally {
    clock.close();
  }
});

Deno.test("PreciseClock runs a chain of timers set from callbacks, each after its deadline", async () => {
  const clock = new PreciseClock();
  try {
    const lates: number[] = [];
    await new Promise<void>((resolve) => {
      let n = 0;
      const next = () => {
        const deadline = clock.nowMs() + 0.7;
        clock.setTimer(deadline, () => {
          lates.push(clock.nowMs() - deadline);
          if (++n < 50) next();
          else resolve();
        });
      };
      next();
    });
    assert.equal(lates.length, 50);
    assert.ok(lates.every((late) => late >= 0));
  } finally {
    clock.close();
  }
});

Deno.test("PreciseClock.close() drops pending timers and later timers still fire", async () => {
  const clock = new PreciseClock();
  let dropped = false;
  clock.setTimer(clock.nowMs() + 5, () => dropped = true);
  clock.close();
  clock.close();
  await clock.sleepUntil(clock.nowMs() + 10);
  assert.equal(dropped, false);
});

Deno.test("PreciseClock.whenReady() resolves once the waker runs, and at once after close()", async () => {
  const clock = new PreciseClock();
  try {
    await clock.whenReady();
    assert.equal(clock.precise, true);
    const t0 = clock.nowMs();
    await clock.sleepUntil(t0 + 2);
    assert.ok(clock.nowMs() >= t0 + 2);
  } finally {
    clock.close();
  }
  assert.equal(clock.precise, false);
  await clock.whenReady();
});
