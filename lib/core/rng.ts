/**
 * Seeded, splittable random numbers. Nothing in lib/ uses Math.random(): every component takes an
 * {@linkcode Rng} (usually `rng.fork("component")`) so runs repeat exactly for a seed.
 * @module
 */

/** A deterministic random source. */
export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [low, high], both inclusive. */
  int(low: number, high: number): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Gamma(shape, scale) (Marsaglia–Tsang). */
  gamma(shape: number, scale: number): number;
  /** A new independent generator derived from this one's seed and `label`. */
  fork(label: string): Rng;
  /** Picks one element uniformly. */
  pick<T>(items: readonly T[]): T;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
}

/** Creates a generator (sfc32) from a numeric seed. */
export function createRng(seed: number): Rng {
  return new Sfc32Rng(seed >>> 0, Math.floor(seed / 0x100000000) >>> 0);
}

class Sfc32Rng implements Rng {
  #a: number;
  #b: number;
  #c: number;
  #d = 1;
  readonly #seedLow: number;
  readonly #seedHigh: number;

  constructor(seedLow: number, seedHigh: number) {
    this.#seedLow = seedLow;
    this.#seedHigh = seedHigh;
    this.#a = 0x9e3779b9;
    this.#b = seedLow;
    this.#c = seedHigh ^ 0x243f6a88;
    for (let i = 0; i < 15; i++) this.#next();
  }

  #next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return this.#next() / 4294967296;
  }

  int(low: number, high: number): number {
    return low + Math.floor(this.float() * (high - low + 1));
  }

  exponential(rate: number): number {
    return -Math.log(1 - this.float()) / rate;
  }

  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  gamma(shape: number, scale: number): number {
    if (shape < 1) {
      return this.gamma(shape + 1, scale) * Math.pow(1 - this.float(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v0 = 1 + c * x;
      if (v0 <= 0) continue;
      const v = v0 * v0 * v0;
      const u = 1 - this.float();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
    }
  }

  fork(label: string): Rng {
    let hash = 2166136261;
    for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 16777619);
    return new Sfc32Rng((this.#seedLow ^ hash) >>> 0, (this.#seedHigh + (hash >>> 0) + 1) >>> 0);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Cannot pick from an empty list");
    return items[Math.floor(this.float() * items.length)]!;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
