/**
 * `datagen sin`: a Mooncake trace with a sinusoidal request rate (after Dynamo's sin_synth.py). For
 * each 1-s window starting at t, rate(t) = (min+max)/2 + (max-min)/2 · sin(2πt/period - π/2)
 * (starts at the minimum); the window gets Poisson(rate) requests spread uniformly; each request is
 * (isl1, osl1) with probability ratio(t) (same sinusoid between ratioMin and ratioMax), else
 * (isl2, osl2). Blocks are drawn from a pool of `totalBlocks` and chained, so two requests share an
 * id only when they share the whole prefix up to it.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import type { TraceRow } from "./mooncake_trace.ts";

/** Options of {@linkcode sinTrace}. */
export interface SinOptions {
  /** @default 100 */
  durationS?: number;
  /** @default 5 */
  rateMin?: number;
  /** @default 10 */
  rateMax?: number;
  /** @default 10 */
  periodS?: number;
  /** @default 100 */
  isl1?: number;
  /** @default 2000 */
  osl1?: number;
  /** @default 5000 */
  isl2?: number;
  /** @default 100 */
  osl2?: number;
  /** @default 0.2 */
  ratioMin?: number;
  /** @default 0.8 */
  ratioMax?: number;
  /** @default 512 */
  blockSize?: number;
  /** @default 10000 */
  totalBlocks?: number;
}

/** Generates the rows in time order. */
export function sinTrace(options: SinOptions, rng: Rng): TraceRow[] {
  const duration = options.durationS ?? 100;
  const period = options.periodS ?? 10;
  const blockSize = options.blockSize ?? 512;
  const pool = options.totalBlocks ?? 10000;
  if (!(duration > 0 && period > 0 && blockSize >= 1 && pool >= 1)) {
    throw new RangeError(
      "Cannot generate a sin trace: duration, period, block size and pool must be positive",
    );
  }
  const wave = (min: number, max: number, t: number) =>
    (min + max) / 2 + ((max - min) / 2) * Math.sin((2 * Math.PI * t) / period - Math.PI / 2);
  const ids = new Map<string, number>();
  const rows: TraceRow[] = [];
  for (let window = 0; window < duration; window++) {
    const rate = wave(options.rateMin ?? 5, options.rateMax ?? 10, window);
    const ratio = wave(options.ratioMin ?? 0.2, options.ratioMax ?? 0.8, window);
    const n = poisson(rng, rate);
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push((window + rng.float()) * 1000);
    times.sort((a, b) => a - b);
    for (const time of times) {
      const first = rng.float() < ratio;
      const isl = first ? options.isl1 ?? 100 : options.isl2 ?? 5000;
      const osl = first ? options.osl1 ?? 2000 : options.osl2 ?? 100;
      const hashIds: number[] = [];
      let parent = -1;
      for (let b = 0; b < Math.ceil(isl / blockSize); b++) {
        const key = `${parent}:${Math.floor(rng.float() * pool)}`;
        let id = ids.get(key);
        if (id === undefined) ids.set(key, id = ids.size);
        hashIds.push(id);
        parent = id;
      }
      rows.push({ timestamp: Math.round(time), input_length: isl, output_length: osl, hash_ids: hashIds });
    }
  }
  return rows;
}

/** Poisson(λ) sample: Knuth's product method below 30, a rounded normal above. */
export function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.float();
  while (p > limit) {
    k++;
    p *= rng.float();
  }
  return k;
}
