// Goal: VirtualClock runs timers in deadline order (ties in insertion order) and never moves time
// backwards; RealClock sleeps to absolute deadlines. Method: schedule timers and record the order.
import assert from "node:assert/strict";
import { RealClock, VirtualClock } from "../../lib/core/clock.ts";

Deno.test("VirtualClock runNext() runs timers by deadline, ties in insertion order", () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  clock.setTimer(30, () => order.push("c"));
  clock.setTimer(10, () => order.push("a1"));
  clock.setTimer(10, () => order.push("a2"));
  clock.setTimer(20, () => order.push("b"));
  while (clock.runNext());
  assert.deepEqual(order, ["a1", "a2", "b", "c"]);
  assert.equal(clock.nowMs(), 30);
});

Deno.test("VirtualClock setTimer() in the past fires at the current time, cancel() skips", () => {
  const clock = new VirtualClock(100);
  const fired: number[] = [];
  clock.setTimer(50, () => fired.push(clock.nowMs()));
  const timer = clock.setTimer(120, () => fired.push(-1));
  timer.cancel();
  clock.runUntil(200);
  assert.deepEqual(fired, [100]);
  assert.equal(clock.nowMs(), 200);
});

Deno.test("VirtualClock sleepUntil() resolves when the clock reaches the deadline", async () => {
  const clock = new VirtualClock();
  let resolvedAt = -1;
  const sleeping = clock.sleepUntil(42).then(() => (resolvedAt = clock.nowMs()));
  clock.runUntil(41);
  await Promise.resolve();
  assert.equal(resolvedAt, -1);
  clock.runNext();
  await sleeping;
  assert.equal(resolvedAt, 42);
});

Deno.test("RealClock sleepUntil() waits until the absolute deadline", async () => {
  const clock = new RealClock();
  const deadline = clock.nowMs() + 30;
  await clock.sleepUntil(deadline);
  assert.ok(clock.nowMs() >= deadline - 1, `woke ${deadline - clock.nowMs()} ms early`);
});
