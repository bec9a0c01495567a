/**
 * A target's series as two parallel columns (keys, values), refilled in place on every sample: the
 * simulation samples each engine's ~1,000 series every 100 ms of virtual time, and filling arrays in
 * a fixed order costs a fraction of building a ~1,000-key object and reading it back by key.
 * @module
 */

/** Series keys and values in collect order; reuse one per target across samples. */
export class SeriesColumns {
  readonly keys: string[] = [];
  readonly values: number[] = [];
  length = 0;
  /** Changes whenever the key list changes, so consumers can keep per-key work between samples. */
  keysVersion = 0;

  /** Starts a new sample. */
  begin(): void {
    this.length = 0;
  }

  /** Appends one series (the families call this in a fixed order). */
  put(key: string, value: number): void {
    const index = this.length++;
    if (this.keys[index] !== key) {
      this.keys[index] = key;
      this.keysVersion++;
    }
    this.values[index] = value;
  }

  /** Ends the sample: drops keys left over from a longer previous sample. */
  end(): void {
    if (this.keys.length === this.length) return;
    this.keys.length = this.length;
    this.values.length = this.length;
    this.keysVersion++;
  }

  /** The sample as `{ seriesKey: value }`. */
  toRecord(): Record<string, number> {
    const record: Record<string, number> = {};
    for (let index = 0; index < this.length; index++) record[this.keys[index]!] = this.values[index]!;
    return record;
  }
}
