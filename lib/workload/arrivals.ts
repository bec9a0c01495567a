/**
 * Open-loop arrival schedules. Times are absolute offsets from the run start, so a late send never
 * shifts later ones (unlike sglang's relative sleeps). Inter-arrival times are
 * Gamma(shape = burstiness, scale = 1 / (rate · burstiness)) as in vLLM: burstiness 1 is Poisson,
 * below 1 burstier, Infinity constant spacing. The first request goes at 0 (as sglang).
 * @module
 */
import type { Rng } from "../core/rng.ts";

/** Options of {@linkcode arrivalTimesMs}. */
export interface ArrivalOptions {
  count: number;
  /** Requests per second; Infinity puts every arrival at 0. */
  requestRate: number;
  /** Gamma shape. @default 1 */
  burstiness?: number;
}

/** Send offsets in ms for `count` requests. */
export function arrivalTimesMs(options: ArrivalOptions, rng: Rng): number[] {
  const { count, requestRate } = options;
  const burstiness = options.burstiness ?? 1;
  if (!(requestRate > 0)) {
    throw new RangeError(`Cannot schedule arrivals: 'requestRate' must be > 0: got ${requestRate}`);
  }
  if (!(burstiness > 0)) {
    throw new RangeError(`Cannot schedule arrivals: 'burstiness' must be > 0: got ${burstiness}`);
  }
  const times = new Array<number>(count);
  if (requestRate === Infinity) return times.fill(0);
  const meanMs = 1000 / requestRate;
  let t = 0;
  for (let i = 0; i < count; i++) {
    times[i] = t;
    t += burstiness === Infinity ? meanMs : rng.gamma(burstiness, meanMs / burstiness);
  }
  return times;
}
