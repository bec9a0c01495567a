/**
 * The unit every workload produces and the client sends.
 * @module
 */

/** One chat message, OpenAI-shaped. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** One request of a workload, before it is sent. */
export interface WorkloadRequest {
  /** Stable id within the workload (e.g. `sharegpt-17`). */
  id: string;
  /**
   * Prompt text for `/v1/completions`. Conversation workloads set both `prompt` (the messages
   * rendered by {@linkcode renderMessages}) and `messages`; the client sends the one that matches
   * its endpoint and converts the other way when only one is set.
   */
  prompt?: string;
  /** Messages for `/v1/chat/completions`. */
  messages?: ChatMessage[];
  /** Prompt length in tokens of routebench's tokenizer (what our engine will count). */
  promptTokens: number;
  /** Output tokens to ask for (`max_tokens`). */
  outputTokens: number;
  /** Send time in ms from the start of the run, for trace workloads; absent for rate/concurrency pacing. */
  arrivalMs?: number;
  /** Conversation or session id, when the workload has one. */
  sessionId?: string;
}

/** What a workload skipped from its input, counted by reason (e.g. `"fewer than 1 usable turn": 3`). */
export interface WorkloadSkipped {
  total: number;
  byReason: Record<string, number>;
}

/** A generated workload: the requests in send order, and what was skipped while building them. */
export interface Workload {
  requests: WorkloadRequest[];
  skipped?: WorkloadSkipped;
  /** Free-form facts about how the workload was built (e.g. `{ conversations: 340, pieces: 4080 }`). */
  info?: Record<string, number | string | boolean>;
}

/**
 * The completions-endpoint text of a conversation: one `Role: content` paragraph per message,
 * separated by blank lines. Growing pieces of one conversation render to texts that are prefixes
 * of each other, so they share a token prefix.
 */
export function renderMessages(messages: readonly ChatMessage[]): string {
  let text = "";
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (i > 0) text += "\n\n";
    text += `${ROLE_LABEL[message.role]}: ${message.content}`;
  }
  return text;
}

const ROLE_LABEL: Record<ChatMessage["role"], string> = {
  system: "System",
  user: "User",
  assistant: "Assistant",
};

/** Counts skipped inputs by reason. */
export class SkipCounter {
  readonly byReason: Record<string, number> = {};
  total = 0;

  add(reason: string): void {
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    this.total++;
  }

  /** The counts, or undefined when nothing was skipped. */
  toJSON(): WorkloadSkipped | undefined {
    return this.total === 0 ? undefined : { total: this.total, byReason: { ...this.byReason } };
  }
}
