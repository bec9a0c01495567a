/**
 * The client measuring itself: event-loop lag (how late a timer armed for an absolute deadline
 * fires, sampled every `intervalMs`) and the process's CPU use. A saturated client measures its
 * own queueing as server latency, so runs report both and can be invalidated on them.
 * @module
 */
import process from "node:process";

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
  readonly #lags: number[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #startCpu = process.cpuUsage();
  #startMs = performance.now();
  #onTick: (() => void) | undefined;

  constructor(options: { intervalMs?: number; onTick?: () => void } = {}) {
    this.#intervalMs = options.intervalMs ?? 10;
    this.#onTick = options.onTick;
  }

  start(): void {
    this.#startCpu = process.cpuUsage();
    this.#startMs = performance.now();
    this.#arm(this.#startMs + this.#intervalMs);
  }

  #arm(deadlineMs: number): void {
    this.#timer = setTimeout(() => {
      const now = performance.now();
      this.#lags.push(Math.max(0, now - deadlineMs));
      this.#onTick?.();
      // Next deadline on the fixed grid, skipping ticks missed during a stall.
      let next = deadlineMs + this.#intervalMs;
      if (next <= now) next = now + this.#intervalMs - ((now - deadlineMs) % this.#intervalMs);
      this.#arm(next);
    }, Math.max(0, deadlineMs - performance.now()));
  }

  /** Stops sampling and returns the measurements. */
  stop(): SelfMeasurement {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const cpu = process.cpuUsage(this.#startCpu);
    const wallMs = Math.max(1e-9, performance.now() - this.#startMs);
    return { eventLoopLagMs: this.#lags, cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100 };
  }
}
