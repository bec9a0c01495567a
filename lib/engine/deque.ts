/**
 * A growable ring-buffer deque: the scheduler's waiting queue (FCFS at the back, preempted requests
 * back at the front) without the O(n) `unshift`/`shift` of arrays.
 * @module
 */

/** Double-ended queue. */
export class Deque<T> {
  #items: (T | undefined)[] = new Array(16);
  #head = 0;
  #length = 0;

  /** Number of items. */
  get length(): number {
    return this.#length;
  }

  /** Adds at the back. */
  pushBack(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) % this.#items.length] = item;
    this.#length++;
  }

  /** Adds at the front. */
  pushFront(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1 + this.#items.length) % this.#items.length;
    this.#items[this.#head] = item;
    this.#length++;
  }

  /** The front item, or undefined when empty. */
  peekFront(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes and returns the front item. */
  popFront(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    return item;
  }

  /** The item at `index` from the front. */
  at(index: number): T | undefined {
    return index < 0 || index >= this.#length
      ? undefined
      : this.#items[(this.#head + index) % this.#items.length];
  }

  /** Removes the first occurrence of `item` (O(n)); returns whether it was present. */
  remove(item: T): boolean {
    for (let i = 0; i < this.#length; i++) {
      if (this.at(i) !== item) continue;
      for (let j = i; j < this.#length - 1; j++) {
        this.#items[(this.#head + j) % this.#items.length] =
          this.#items[(this.#head + j + 1) % this.#items.length];
      }
      this.#items[(this.#head + this.#length - 1) % this.#items.length] = undefined;
      this.#length--;
      return true;
    }
    return false;
  }

  /** Items front to back (a copy). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#length; i++) out.push(this.at(i)!);
    return out;
  }

  #grow(): void {
    const items: (T | undefined)[] = new Array(this.#items.length * 2);
    for (let i = 0; i < this.#length; i++) items[i] = this.#items[(this.#head + i) % this.#items.length];
    this.#items = items;
    this.#head = 0;
  }
}
