/**
 * The `prefix-ratio` workload (Dynamo benchmarks/router/prefix_ratio_benchmark.py via AIPerf):
 * `numPrefixGroups` prefixes of `int(isl·ratio)` tokens; each request takes a random prefix plus a
 * unique suffix of Normal(isl·(1-ratio), sd = mean/4) tokens; output Normal(osl, osl/4).
 * @module
 */
import type { Rng } from "../core/rng.ts";
import { TextCorpus } from "./synthetic_text.ts";
import type { Workload } from "./types.ts";

/** Parameters of the `prefix-ratio` workload. */
export interface PrefixRatioParams {
  /** @default 200 */
  numPrompts?: number;
  /** @default 14000 */
  isl?: number;
  /** @default 200 */
  osl?: number;
  /** Share of the ISL that is a shared prefix, in [0, 1). @default 0.5 */
  prefixRatio?: number;
  /** @default 20 */
  numPrefixGroups?: number;
}

/** Builds the `prefix-ratio` workload. */
export function prefixRatioWorkload(params: PrefixRatioParams, rng: Rng): Workload {
  const numPrompts = params.numPrompts ?? 200;
  const isl = params.isl ?? 14000;
  const osl = params.osl ?? 200;
  const ratio = params.prefixRatio ?? 0.5;
  const groups = params.numPrefixGroups ?? 20;
  if (!(ratio >= 0 && ratio < 1)) {
    throw new RangeError(`Cannot build 'prefix-ratio': prefixRatio must be in [0, 1): got ${ratio}`);
  }
  if (!(Number.isInteger(groups) && groups >= 1)) {
    throw new RangeError(
      `Cannot build 'prefix-ratio': numPrefixGroups must be a positive integer: got ${groups}`,
    );
  }
  const corpus = new TextCorpus(rng.fork("corpus"));
  const text = rng.fork("text");
  const pick = rng.fork("pick");
  const prefixLen = Math.floor(isl * ratio);
  const prefixes = Array.from(
    { length: groups },
    (_, g) => prefixLen === 0 ? "" : corpus.uniqueText(text, `p${g}`, prefixLen),
  );
  const suffixMean = Math.floor(isl * (1 - ratio));
  const requests = Array.from({ length: numPrompts }, (_, i) => {
    const group = Math.floor(pick.float() * groups);
    const suffixLen = Math.max(1, Math.round(suffixMean + (suffixMean / 4) * pick.normal()));
    const outputTokens = Math.max(1, Math.round(osl + (osl / 4) * pick.normal()));
    // The suffix starts with a space, so the prefix's tokens stay a token prefix.
    const suffix = corpus.slice(Math.floor(text.float() * 65536), suffixLen);
    return {
      id: `prefix-ratio-${i}`,
      prompt: prefixes[group]! + suffix,
      promptTokens: prefixLen + suffixLen,
      outputTokens,
      sessionId: `prefix-${group}`,
    };
  });
  return { requests, info: { prefix_tokens: prefixLen } };
}
