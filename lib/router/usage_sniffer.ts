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

/** Keeps the last `capacityBytes` (at least) of a byte stream as a list of chunks. */
export class TailBuffer {
  readonly #capacityBytes: number;
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  constructor(capacityBytes = 2048) {
    this.#capacityBytes = capacityBytes;
  }

  /** Appends a chunk (kept by reference, not copied). */
  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#chunks.length > 1 && this.#bytes - this.#chunks[0]!.length >= this.#capacityBytes) {
      this.#bytes -= this.#chunks.shift()!.length;
    }
  }

  /** The kept tail decoded as UTF-8 (a split character at the start decodes as U+FFFD, harmlessly). */
  text(): string {
    const decoder = new TextDecoder();
    let text = "";
    for (const chunk of this.#chunks) text += decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  }
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
