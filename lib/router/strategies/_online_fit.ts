/**
 * Recursive least squares with exponential forgetting: fits y ≈ θ·x online, one observation at a
 * time, in O(d²) per update. Used by predicted_latency to learn each worker's TTFT coefficients.
 * @module
 */
import { invariant } from "../../core/invariant.ts";

/** An online linear fit. */
export class OnlineLinearFit {
  readonly theta: number[];
  #p: number[][];
  readonly #forgetting: number;
  /** Observations so far. */
  count = 0;

  /**
   * @param prior initial coefficients
   * @param priorVariance initial variance of each coefficient (large: the data take over quickly)
   * @param forgetting weight of the past per update, in (0, 1]
   */
  constructor(prior: readonly number[], priorVariance: number, forgetting: number) {
    invariant(forgetting > 0 && forgetting <= 1, "forgetting factor must be in (0, 1]");
    this.theta = [...prior];
    this.#p = prior.map((_, i) => prior.map((_, j) => (i === j ? priorVariance : 0)));
    this.#forgetting = forgetting;
  }

  /** θ·x. */
  predict(x: readonly number[]): number {
    let y = 0;
    for (let i = 0; i < x.length; i++) y += this.theta[i]! * x[i]!;
    return y;
  }

  /** Updates θ with one observation. Non-finite inputs are ignored. */
  update(x: readonly number[], y: number): void {
    if (!Number.isFinite(y) || !x.every(Number.isFinite)) return;
    const d = x.length;
    const p = this.#p;
    const px = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) px[i]! += p[i]![j]! * x[j]!;
    let denominator = this.#forgetting;
    for (let i = 0; i < d; i++) denominator += x[i]! * px[i]!;
    const error = y - this.predict(x);
    for (let i = 0; i < d; i++) this.theta[i]! += (px[i]! / denominator) * error;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) p[i]![j] = (p[i]![j]! - (px[i]! * px[j]!) / denominator) / this.#forgetting;
    }
    this.count++;
  }
}
