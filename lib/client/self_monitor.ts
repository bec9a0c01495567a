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

  /**
   * `clock` must be a real-time clock; with a PreciseClock the lag is the event loop's own
   * lateness, with RealClock it also includes setTimeout's ~1 ms granularity. @default RealClock
   */
  constructor(options: { intervalMs?: number; onTick?: () => void; clock?: Clock } = {}) {
    this.#intervalMs = options.intervalMs ?? 10;
    this.#onTick = options.onTick;
    this.#clock = options.clock ?? new RealClock();
  }

  start(): void {
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
    return { eventLoopLagMs: this.#lags, cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100 };
  }
}
