/**
 * One request inside the engine: its token sequence (prompt then output), KV blocks, progress,
 * output plan, and the lifecycle timestamps vLLM keeps (arrival = queued, first scheduled, first
 * token, last token). All times are in the engine clock's ms.
 * @module
 */
import { createRng, type Rng } from "../core/rng.ts";
import { OUTPUT_WORD_IDS, OUTPUT_WORDS } from "../core/tokens.ts";

/** Why a request finished (vLLM's FINISH_REASON_STRINGS that a mock can produce). */
export type FinishReason = "stop" | "length" | "abort";

/** The id of the end-of-sequence token a naturally stopping request ends with (reserved id, no text). */
export const EOS_TOKEN_ID = 2;

/** What a caller submits to the engine core. */
export interface EngineRequestInput {
  /** Unique id (e.g. `cmpl-…`). */
  id: string;
  /** Prompt token ids (lib/core tokenize of the prompt text). */
  promptTokenIds: number[];
  /** Most output tokens (already resolved against max_model_len). */
  maxTokens: number;
  /** Whether the client set max_tokens / max_completion_tokens (for `request_params_max_tokens`). */
  maxTokensGiven?: boolean;
  /** No EOS before this many tokens. */
  minTokens?: number;
  /** Generate exactly `maxTokens`. */
  ignoreEos?: boolean;
  /** Seed of the output text and natural length; default derives from the prompt and engine seed. */
  seed?: number;
}

/** What the engine reports at the end of a request. */
export interface FinishResult {
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens served from the prefix cache at first scheduling (`cached_tokens`). */
  cachedTokens: number;
}

/** Receives a request's output, called from the engine loop at the end of each step. */
export interface RequestSink {
  /**
   * One generated token and its text (empty for EOS). `finishReason` is set on the last token, and
   * {@linkcode RequestSink.onFinish} follows in the same step.
   */
  onToken(tokenId: number, text: string, finishReason: FinishReason | null): void;
  /** The request ended (after its last onToken, or on abort with no further token). */
  onFinish(result: FinishResult): void;
}

/** Lifecycle state. */
export type RequestStatus = "waiting" | "running" | "finished";

/** Engine-side state of one request. */
export class EngineRequest {
  readonly id: string;
  readonly sink: RequestSink;
  /** Prompt then output token ids; grows by one per generated token. */
  readonly tokenIds: number[];
  readonly numPromptTokens: number;
  readonly maxTokens: number;
  readonly maxTokensGiven: boolean;
  /** Output length at which the request stops. */
  readonly targetOutputTokens: number;
  /** Finish reason when it reaches {@linkcode targetOutputTokens}. */
  readonly targetFinishReason: FinishReason;
  status: RequestStatus = "waiting";
  /** Tokens whose KV is computed. */
  numComputedTokens = 0;
  /** Allocated KV blocks, in sequence order. */
  readonly blocks: number[] = [];
  /** Chained hashes of the full blocks of {@linkcode tokenIds} computed so far. */
  readonly blockHashes: number[] = [];
  /** Leading blocks already registered in (or taken from) the prefix cache. */
  numCachedBlocks = 0;
  /** Prefix-cache hit at first scheduling; -1 before. */
  numCachedTokens = -1;
  numPreemptions = 0;
  outputTokens = 0;
  readonly arrivalMs: number;
  scheduledMs = -1;
  firstTokenMs = -1;
  lastTokenMs = -1;
  readonly #rng: Rng;

  constructor(
    input: EngineRequestInput,
    sink: RequestSink,
    arrivalMs: number,
    engineSeed: number,
    natural: NaturalLength,
  ) {
    this.id = input.id;
    this.sink = sink;
    this.tokenIds = input.promptTokenIds.slice();
    this.numPromptTokens = input.promptTokenIds.length;
    this.maxTokens = input.maxTokens;
    this.maxTokensGiven = input.maxTokensGiven ?? true;
    this.arrivalMs = arrivalMs;
    const seed = input.seed ?? hashIds(input.promptTokenIds, engineSeed);
    this.#rng = createRng(seed);
    const minTokens = Math.min(input.minTokens ?? 0, input.maxTokens);
    if (input.ignoreEos) {
      this.targetOutputTokens = input.maxTokens;
      this.targetFinishReason = "length";
    } else {
      // Output length counts the EOS token, which comes after at least min_tokens others.
      const naturalTokens = Math.max(
        1,
        Math.round(natural.medianTokens * Math.exp(natural.sigma * this.#rng.normal())),
      );
      const eosAt = Math.max(naturalTokens, minTokens + 1);
      this.targetOutputTokens = Math.min(eosAt, input.maxTokens);
      this.targetFinishReason = eosAt <= input.maxTokens ? "stop" : "length";
    }
  }

  /** Prompt plus output tokens so far. */
  get numTokens(): number {
    return this.tokenIds.length;
  }

  /** Draws the next output token; the last one of a natural stop is EOS. Returns its index in {@linkcode OUTPUT_WORDS}, or -1 for EOS. */
  nextToken(): number {
    const isLast = this.outputTokens + 1 === this.targetOutputTokens;
    if (isLast && this.targetFinishReason === "stop") {
      this.tokenIds.push(EOS_TOKEN_ID);
      this.outputTokens++;
      return -1;
    }
    const index = Math.floor(this.#rng.float() * OUTPUT_WORD_IDS.length);
    this.tokenIds.push(OUTPUT_WORD_IDS[index]!);
    this.outputTokens++;
    return index;
  }

  /** Whether the request has produced its last token. */
  get isDone(): boolean {
    return this.outputTokens >= this.targetOutputTokens;
  }
}

/** Log-normal natural output length (used when ignore_eos is false). */
export interface NaturalLength {
  medianTokens: number;
  sigma: number;
}

/** Text of the output word at `index` (from {@linkcode EngineRequest.nextToken}), "" for EOS. */
export function tokenText(index: number): string {
  return index < 0 ? "" : OUTPUT_WORDS[index]!;
}

function hashIds(ids: readonly number[], seed: number): number {
  let hash = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < ids.length; i++) hash = Math.imul(hash ^ ids[i]!, 16777619);
  return hash >>> 0;
}
