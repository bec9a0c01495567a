/**
 * Seeded filler text with an exact token count under routebench's tokenizer. Every word comes from
 * {@linkcode OUTPUT_WORDS} (a space plus at most 5 letters = exactly one token), so `n` words are
 * `n` tokens and a text's length is known without tokenizing it.
 * @module
 */
import { OUTPUT_WORDS } from "../core/tokens.ts";
import type { Rng } from "../core/rng.ts";

/**
 * `tokens` seeded words joined by single spaces, without a leading space (`"the of and"`).
 * Appended after a non-space character it still counts as exactly `tokens` tokens.
 */
export function syntheticText(rng: Rng, tokens: number): string {
  if (!Number.isInteger(tokens) || tokens < 0) {
    throw new RangeError(
      `Cannot build text: 'tokens' must be a non-negative integer: current value is ${tokens}`,
    );
  }
  if (tokens === 0) return "";
  const words = OUTPUT_WORDS;
  const parts = new Array<string>(tokens);
  for (let i = 0; i < tokens; i++) parts[i] = words[Math.floor(rng.float() * words.length)]!;
  return parts.join("").slice(1);
}

/**
 * Draws an integer from a lognormal distribution with the given median, clamped to [min, max].
 * ShareGPT message lengths are roughly lognormal (a long right tail).
 */
export function lognormalInt(rng: Rng, median: number, sigma: number, min: number, max: number): number {
  const value = Math.round(median * Math.exp(sigma * rng.normal()));
  return Math.min(max, Math.max(min, value));
}
