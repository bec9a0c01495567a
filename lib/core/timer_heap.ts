/**
 * The min-heap of pending timers both clocks keep (the virtual clock and the Worker-woken real
 * clock): earliest deadline first, equal deadlines in the order they were set.
 * @module
 */

/** A scheduled callback; `callback` is null once it ran or was cancelled. */
export interface HeapTimer {
  readonly deadlineMs: number;
  readonly sequence: number;
  callback: (() => void) | null;
}

/** Adds `timer` to `heap`. */
export function heapPush(heap: HeapTimer[], timer: HeapTimer): void {
  heap.push(timer);
  let index = heap.length - 1;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (!isEarlier(heap[index]!, heap[parent]!)) break;
    [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
    index = parent;
  }
}

/** Removes and returns the earliest timer, or undefined when `heap` is empty. */
export function heapPop(heap: HeapTimer[]): HeapTimer | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length === 0 || last === undefined) return top;
  heap[0] = last;
  let index = 0;
  for (;;) {
    const left = 2 * index + 1;
    const right = left + 1;
    let smallest = index;
    if (left < heap.length && isEarlier(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && isEarlier(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === index) break;
    [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
    index = smallest;
  }
  return top;
}

function isEarlier(a: HeapTimer, b: HeapTimer): boolean {
  return a.deadlineMs < b.deadlineMs || (a.deadlineMs === b.deadlineMs && a.sequence < b.sequence);
}
