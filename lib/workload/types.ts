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
  /** Prompt text for `/v1/completions`; absent when `messages` is set. */
  prompt?: string;
  /** Messages for `/v1/chat/completions`; absent when `prompt` is set. */
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
