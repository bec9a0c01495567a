/**
 * Seeded filler text with an exact token count under routebench's tokenizer: `syntheticText` (kept in
 * lib/core, where the engine's and router's warm-ups use it too), lognormal lengths and a corpus to
 * cut prompts from, so a text's length is known without tokenizing it.
 * @module
 */
import { countTokens, syntheticText } from "../core/tokens.ts";
import type { Rng } from "../core/rng.ts";

export { syntheticText };

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
