/**
 * Step-time models (engines.md §10.2), pure functions of a step's batch shape. The scheduler never
 * knows a constant; the engine loop asks {@linkcode TimingModel.stepMs} and divides by the speedup.
 * @module
 */
import type { EngineProfile, PolynomialTiming, RooflineTiming } from "./profile.ts";

/**
 * Aggregates of one forward pass. A prefill chunk i computes `n_i` new tokens on top of `c_i`
 * tokens already in its KV; a decode request j reads a context of `L_j` tokens.
 */
export interface StepShape {
  /** |P|: requests with a prefill chunk in this step. */
  numPrefills: number;
  /** Σ n_i. */
  prefillTokens: number;
  /** Σ (n_i·c_i + n_i²/2): causal attention pairs of the prefill chunks. */
  prefillAttentionPairs: number;
  /** |D|: decode requests (one token each). */
  numDecodes: number;
  /** Σ L_j over the decode requests. */
  decodeContextTokens: number;
}

/** A zeroed shape, for reuse. */
export function emptyStepShape(): StepShape {
  return {
    numPrefills: 0,
    prefillTokens: 0,
    prefillAttentionPairs: 0,
    numDecodes: 0,
    decodeContextTokens: 0,
  };
}

/** Adds one prefill chunk of `newTokens` on top of `contextTokens` already computed. */
export function addPrefill(shape: StepShape, newTokens: number, contextTokens: number): void {
  shape.numPrefills++;
  shape.prefillTokens += newTokens;
  shape.prefillAttentionPairs += newTokens * contextTokens + (newTokens * newTokens) / 2;
}

/** Adds one decode request whose context (before this token) is `contextTokens`. */
export function addDecode(shape: StepShape, contextTokens: number): void {
  shape.numDecodes++;
  shape.decodeContextTokens += contextTokens;
}

/** Computes a step's modelled duration. */
export interface TimingModel {
  /** Modelled duration of one step in ms (before jitter and speedup); 0 for an empty step. */
  stepMs(shape: StepShape): number;
}

/** Builds the model of `profile`; `kvCapacityTokens` is what the polynomial's KV fraction divides by. */
export function createTimingModel(profile: EngineProfile, kvCapacityTokens: number): TimingModel {
  const timing = profile.timing;
  return timing.kind === "roofline"
    ? new RooflineModel(timing)
    : new PolynomialModel(timing, kvCapacityTokens);
}

class RooflineModel implements TimingModel {
  readonly #t: RooflineTiming;

  constructor(timing: RooflineTiming) {
    this.#t = timing;
  }

  stepMs(shape: StepShape): number {
    const t = this.#t;
    const requests = shape.numPrefills + shape.numDecodes;
    if (requests === 0) return 0;
    const tokens = shape.prefillTokens + shape.numDecodes;
    return t.step_overhead_ms +
      Math.max(t.weight_read_ms, tokens * t.linear_ms_per_token) +
      t.attention_ms_per_pair * shape.prefillAttentionPairs +
      t.kv_read_ms_per_token * shape.decodeContextTokens +
      t.per_request_ms * requests;
  }
}

class PolynomialModel implements TimingModel {
  readonly #t: PolynomialTiming;
  readonly #kvCapacityTokens: number;

  constructor(timing: PolynomialTiming, kvCapacityTokens: number) {
    this.#t = timing;
    this.#kvCapacityTokens = kvCapacityTokens;
  }

  stepMs(shape: StepShape): number {
    const [p0, p1, p2] = this.#t.prefill_coefficients;
    const [d0, d1, d2] = this.#t.decode_coefficients;
    const newTokens = shape.prefillTokens;
    const prefill = newTokens > 0 ? p0 + p1 * newTokens + p2 * newTokens * newTokens : 0;
    if (shape.numDecodes === 0) return prefill;
    // Logical Σ context of the decodes (Dynamo PR #12583), saturating at a full cache.
    const u = Math.min(1, shape.decodeContextTokens / this.#kvCapacityTokens);
    return prefill + Math.max(this.#t.decode_floor_ms, d0 + d1 * u + d2 * u * u);
  }
}
