/**
 * Reads the engine's `usage` from the tail of a response the proxy forwards, without touching
 * the forwarded bytes. vLLM-style servers put `usage` last: in the final SSE chunk before
 * `data: [DONE]` when streaming, and as the last key of the JSON body otherwise, so the last few
 * KiB are enough.
 * @module
 */

/** The usage figures the router uses. */
export interface UsageFigures {
  promptTokens?: number;
  cachedTokens?: number;
  completionTokens?: number;
}

const TAIL_SLOTS = 64;
const decoder = new TextDecoder();

/**
 * Keeps references to the last chunks of a byte stream, enough for the last `capacityBytes`
 * unless the stream ends in more than 64 tiny (< 32-byte) chunks. `push` is O(1) and copies nothing (it runs
 * once per forwarded chunk); the work happens once, in `text()`.
 */
export class TailBuffer {
  readonly #capacityBytes: number;
  readonly #slots: (Uint8Array | undefined)[] = new Array(TAIL_SLOTS);
  #count = 0;

  constructor(capacityBytes = 2048) {
    this.#capacityBytes = capacityBytes;
  }

  /** Appends a chunk (kept by reference, not copied). */
  push(chunk: Uint8Array): void {
    this.#slots[this.#count++ % TAIL_SLOTS] = chunk;
  }

  /** The kept tail decoded as UTF-8 (a split character at the start decodes as U+FFFD, harmlessly). */
  text(): string {
    const kept: Uint8Array[] = [];
    let bytes = 0;
    for (
      let i = this.#count - 1;
      i >= 0 && i >= this.#count - TAIL_SLOTS && bytes < this.#capacityBytes;
      i--
    ) {
      const chunk = this.#slots[i % TAIL_SLOTS]!;
      kept.push(chunk);
      bytes += chunk.length;
    }
    if (kept.length === 1) return tailText(kept[0]!, this.#capacityBytes);
    // One copy and one decode: decoding chunk by chunk costs an op call per chunk.
    const joined = new Uint8Array(bytes);
    let offset = 0;
    for (let i = kept.length - 1; i >= 0; i--) {
      joined.set(kept[i]!, offset);
      offset += kept[i]!.length;
    }
    return decoder.decode(joined);
  }
}

/** The last `capacityBytes` (at least) of `bytes`, decoded as UTF-8. */
export function tailText(bytes: Uint8Array, capacityBytes = 2048): string {
  return decoder.decode(bytes.length > capacityBytes ? bytes.subarray(bytes.length - capacityBytes) : bytes);
}

/** Finds the last `"usage": {...}` object in `text` and reads its token counts. */
export function findUsage(text: string): UsageFigures | undefined {
  let index = text.lastIndexOf('"usage"');
  while (index >= 0) {
    const open = text.indexOf("{", index);
    const colon = text.indexOf(":", index);
    if (open > 0 && colon > 0 && colon < open && text.slice(colon + 1, open).trim() === "") {
      const close = matchingBrace(text, open);
      if (close > 0) {
        try {
          return readUsage(JSON.parse(text.slice(open, close + 1)));
        } catch {
          // not JSON after all: keep looking further back
        }
      }
    }
    index = index === 0 ? -1 : text.lastIndexOf('"usage"', index - 1);
  }
  return undefined;
}

function readUsage(usage: unknown): UsageFigures | undefined {
  if (typeof usage !== "object" || usage === null) return undefined;
  const record = usage as Record<string, unknown>;
  const figures: UsageFigures = {};
  if (typeof record.prompt_tokens === "number") figures.promptTokens = record.prompt_tokens;
  if (typeof record.completion_tokens === "number") figures.completionTokens = record.completion_tokens;
  const details = record.prompt_tokens_details as Record<string, unknown> | null | undefined;
  if (typeof details?.cached_tokens === "number") figures.cachedTokens = details.cached_tokens;
  return figures;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92) i++; // backslash escapes the next character
      else if (char === 34) inString = false;
    } else if (char === 34) {
      inString = true;
    } else if (char === 123) {
      depth++;
    } else if (char === 125 && --depth === 0) {
      return i;
    }
  }
  return -1;
}
