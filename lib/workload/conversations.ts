/**
 * The `conversations` workload (the default): ShareGPT-like multi-turn conversations generated from
 * a seed, split into growing pieces exactly like the `sharegpt` workload, so nothing needs
 * downloading. Shapes follow the long-conversation ShareGPT set the Ray benchmark used (16+
 * messages, i.e. at least 8 exchanges): user messages lognormal around 40 tokens, replies around
 * 180 tokens. The default pool of 340 conversations gives, for 1,000 sampled pieces, about 320
 * distinct conversations with ~3 pieces each — the sharing the Ray write-up reports (~333 groups).
 * Only the conversations that are sampled get their text built.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import {
  type ConversationTurn,
  outputLengthSampler,
  pieceRequest,
  samplePieces,
} from "./conversation_pieces.ts";
import { lognormalInt, syntheticText } from "./synthetic_text.ts";
import type { Workload } from "./types.ts";

/** Parameters of the `conversations` workload. */
export interface ConversationsParams {
  /** Requests to sample. @default 1000 */
  numPrompts?: number;
  /** Conversations in the pool. @default 340 */
  maxConversations?: number;
  /** @default 10 */
  minOutputLen?: number;
  /** @default 200 */
  maxOutputLen?: number;
  /** Fewest exchanges per conversation. @default 8 */
  minTurns?: number;
  /** Mean exchanges per conversation (minTurns + exponential excess). @default 12 */
  meanTurns?: number;
  /** Most exchanges per conversation. @default 40 */
  maxTurns?: number;
  /** Median user-message length in tokens. @default 40 */
  userTokensMedian?: number;
  /** Median assistant-message length in tokens. @default 180 */
  assistantTokensMedian?: number;
  /** Optional system prompt length in tokens at the start of every conversation (distinct per conversation). @default 0 */
  systemTokens?: number;
}

/** Builds the `conversations` workload. */
export function conversationsWorkload(params: ConversationsParams, rng: Rng): Workload {
  const numPrompts = params.numPrompts ?? 1000;
  const count = params.maxConversations ?? 340;
  const minTurns = params.minTurns ?? 8;
  const meanTurns = params.meanTurns ?? 12;
  const maxTurns = params.maxTurns ?? 40;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(
      `Cannot build conversations: 'maxConversations' must be a positive integer: got ${count}`,
    );
  }
  if (!(minTurns >= 1 && meanTurns >= minTurns && maxTurns >= minTurns)) {
    throw new RangeError(
      `Cannot build conversations: need 1 <= minTurns <= meanTurns and minTurns <= maxTurns: got ${minTurns}, ${meanTurns}, ${maxTurns}`,
    );
  }
  const sampleOutput = outputLengthSampler(
    rng.fork("output"),
    params.minOutputLen ?? 10,
    params.maxOutputLen ?? 200,
  );
  const countRng = rng.fork("turn-counts");
  const turnCounts: number[] = [];
  for (let i = 0; i < count; i++) {
    const excess = meanTurns > minTurns ? Math.floor(countRng.exponential(1 / (meanTurns - minTurns))) : 0;
    turnCounts.push(Math.min(maxTurns, minTurns + excess));
  }
  const pieces = samplePieces(turnCounts, numPrompts, rng.fork("pieces"));
  const built = new Map<number, ConversationTurn[]>();
  const requests = pieces.map((piece, i) => {
    let turns = built.get(piece.conversation);
    if (turns === undefined) {
      turns = buildConversation(
        rng.fork(`conversation-${piece.conversation}`),
        turnCounts[piece.conversation]!,
        params,
      );
      built.set(piece.conversation, turns);
    }
    return pieceRequest(
      `conversations-${i}`,
      `conversation-${piece.conversation}`,
      turns.slice(0, piece.turns),
      sampleOutput(),
    );
  });
  const totalPieces = turnCounts.reduce((sum, n) => sum + n, 0);
  return {
    requests,
    info: { conversations: count, pieces: totalPieces, sampled_conversations: built.size },
  };
}

function buildConversation(rng: Rng, turnCount: number, params: ConversationsParams): ConversationTurn[] {
  const userMedian = params.userTokensMedian ?? 40;
  const assistantMedian = params.assistantTokensMedian ?? 180;
  const turns: ConversationTurn[] = [];
  for (let t = 0; t < turnCount; t++) {
    const user = syntheticText(rng, lognormalInt(rng, userMedian, 1.0, 4, 4000));
    const assistant = syntheticText(rng, lognormalInt(rng, assistantMedian, 0.7, 8, 2000));
    const messages: ConversationTurn["messages"] = [];
    if (t === 0 && (params.systemTokens ?? 0) > 0) {
      messages.push({ role: "system", content: syntheticText(rng, params.systemTokens!) });
    }
    messages.push({ role: "user", content: user }, { role: "assistant", content: assistant });
    turns.push({ messages });
  }
  return turns;
}
