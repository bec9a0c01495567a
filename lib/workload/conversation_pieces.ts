/**
 * Growing conversation pieces, the way the Ray prefix-aware router benchmark splits ShareGPT: from a
 * pool of conversations, every turn prefix is a piece ("U1 A1", "U1 A1 U2 A2", ...), and the
 * requests are a seeded sample of the pieces. Pieces of one conversation share a prefix, which is
 * what prefix-aware routing can exploit.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import { countTokens } from "../core/tokens.ts";
import { type ChatMessage, renderMessages, type WorkloadRequest } from "./types.ts";

/**
 * One exchange: a user message and the assistant's reply (absent when the conversation ends on a
 * user message). A leading system message, if any, is kept with the first turn.
 */
export interface ConversationTurn {
  messages: ChatMessage[];
}

/** Where a sampled piece comes from: conversation index and number of turns it includes (≥ 1). */
export interface PieceRef {
  conversation: number;
  turns: number;
}

/**
 * Samples `numPrompts` pieces from conversations with the given turn counts: without replacement
 * while pieces remain, then (only if `numPrompts` exceeds the number of pieces) with replacement.
 */
export function samplePieces(turnCounts: readonly number[], numPrompts: number, rng: Rng): PieceRef[] {
  const all: PieceRef[] = [];
  for (let conversation = 0; conversation < turnCounts.length; conversation++) {
    for (let turns = 1; turns <= turnCounts[conversation]!; turns++) all.push({ conversation, turns });
  }
  if (all.length === 0) return [];
  rng.shuffle(all);
  const picked = all.slice(0, Math.min(numPrompts, all.length));
  while (picked.length < numPrompts) picked.push(rng.pick(all));
  return picked;
}

/** Builds the request for one piece: the first `turns` turns as messages plus their rendered text. */
export function pieceRequest(
  id: string,
  sessionId: string,
  turns: readonly ConversationTurn[],
  outputTokens: number,
): WorkloadRequest {
  const messages: ChatMessage[] = [];
  for (const turn of turns) messages.push(...turn.messages);
  const prompt = renderMessages(messages);
  return { id, prompt, messages, promptTokens: countTokens(prompt), outputTokens, sessionId };
}

/** Uniform integer output length in [min, max], validated. */
export function outputLengthSampler(rng: Rng, min: number, max: number): () => number {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
    throw new RangeError(
      `Cannot sample output lengths: need integers 1 <= min_output_len <= max_output_len: got ${min} and ${max}`,
    );
  }
  return () => rng.int(min, max);
}
