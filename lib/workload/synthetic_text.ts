/**
 * Seeded filler text with an exact token count under routebench's tokenizer. Every word comes from
 * {@linkcode OUTPUT_WORDS} (a space plus at most 5 letters = exactly one token), so `n` words are
 * `n` tokens and a text's length is known without tokenizing it.
 * @module
 */
import { countTokens, OUTPUT_WORDS } from "../core/tokens.ts";
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

/**
 * A long seeded word text to cut prompts from cheaply: `slice` returns exactly `tokens` tokens as a
 * substring (shared memory), wrapping around. Each slice starts with a space.
 */
export class TextCorpus {
  readonly #text: string;
  readonly #starts: Int32Array;
  readonly #words: number;

  constructor(rng: Rng, words = 1 << 16) {
    const text = ` ${syntheticText(rng, words)}`;
    const starts = new Int32Array(words + 1);
    let w = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) starts[w++] = i;
    starts[words] = text.length;
    this.#text = text;
    this.#starts = starts;
    this.#words = words;
  }

  /** `tokens` words starting at word `offset` (mod corpus size), with a leading space. */
  slice(offset: number, tokens: number): string {
    let out = "";
    let at = ((offset % this.#words) + this.#words) % this.#words;
    let left = tokens;
    while (left > 0) {
      const take = Math.min(left, this.#words - at);
      out += this.#text.substring(this.#starts[at]!, this.#starts[at + take]!);
      left -= take;
      at = 0;
    }
    return out;
  }

  /**
   * A text of exactly `tokens` tokens that no other tag shares even a first token with (when
   * `tokens` allows): `tag:` followed by corpus words from a random offset.
   */
  uniqueText(rng: Rng, tag: string, tokens: number): string {
    const header = `${tag}:`;
    const headerTokens = countTokens(header);
    const offset = Math.floor(rng.float() * this.#words);
    if (tokens <= headerTokens) return this.slice(offset, tokens).slice(1);
    return header + this.slice(offset, tokens - headerTokens);
  }
}

/** sglang's length sampler: integers uniform on [max(floor(L·r), 1), L] (r = 1 → fixed L). */
export function sglangLength(rng: Rng, length: number, rangeRatio: number): number {
  if (!(rangeRatio >= 0 && rangeRatio <= 1)) {
    throw new RangeError(`Cannot sample lengths: range ratio must be in [0, 1]: got ${rangeRatio}`);
  }
  return rng.int(Math.max(Math.floor(length * rangeRatio), 1), length);
}
