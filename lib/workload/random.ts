/**
 * The `random` workload (sglang `--dataset-name random`): prompts of sampled length with no shared
 * prefix, lengths uniform on [max(floor(L·r), 1), L] — sglang's meaning of the range ratio, so the
 * default r = 0 gives U[1, L].
 * @module
 */
import type { Rng } from "../core/rng.ts";
import { sglangLength, TextCorpus } from "./synthetic_text.ts";
import type { Workload } from "./types.ts";

/** Parameters of the `random` workload. */
export interface RandomParams {
  /** @default 1000 */
  numPrompts?: number;
  /** @default 1024 */
  inputLen?: number;
  /** @default 1024 */
  outputLen?: number;
  /** Lower bound as a fraction of the length (sglang). @default 0 */
  rangeRatio?: number;
}

/** Builds the `random` workload. */
export function randomWorkload(params: RandomParams, rng: Rng): Workload {
  const numPrompts = params.numPrompts ?? 1000;
  const inputLen = params.inputLen ?? 1024;
  const outputLen = params.outputLen ?? 1024;
  const ratio = params.rangeRatio ?? 0;
  if (!(inputLen >= 1 && outputLen >= 1)) {
    throw new RangeError(
      `Cannot build 'random': inputLen and outputLen must be >= 1: got ${inputLen}, ${outputLen}`,
    );
  }
  const corpus = new TextCorpus(rng.fork("corpus"));
  const lengths = rng.fork("lengths");
  const text = rng.fork("text");
  const requests = Array.from({ length: numPrompts }, (_, i) => {
    const promptTokens = sglangLength(lengths, inputLen, ratio);
    return {
      id: `random-${i}`,
      prompt: corpus.uniqueText(text, `r${i}`, promptTokens),
      promptTokens,
      outputTokens: sglangLength(lengths, outputLen, ratio),
    };
  });
  return { requests };
}
