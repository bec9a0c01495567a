/**
 * Shared foundations: clock, seeded randomness, invariants, numpy-compatible statistics, the
 * deterministic tokenizer and block hashing.
 * @module
 */
export { type Clock, RealClock, type RealClockOptions, type Timer, VirtualClock } from "./clock.ts";
export { PreciseClock } from "./precise_clock.ts";
export { invariant, InvariantError } from "./invariant.ts";
export { createRng, type Rng } from "./rng.ts";
export {
  countTokens,
  detokenize,
  FIRST_TEXT_ID,
  memoizedTokenize,
  OUTPUT_WORD_IDS,
  OUTPUT_WORDS,
  tokenize,
  VOCAB_SIZE,
} from "./tokens.ts";
export { blockHashes, hashBlock, ROOT_BLOCK_HASH } from "./block_hash.ts";
export { mean, type MetricStats, metricStats, percentile, percentileSorted, populationStd } from "./stats.ts";
export { type FlagSpec, parseFlags, ReportedError, runCli, UsageError } from "./cli.ts";
