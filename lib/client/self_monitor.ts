/**
 * The client measuring itself: event-loop lag (how late a timer armed for an absolute deadline
 * fires, sampled every `intervalMs`) and the process's CPU use. A saturated client measures its
 * own queueing as server latency, so runs report both and can be invalidated on them.
 * @module
 */
import process from "node:process";
import { type Clock, RealClock, type Timer } from "../core/clock.ts";

/** What {@linkcode SelfMonitor.stop} returns. */
export interface SelfMeasurement {
  /** Lateness of each sampler tick in ms. */
  eventLoopLagMs: number[];
  /** User + system CPU time over wall time, in percent of one core. */
  cpuPercent: number;
  /** The busiest thread's CPU over wall time, percent of one core; null unless asked for and readable. */
  busiestThreadCpuPercent: number | null;
}

/** Samples event-loop lag on absolute deadlines and CPU between start and stop. */
export class SelfMonitor {
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #lags: number[] = [];
  #timer: Timer | undefined;
  #startCpu = process.cpuUsage();
  #startMs = 0;
  #onTick: (() => void) | undefined;
  readonly #threadCpu: boolean;
  #startThreadTicks: Map<string, number> | null = null;

  /**
   * `clock` must be a real-time clock; with a PreciseClock the lag is the event loop's own
   * lateness, with RealClock it also includes setTimeout's ~1 ms granularity. @default RealClock
   */
  constructor(
    options: { intervalMs?: number; onTick?: () => void; clock?: Clock; threadCpu?: boolean } = {},
  ) {
    this.#intervalMs = options.intervalMs ?? 10;
    this.#threadCpu = options.threadCpu ?? false;
    this.#onTick = options.onTick;
    this.#clock = options.clock ?? new RealClock();
  }

  start(): void {
    if (this.#threadCpu) this.#startThreadTicks = threadTicks();
    this.#startCpu = process.cpuUsage();
    this.#startMs = this.#clock.nowMs();
    this.#arm(this.#startMs + this.#intervalMs);
  }

  #arm(deadlineMs: number): void {
    this.#timer = this.#clock.setTimer(deadlineMs, () => {
      const now = this.#clock.nowMs();
      this.#lags.push(Math.max(0, now - deadlineMs));
      this.#onTick?.();
      // Next deadline on the fixed grid, skipping ticks missed during a stall.
      let next = deadlineMs + this.#intervalMs;
      if (next <= now) next = now + this.#intervalMs - ((now - deadlineMs) % this.#intervalMs);
      this.#arm(next);
    });
  }

  /** Stops sampling and returns the measurements. */
  stop(): SelfMeasurement {
    this.#timer?.cancel();
    this.#timer = undefined;
    const cpu = process.cpuUsage(this.#startCpu);
    const wallMs = Math.max(1e-9, this.#clock.nowMs() - this.#startMs);
    let busiest: number | null = null;
    const end = this.#startThreadTicks !== null ? threadTicks() : null;
    if (end !== null && this.#startThreadTicks !== null) {
      let maxTicks = 0;
      for (const [tid, ticks] of end) {
        maxTicks = Math.max(maxTicks, ticks - (this.#startThreadTicks.get(tid) ?? 0));
      }
      busiest = ((maxTicks * 1000) / CLOCK_TICKS_PER_S / wallMs) * 100;
    }
    return {
      eventLoopLagMs: this.#lags,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      busiestThreadCpuPercent: busiest,
    };
  }
}

/** USER_HZ of /proc/<pid>/task/<tid>/stat times (100 on every Linux architecture Deno runs on). */
const CLOCK_TICKS_PER_S = 100;

/** utime + stime ticks of every thread of this process; null where /proc is unavailable. */
function threadTicks(): Map<string, number> | null {
  const ticks = new Map<string, number>();
  try {
    for (const entry of Deno.readDirSync("/proc/self/task")) {
      let stat: string;
      try {
        stat = Deno.readTextFileSync(`/proc/self/task/${entry.name}/stat`);
      } catch {
        continue; // the thread ended meanwhile
      }
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks.set(entry.name, Number(fields[11]) + Number(fields[12]));
    }
  } catch {
    return null;
  }
  return ticks;
}
