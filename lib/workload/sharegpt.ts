/**
 * The `sharegpt` workload: a ShareGPT JSON file split into growing conversation pieces exactly as
 * the Ray benchmark does (pick `maxConversations` conversations, every turn prefix is a piece,
 * sample `numPrompts` pieces, output length uniform in [minOutputLen, maxOutputLen]).
 *
 * Accepted variants: a list of conversations or one conversation object; messages under
 * `conversations` or `conversation` with `from`/`value` or `role`/`content`; roles human/user,
 * gpt/assistant/chatgpt/bing/bard, system; objects with only `prompt`/`response`; JSONL.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import {
  type ConversationTurn,
  outputLengthSampler,
  pieceRequest,
  samplePieces,
} from "./conversation_pieces.ts";
import { type ChatMessage, SkipCounter, type Workload } from "./types.ts";

/** Parameters of the `sharegpt` workload. */
export interface ShareGptParams {
  /** Path of the ShareGPT JSON or JSONL file. */
  path: string;
  /** Requests to sample. @default 1000 */
  numPrompts?: number;
  /** Conversations picked from the file before splitting. @default 10000 */
  maxConversations?: number;
  /** @default 10 */
  minOutputLen?: number;
  /** @default 200 */
  maxOutputLen?: number;
  /** Fixed output length; overrides the min/max range (sglang `--sharegpt-output-len`). */
  outputLen?: number;
}

/** A parsed ShareGPT file: conversations as turns, and what was skipped. */
export interface ShareGptConversations {
  conversations: ConversationTurn[][];
  skipped: SkipCounter;
}

const ROLES: Record<string, ChatMessage["role"]> = {
  human: "user",
  user: "user",
  gpt: "assistant",
  assistant: "assistant",
  chatgpt: "assistant",
  bing: "assistant",
  bard: "assistant",
  model: "assistant",
  system: "system",
};

/** Reads and parses a ShareGPT file. Throws TypeError naming the file when it is not JSON/JSONL. */
export function loadShareGpt(path: string): ShareGptConversations {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new TypeError(`Cannot read ShareGPT file '${path}': ${(error as Error).message}`);
  }
  return parseShareGpt(text, path);
}

/** Parses ShareGPT text (JSON list, one JSON object, or JSONL). `source` names it in errors. */
export function parseShareGpt(text: string, source: string): ShareGptConversations {
  let entries: unknown[];
  try {
    const parsed: unknown = JSON.parse(text);
    entries = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    entries = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === "") continue;
      try {
        entries.push(JSON.parse(line));
      } catch {
        throw new TypeError(
          `Cannot parse ShareGPT file '${source}': line ${i + 1} is neither JSON nor JSONL`,
        );
      }
    }
  }
  const skipped = new SkipCounter();
  const conversations: ConversationTurn[][] = [];
  for (const entry of entries) {
    const turns = toTurns(entry, skipped);
    if (turns !== undefined) conversations.push(turns);
  }
  return { conversations, skipped };
}

/** Builds the `sharegpt` workload from parsed conversations. */
export function shareGptWorkload(data: ShareGptConversations, params: ShareGptParams, rng: Rng): Workload {
  const numPrompts = params.numPrompts ?? 1000;
  const maxConversations = params.maxConversations ?? 10000;
  const sampleOutput = params.outputLen !== undefined
    ? outputLengthSampler(rng.fork("output"), params.outputLen, params.outputLen)
    : outputLengthSampler(rng.fork("output"), params.minOutputLen ?? 10, params.maxOutputLen ?? 200);
  const order = data.conversations.map((_, i) => i);
  rng.fork("conversations").shuffle(order);
  const chosen = order.slice(0, Math.min(maxConversations, order.length)).map((i) => data.conversations[i]!);
  const pieces = samplePieces(chosen.map((turns) => turns.length), numPrompts, rng.fork("pieces"));
  const requests = pieces.map((piece, i) =>
    pieceRequest(
      `sharegpt-${i}`,
      `conversation-${piece.conversation}`,
      chosen[piece.conversation]!.slice(0, piece.turns),
      sampleOutput(),
    )
  );
  const totalPieces = chosen.reduce((sum, turns) => sum + turns.length, 0);
  const workload: Workload = {
    requests,
    info: {
      conversations: chosen.length,
      pieces: totalPieces,
      sampled_with_replacement: numPrompts > totalPieces,
    },
  };
  const skipped = data.skipped.toJSON();
  if (skipped) workload.skipped = skipped;
  return workload;
}

function toTurns(entry: unknown, skipped: SkipCounter): ConversationTurn[] | undefined {
  if (typeof entry !== "object" || entry === null) {
    skipped.add("entry is not an object");
    return undefined;
  }
  const record = entry as Record<string, unknown>;
  const raw = record.conversations ?? record.conversation;
  let messages: ChatMessage[] = [];
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item !== "object" || item === null) {
        skipped.add("message is not an object");
        return undefined;
      }
      const message = item as Record<string, unknown>;
      const roleName = String(message.from ?? message.role ?? "").toLowerCase();
      const role = ROLES[roleName];
      const content = message.value ?? message.content;
      if (role === undefined) {
        skipped.add(`unknown role '${roleName}'`);
        return undefined;
      }
      if (typeof content !== "string") {
        skipped.add("message without string value/content");
        return undefined;
      }
      messages.push({ role, content: content.trim() });
    }
  } else if (typeof record.prompt === "string") {
    messages.push({ role: "user", content: record.prompt.trim() });
    if (typeof record.response === "string") {
      messages.push({ role: "assistant", content: record.response.trim() });
    }
  } else {
    skipped.add("no conversations/conversation/prompt field");
    return undefined;
  }
  messages = messages.filter((message) => message.content !== "");
  const turns: ConversationTurn[] = [];
  let system: ChatMessage[] = [];
  for (const message of messages) {
    if (message.role === "system") {
      if (turns.length === 0) system.push(message);
    } else if (message.role === "user") {
      turns.push({ messages: [...system, message] });
      system = [];
    } else {
      const current = turns[turns.length - 1];
      // An assistant message belongs to the open turn; a leading or doubled one has no user prompt.
      if (current && current.messages[current.messages.length - 1]!.role === "user") {
        current.messages.push(message);
      }
    }
  }
  if (turns.length === 0) {
    skipped.add("no user message");
    return undefined;
  }
  return turns;
}
