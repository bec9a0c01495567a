// The machine's floor for the engine benchmark: a process with the engine's timer pattern and none
// of its work. On an absolute schedule (a PreciseClock, as the engine uses) it wakes LEAD_MS before
// each deadline (where the engine builds the step's output), then again at the deadline (where the
// engine releases it), and records how late the second wake-up ran. Beside the engine and its load
// client it shows how late a bare wake-up is on this machine under the same load: the part of the
// engine's step lateness that the machine, not the engine, sets. Prints one JSON line
// {fires, late_p50_ms, late_p99_ms, late_max_ms}.
// Usage: deno run -A test/bench/_timer_probe.ts PERIOD_MS LEAD_MS DURATION_S [SKIP_S]
import { PreciseClock } from "../../lib/core/precise_clock.ts";
import { percentileSorted } from "../../lib/core/stats.ts";

const [periodText, leadText, durationText, skipText] = Deno.args;
const periodMs = Number(periodText);
const leadMs = Number(leadText);
const clock = new PreciseClock();
await clock.whenReady();
const startMs = clock.nowMs();
const skipUntilMs = startMs + Number(skipText ?? 0) * 1000;
const endMs = startMs + Number(durationText) * 1000;
const lateMs: number[] = [];
await new Promise<void>((resolve) => {
  let deadlineMs = startMs + periodMs;
  const release = () => {
    const nowMs = clock.nowMs();
    if (nowMs >= skipUntilMs) lateMs.push(nowMs - deadlineMs);
    deadlineMs += periodMs;
    if (deadlineMs > endMs) resolve();
    else clock.setTimer(deadlineMs - leadMs, ahead);
  };
  const ahead = () => void clock.setTimer(deadlineMs, release);
  clock.setTimer(deadlineMs - leadMs, ahead);
});
clock.close();
const sorted = Float64Array.from(lateMs).sort();
const round = (ms: number) => Number(ms.toFixed(3));
console.log(JSON.stringify({
  fires: sorted.length,
  late_p50_ms: round(percentileSorted(sorted, 50)),
  late_p99_ms: round(percentileSorted(sorted, 99)),
  late_max_ms: round(sorted[sorted.length - 1] ?? NaN),
}));
