/**
 * The waker thread of {@linkcode PreciseClock} (precise_clock.ts). It sleeps in `Atomics.wait`
 * (a futex with a sub-millisecond timeout, no spinning) until the deadline the main thread
 * published in shared memory, then posts one message. Protocol over an Int32Array `state` and a
 * Float64Array `deadline` (epoch ms, `performance.timeOrigin + performance.now()`, which agrees
 * across threads): the main thread writes the deadline, increments `state[SEQ]` and notifies; a
 * non-zero `state[STOP]` ends the loop.
 * @module
 */

const SEQ = 0;
const STOP = 1;
/** Message to the main thread: the waker is running. */
const READY = 0;
/** Message to the main thread: the published deadline has passed. */
const FIRE = 1;

interface WorkerScope {
  onmessage:
    | ((event: MessageEvent<{ state: SharedArrayBuffer; deadline: SharedArrayBuffer }>) => void)
    | null;
  postMessage(message: number): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event) => {
  scope.onmessage = null;
  const state = new Int32Array(event.data.state);
  const deadline = new Float64Array(event.data.deadline);
  scope.postMessage(READY);
  while (Atomics.load(state, STOP) === 0) {
    const seq = Atomics.load(state, SEQ);
    const waitMs = deadline[0]! - (performance.timeOrigin + performance.now());
    if (waitMs > 0) {
      // Returns on timeout, on notify, or at once when the sequence moved since it was read.
      Atomics.wait(state, SEQ, seq, waitMs === Infinity ? undefined : waitMs);
      continue;
    }
    scope.postMessage(FIRE);
    // Sleep until the main thread publishes its next deadline (or stops us).
    Atomics.wait(state, SEQ, seq);
  }
  scope.close();
};
