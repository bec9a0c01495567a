/**
 * Reads the engine's `usage` from the tail of a response the proxy forwards, without touching
 * the forwarded bytes. vLLM-style servers put `usage` last: in the final SSE chunk before
 * `data: [DONE]` when streaming, and as the last key of the JSON body otherwise, so the last few
 * KiB are enough.
 * @module
 */
import { concatBytes } from "../core/bytes.ts";

/** The usage figures the router uses. */
export interface UsageFigures {
  promptTokens?: number;
  cachedTokens?: number;
  completionTokens?: number;
}

const decoder = new TextDecoder();

/**
 * The last `capacityBytes` of a byte stream, copied into a ring as chunks pass (the proxy reads
 * into reused buffers, so chunks cannot be kept by reference). `push` copies at most
 * `capacityBytes`; the decode happens once, in `text()`.
 */
export class TailBuffer {
  readonly #ring: Uint8Array;
  /** Bytes pushed so far (the ring's write position is this modulo its length). */
  #written = 0;

  constructor(capacityBytes = 2048) {
    this.#ring = new Uint8Array(capacityBytes);
  }

  /** Appends a copy of `chunk`'s bytes (the caller may reuse `chunk` afterwards). */
  push(chunk: Uint8Array): void {
    const ring = this.#ring;
    const bytes = chunk.length > ring.length ? chunk.subarray(chunk.length - ring.length) : chunk;
    const at = (this.#written + chunk.length - bytes.length) % ring.length;
    const first = Math.min(bytes.length, ring.length - at);
    ring.set(first === bytes.length ? bytes : bytes.subarray(0, first), at);
    if (first < bytes.length) ring.set(bytes.subarray(first), 0);
    this.#written += chunk.length;
  }

  /** Forgets everything pushed, for reuse. */
  clear(): void {
    this.#written = 0;
  }

  /** The kept tail decoded as UTF-8 (a split character at the start decodes as U+FFFD, harmlessly). */
  text(): string {
    const ring = this.#ring;
    if (this.#written <= ring.length) return decoder.decode(ring.subarray(0, this.#written));
    const at = this.#written % ring.length;
    if (at === 0) return decoder.decode(ring);
    return decoder.decode(concatBytes([ring.subarray(at), ring.subarray(0, at)]));
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
