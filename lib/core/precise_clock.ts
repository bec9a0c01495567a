/**
 * A real-time {@linkcode Clock} whose timers fire within about 0.1 ms of their deadline. Deno's
 * setTimeout has millisecond granularity and fires 1-2 ms late (measured: a 1 ms timer chained
 * from a timer callback fires 2.1 ms after it was armed), which is the whole send-lag budget of an
 * open-loop load generator and adds ~2 ms to every modelled engine step. Here one helper Worker
 * sleeps in `Atomics.wait` (sub-ms futex timeout, no busy-waiting) until the earliest deadline and
 * posts a message; the callbacks run on this thread, in deadline order, in their own macrotask
 * (I/O is never starved). Until the Worker is up, or if it cannot start, timers fall back to
 * setTimeout. Call {@linkcode PreciseClock.close} when done: the Worker keeps the process alive.
 * @module
 */
import type { Clock, Timer } from "./clock.ts";
import { heapPop, heapPush, type HeapTimer } from "./timer_heap.ts";

const SEQ = 0;
const STOP = 1;
const READY = 0;
const READY_TIMEOUT_MS = 3000;

/** Real time (`performance.now()`) with Worker-woken timers; see the module doc. */
export class PreciseClock implements Clock {
  readonly #heap: HeapTimer[] = [];
  #sequence = 0;
  #worker: Worker | null = null;
  #state: Int32Array | null = null;
  #deadline: Float64Array | null = null;
  #ready = false;
  #closed = false;
  #fallback: ReturnType<typeof setTimeout> | undefined;
  #fallbackDeadlineMs = Infinity;
  #publishedMs = Infinity;
  #onReady: (() => void) | null = null;
  #readyTimeout: ReturnType<typeof setTimeout> | undefined;
  #readyPromise: Promise<void> | null = null;

  nowMs(): number {
    return performance.now();
  }

  setTimer(deadlineMs: number, callback: () => void): Timer {
    if (this.#closed) {
      const id = setTimeout(callback, Math.max(0, deadlineMs - performance.now()));
      return { cancel: () => clearTimeout(id) };
    }
    this.#start();
    const timer: HeapTimer = { deadlineMs, sequence: this.#sequence++, callback };
    heapPush(this.#heap, timer);
    if (this.#heap[0] === timer) this.#publish();
    return { cancel: () => void (timer.callback = null) };
  }

  sleepUntil(deadlineMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(deadlineMs, resolve));
  }

  /**
   * Starts the Worker if needed and resolves once timers are Worker-woken, or as soon as it is clear
   * they cannot be (no permission, load error, closed): await it before timing-critical work.
   */
  whenReady(): Promise<void> {
    this.#start();
    return this.#readyPromise ?? Promise.resolve();
  }

  /** Whether timers are Worker-woken yet (false while the Worker starts or when it could not). */
  get precise(): boolean {
    return this.#ready && !this.#closed;
  }

  /** Stops the Worker. Pending timers are dropped; later timers use setTimeout. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#settleReady();
    this.#heap.length = 0;
    if (this.#fallback !== undefined) clearTimeout(this.#fallback);
    this.#fallback = undefined;
    if (this.#state !== null) {
      Atomics.store(this.#state, STOP, 1);
      Atomics.add(this.#state, SEQ, 1);
      Atomics.notify(this.#state, SEQ);
    }
    this.#worker?.terminate();
    this.#worker = null;
  }

  #settleReady(): void {
    if (this.#readyTimeout !== undefined) clearTimeout(this.#readyTimeout);
    this.#readyTimeout = undefined;
    const onReady = this.#onReady;
    this.#onReady = null;
    onReady?.();
  }

  #start(): void {
    if (this.#worker !== null || this.#state !== null || this.#closed) return;
    this.#readyPromise = new Promise((resolve) => this.#onReady = resolve);
    // A Worker that neither starts nor fails must not hold up whenReady(); timers work regardless.
    this.#readyTimeout = setTimeout(() => this.#settleReady(), READY_TIMEOUT_MS);
    this.#state = new Int32Array(new SharedArrayBuffer(8));
    this.#deadline = new Float64Array(new SharedArrayBuffer(8));
    this.#deadline[0] = Infinity;
    const url = new URL("./precise_clock_worker.ts", import.meta.url);
    // Without read access the Worker would fail to load (and print an error): stay on setTimeout.
    if (
      url.protocol === "file:" && Deno.permissions.querySync({ name: "read", path: url }).state !== "granted"
    ) {
      return;
    }
    try {
      const worker = new Worker(url.href, { type: "module" });
      worker.onmessage = (event: MessageEvent<number>) => {
        if (event.data === READY) {
          this.#ready = true;
          if (this.#fallback !== undefined) clearTimeout(this.#fallback);
          this.#fallback = undefined;
          this.#fallbackDeadlineMs = Infinity;
          this.#publishedMs = NaN; // force a publish
          this.#publish();
          this.#settleReady();
        } else this.#dispatch();
      };
      worker.onerror = (event) => {
        // The waker died (e.g. no permission to load it): keep going on setTimeout.
        event.preventDefault();
        this.#ready = false;
        this.#worker?.terminate();
        this.#publishedMs = NaN;
        this.#publish();
        this.#settleReady();
      };
      worker.postMessage({ state: this.#state.buffer, deadline: this.#deadline.buffer });
      this.#worker = worker;
    } catch {
      this.#worker = null;
      this.#settleReady();
    }
  }

  /** Runs the timers due now that existed when the dispatch began, then publishes the next deadline. */
  #dispatch(): void {
    const heap = this.#heap;
    const now = performance.now();
    const before = this.#sequence;
    while (heap.length > 0) {
      const top = heap[0]!;
      if (top.callback === null) {
        heapPop(heap);
        continue;
      }
      // A timer set by a callback of this dispatch runs in the next one, after pending I/O.
      if (top.deadlineMs > now || top.sequence >= before) break;
      heapPop(heap);
      const callback = top.callback;
      top.callback = null;
      callback();
      if (this.#closed) return;
    }
    this.#publishedMs = NaN;
    this.#publish();
  }

  /** Tells the waker (or the fallback setTimeout) the earliest live deadline. */
  #publish(): void {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.callback === null) heapPop(heap);
    const earliest = heap.length > 0 ? heap[0]!.deadlineMs : Infinity;
    if (this.#ready) {
      if (earliest === this.#publishedMs) return;
      this.#publishedMs = earliest;
      this.#deadline![0] = performance.timeOrigin + earliest;
      Atomics.add(this.#state!, SEQ, 1);
      Atomics.notify(this.#state!, SEQ);
      return;
    }
    if (earliest === this.#fallbackDeadlineMs) return;
    if (this.#fallback !== undefined) clearTimeout(this.#fallback);
    this.#fallback = undefined;
    this.#fallbackDeadlineMs = earliest;
    if (earliest === Infinity) return;
    this.#fallback = setTimeout(() => {
      this.#fallback = undefined;
      this.#fallbackDeadlineMs = Infinity;
      this.#dispatch();
    }, Math.max(0, earliest - performance.now()));
  }
}
