/**
 * A deterministic, download-free tokenizer. Text is cut into pieces the way BPE pre-tokenizers do
 * (an optional leading space glued to a run of up to 5 letters, up to 3 digits, or one other
 * character; runs of whitespace), and each piece is hashed to an id. The same text always yields the
 * same ids, so requests that share a text prefix share a token prefix and hit the engine's prefix
 * cache. English prose averages about 4 characters per token, close to real BPE tokenizers.
 * @module
 */
import type { Rng } from "./rng.ts";

/** Size of the id space; ids below {@linkcode FIRST_TEXT_ID} are reserved. */
export const VOCAB_SIZE = 128_000;
/** The first id a text piece can map to. */
export const FIRST_TEXT_ID = 256;

const SPACE = 32;

/** Character classes of ASCII code units; everything else is {@linkcode OTHER}. */
const OTHER = 0;
const WHITESPACE = 1;
const LETTER = 2;
const DIGIT = 3;
const ASCII_CLASS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  ASCII_CLASS[code] = code === SPACE || (code >= 9 && code <= 13)
    ? WHITESPACE
    : (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
    ? LETTER
    : code >= 48 && code <= 57
    ? DIGIT
    : OTHER;
}
const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
const ID_RANGE = VOCAB_SIZE - FIRST_TEXT_ID;

/** Token ids of `text`. */
export function tokenize(text: string): number[] {
  const ids: number[] = [];
  scanPieces(text, ids);
  return ids;
}

/**
 * A `tokenize` that remembers the ids of up to `maxEntries` texts (then starts over), for callers
 * that see the same texts again and again (the simulation sends one workload to every strategy).
 * The returned arrays are shared: callers must not mutate them.
 */
export function memoizedTokenize(maxEntries = 20_000): (text: string) => number[] {
  const cache = new Map<string, number[]>();
  return (text) => {
    let ids = cache.get(text);
    if (ids === undefined) {
      if (cache.size >= maxEntries) cache.clear();
      ids = tokenize(text);
      cache.set(text, ids);
    }
    return ids;
  };
}

/** Number of tokens in `text`, without building the id list. */
export function countTokens(text: string): number {
  return scanPieces(text, null);
}

/**
 * Words the mock engine generates. Each is one token (a space plus at most 5 letters), so the
 * generated text tokenizes back to exactly the generated ids.
 */
export const OUTPUT_WORDS: readonly string[] = uniqueIdWords(
  "the of and to in is it that was for on are as with his they at be this from have or by one had " +
    "not but what all were when we there can an your which their said if do will each about how up " +
    "out them then she many some so these would other into has more her two like him see time could " +
    "no make than first been its who now people my made over did down only way find use may water " +
    "long little very after words called just where most know get through back much go good new " +
    "write our me man too any day same right look think also around another came come work three " +
    "word must because does part even place well such here take why things help put years different " +
    "away again off went old number great tell men say small every found still between name should " +
    "home big give air line set own under read last never us left end along while might next sound " +
    "below saw something thought both few those always looked show large often together asked house " +
    "world going want school important until form food keep children feet land side without boy once " +
    "animals life enough took sometimes four head above kind began almost live page got earth need " +
    "far hand high year mother light parts country father let night following picture being study " +
    "second eyes soon times story boys since white days ever paper hard near sentence better best " +
    "across during today others however sure means knew try told young miles sun ways thing whole",
);

/** Id of each word in {@linkcode OUTPUT_WORDS}, in the same order. */
export const OUTPUT_WORD_IDS: readonly number[] = OUTPUT_WORDS.map((word) => tokenize(word)[0]!);

const WORD_BY_ID = new Map<number, string>(OUTPUT_WORDS.map((word, i) => [OUTPUT_WORD_IDS[i]!, word]));

/**
 * Text of generated ids. Ids outside {@linkcode OUTPUT_WORDS} have no known text and come back as
 * `<id>`, since hashing is one-way.
 */
export function detokenize(ids: readonly number[]): string {
  let text = "";
  for (const id of ids) text += WORD_BY_ID.get(id) ?? `<${id}>`;
  return text;
}

/** Space-prefixed words of at most 5 letters whose ids are all distinct (hashes may collide). */
function uniqueIdWords(words: string): string[] {
  const seen = new Set<number>();
  const kept: string[] = [];
  for (const word of words.split(" ")) {
    const token = ` ${word}`;
    const ids = tokenize(token);
    if (word.length > 5 || ids.length !== 1 || seen.has(ids[0]!)) continue;
    seen.add(ids[0]!);
    kept.push(token);
  }
  return kept;
}

function classOf(code: number): number {
  return code < 128 ? ASCII_CLASS[code]! : OTHER;
}

/**
 * Cuts `text` into pieces; pushes each piece's id onto `ids` unless it is null. Returns the number of
 * pieces. One pass with each piece's FNV-1a hash (over its UTF-16 code units) computed while it is
 * scanned: this is on the hot path of every request (the engine tokenizes every prompt).
 */
function scanPieces(text: string, ids: number[] | null): number {
  const length = text.length;
  let count = 0;
  let index = 0;
  while (index < length) {
    let hash = FNV_OFFSET;
    let code = text.charCodeAt(index);
    let cls = classOf(code);
    if (cls === WHITESPACE) {
      const next = index + 1 < length ? text.charCodeAt(index + 1) : SPACE;
      const nextCls = classOf(next);
      if (code === SPACE && nextCls !== WHITESPACE) {
        // A single space glues to the piece that follows it.
        hash = Math.imul(hash ^ code, FNV_PRIME);
        index++;
        code = next;
        cls = nextCls;
      } else {
        do {
          hash = Math.imul(hash ^ code, FNV_PRIME);
          index++;
        } while (index < length && classOf(code = text.charCodeAt(index)) === WHITESPACE);
        count++;
        if (ids !== null) ids.push(FIRST_TEXT_ID + ((hash >>> 0) % ID_RANGE));
        continue;
      }
    }
    if (cls === LETTER || cls === DIGIT) {
      const limit = Math.min(length, index + (cls === LETTER ? 5 : 3));
      do {
        hash = Math.imul(hash ^ code, FNV_PRIME);
        index++;
      } while (index < limit && classOf(code = text.charCodeAt(index)) === cls);
    } else {
      hash = Math.imul(hash ^ code, FNV_PRIME);
      index++;
    }
    count++;
    if (ids !== null) ids.push(FIRST_TEXT_ID + ((hash >>> 0) % ID_RANGE));
  }
  return count;
}

/**
 * `tokens` seeded words joined by single spaces, without a leading space (`"the of and"`). Every word
 * is one of {@linkcode OUTPUT_WORDS} (a space plus at most 5 letters = exactly one token), so the text
 * is exactly `tokens` tokens, and still is when appended after a non-space character.
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
