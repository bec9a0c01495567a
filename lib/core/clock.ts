/**
 * Time as an injected dependency. Engine, router and simulation code read time only through a
 * {@linkcode Clock}, so the same logic runs live (real time, absolute deadlines) and in virtual time
 * (discrete events, no sleeping).
 * @module
 */
import { heapPop, heapPush, type HeapTimer } from "./timer_heap.ts";

/** A handle to a scheduled callback. */
export interface Timer {
  /** Cancels the callback if it has not run yet. */
  cancel(): void;
}

/** The only way engine, router and simulation code reads or waits for time. */
export interface Clock {
  /** Milliseconds since an arbitrary fixed origin; monotonic. */
  nowMs(): number;
  /** Runs `callback` once when the clock reaches `deadlineMs` (absolute, in this clock's ms). */
  setTimer(deadlineMs: number, callback: () => void): Timer;
  /** Resolves when the clock reaches `deadlineMs`. */
  sleepUntil(deadlineMs: number): Promise<void>;
}

/** Options of {@linkcode RealClock}. */
export interface RealClockOptions {
  /**
   * Wake this many ms before a deadline and busy-wait the rest, so callbacks run at the deadline
   * instead of up to a timer tick late (or early: timers round). Costs CPU; 0 turns it off.
   * @default 0
   */
  spinMs?: number;
}

/**
 * Real time from `performance.now()`. Timers are armed for absolute deadlines, so a chain of
 * timers does not accumulate the ~0.8 ms per tick drift that `setInterval` shows.
 */
export class RealClock implements Clock {
  readonly #spinMs: number;

  constructor(options: RealClockOptions = {}) {
    this.#spinMs = options.spinMs ?? 0;
  }

  nowMs(): number {
    return performance.now();
  }

  setTimer(deadlineMs: number, callback: () => void): Timer {
    const spinMs = this.#spinMs;
    const fire = spinMs > 0
      ? () => {
        // Never spin longer than spinMs (e.g. if the deadline moved after a long stall).
        const limit = performance.now() + spinMs;
        while (performance.now() < deadlineMs && performance.now() < limit);
        callback();
      }
      : callback;
    const id = setTimeout(fire, Math.max(0, deadlineMs - spinMs - performance.now()));
    return { cancel: () => clearTimeout(id) };
  }

  sleepUntil(deadlineMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(deadlineMs, resolve));
  }
}

/** Microtask turns granted to continuations before virtual time advances. */
const CONTINUATION_HOPS = 6;

/**
 * Virtual time for discrete-event simulation and deterministic tests. Time moves only when
 * {@linkcode VirtualClock.runNext} or {@linkcode VirtualClock.runUntil} is called; timers at equal
 * deadlines run in the order they were set. Simulation code should react in timer callbacks: the
 * continuation of an awaited {@linkcode VirtualClock.sleepUntil} runs only after the call that fired
 * the timer has returned (by then `runUntil` may have moved the time further).
 */
export class VirtualClock implements Clock {
  #nowMs: number;
  #sequence = 0;
  #heap: HeapTimer[] = [];

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  setTimer(deadlineMs: number, callback: () => void): Timer {
    const timer: HeapTimer = {
      deadlineMs: Math.max(deadlineMs, this.#nowMs),
      sequence: this.#sequence++,
      callback,
    };
    heapPush(this.#heap, timer);
    return { cancel: () => void (timer.callback = null) };
  }

  sleepUntil(deadlineMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(deadlineMs, resolve));
  }

  /** Number of timers still scheduled (cancelled ones included until they are popped). */
  get pendingTimers(): number {
    return this.#heap.length;
  }

  /** Deadline of the earliest scheduled timer, or `undefined` when none is left. */
  peekDeadlineMs(): number | undefined {
    return this.#heap[0]?.deadlineMs;
  }

  /** Advances to the earliest timer and runs it. Returns false when no timer is left. */
  runNext(): boolean {
    while (this.#heap.length > 0) {
      const timer = heapPop(this.#heap)!;
      if (timer.callback === null) continue;
      this.#nowMs = timer.deadlineMs;
      const callback = timer.callback;
      timer.callback = null;
      callback();
      return true;
    }
    return false;
  }

  /**
   * Runs timers in order until `work` settles, letting the promise continuations each timer
   * callback causes run before the next timer (so async code observes the time it was woken at).
   * Throws if no timer is left while `work` is still pending (nothing could ever settle it).
   */
  async runUntilSettled<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const result = work.finally(() => void (settled = true));
    result.catch(() => {});
    while (!settled) {
      if (this.runNext()) {
        // Before time moves on, let the continuations this callback queued (a few hops deep) run.
        const next = this.peekDeadlineMs();
        const hops = next === undefined || next > this.#nowMs ? CONTINUATION_HOPS : 1;
        for (let hop = 0; hop < hops && !settled; hop++) await Promise.resolve();
        continue;
      }
      // No timer left: give pending continuations a full turn before declaring a stall.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (!settled && this.#heap.length === 0) {
        throw new Error(
          `Virtual time stalled at ${this.#nowMs} ms: no timers left and the work is unfinished`,
        );
      }
    }
    return await result;
  }

  /**
   * Runs timers in order, synchronously, while `condition()` holds. For work that reacts only in
   * timer callbacks (the client runner, the virtual cluster): no microtask turn per timer, unlike
   * {@linkcode VirtualClock.runUntilSettled}. Returns whether `condition()` still held when no timer
   * was left.
   */
  runWhile(condition: () => boolean): boolean {
    while (condition()) {
      if (!this.runNext()) return true;
    }
    return false;
  }

  /** Runs every timer due at or before `deadlineMs`, then sets the time to `deadlineMs`. */
  runUntil(deadlineMs: number): void {
    while (this.#heap.length > 0 && this.#heap[0]!.deadlineMs <= deadlineMs) this.runNext();
    this.#nowMs = Math.max(this.#nowMs, deadlineMs);
  }
}
