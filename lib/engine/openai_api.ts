/**
 * The OpenAI-compatible surface as vLLM shapes it (engines.md §7): request validation for
 * /v1/completions, /v1/chat/completions and /tokenize, vLLM's error body, and the SSE and JSON
 * response builders. Pure functions, no I/O. Chunks are built by string concatenation from
 * per-request prefixes, since every generated text is one of the tokenizer's plain output words.
 * @module
 */
import { tokenize } from "../core/tokens.ts";
import { chatPromptText, type ChatTemplateMessage } from "./chat_template.ts";
import type { EngineRequestInput, FinishReason, FinishResult } from "./request.ts";

/** An HTTP error in vLLM's shape: `{"error": {"message", "type", "param", "code"}}`. */
export interface ApiError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: number } };
}

/** Builds an {@linkcode ApiError}. */
export function apiError(status: number, message: string, param: string | null = null): ApiError {
  const type = status === 404
    ? "NotFoundError"
    : status === 405
    ? "MethodNotAllowed"
    : status >= 500
    ? "InternalServerError"
    : "BadRequestError";
  return { status, body: { error: { message, type, param, code: status } } };
}

/** Which endpoint a generation request came from. */
export type Endpoint = "completions" | "chat";

/** A validated generation request. */
export interface GenerateRequest {
  endpoint: Endpoint;
  /** Model name to echo (the served name). */
  model: string;
  promptTokenIds: number[];
  maxTokens: number;
  maxTokensGiven: boolean;
  minTokens: number;
  ignoreEos: boolean;
  stream: boolean;
  includeUsage: boolean;
  continuousUsageStats: boolean;
  seed: number | undefined;
}

/** Limits validation needs. */
export interface ApiLimits {
  servedModel: string;
  maxModelLen: number;
  /**
   * Prompt text → token ids. @default lib/core `tokenize`. The simulation passes a memoizing one,
   * since every strategy of a sweep sends the same prompts; the ids must not be mutated.
   */
  tokenize?: (text: string) => number[];
}

/** Whether a parse result is an error rather than a value. */
export function isApiError(value: unknown): value is ApiError {
  return typeof value === "object" && value !== null && "status" in value && "body" in value;
}

/** What the engine core is given for a validated request (the HTTP server and the simulation). */
export function engineRequestInput(parsed: GenerateRequest, id: string): EngineRequestInput {
  return {
    id,
    promptTokenIds: parsed.promptTokenIds,
    maxTokens: parsed.maxTokens,
    maxTokensGiven: parsed.maxTokensGiven,
    minTokens: parsed.minTokens,
    ignoreEos: parsed.ignoreEos,
    seed: parsed.seed,
  };
}

/** Validates a completions or chat body; returns the request or a 4xx error. */
export function parseGenerateRequest(
  endpoint: Endpoint,
  body: unknown,
  limits: ApiLimits,
): GenerateRequest | ApiError {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return apiError(400, "Request body must be a JSON object");
  }
  const b = body as Record<string, unknown>;
  if (b.model !== undefined && b.model !== null && b.model !== limits.servedModel) {
    return apiError(404, `The model \`${String(b.model)}\` does not exist.`, "model");
  }
  let promptTokenIds: number[];
  if (endpoint === "completions") {
    const prompt = parsePrompt(b.prompt, limits.tokenize ?? tokenize);
    if ("status" in prompt) return prompt;
    promptTokenIds = prompt.ids;
  } else {
    const messages = parseMessages(b.messages);
    if (!Array.isArray(messages)) return messages;
    promptTokenIds = (limits.tokenize ?? tokenize)(chatPromptText(messages));
  }
  if (promptTokenIds.length === 0) {
    return apiError(400, "The prompt is empty: at least one token is required", "prompt");
  }
  const n = b.n ?? 1;
  if (n !== 1) {
    return apiError(400, `Only n = 1 is supported by the routebench engine: got ${JSON.stringify(n)}`, "n");
  }
  for (const name of ["best_of", "use_beam_search"] as const) {
    if (b[name] !== undefined && b[name] !== null && b[name] !== false && b[name] !== 1) {
      return apiError(400, `'${name}' is not supported by the routebench engine`, name);
    }
  }
  const maxField =
    endpoint === "chat" && b.max_completion_tokens !== undefined && b.max_completion_tokens !== null
      ? "max_completion_tokens"
      : "max_tokens";
  const maxRaw = b[maxField];
  const maxTokensGiven = maxRaw !== undefined && maxRaw !== null;
  if (maxTokensGiven && (!Number.isInteger(maxRaw) || (maxRaw as number) < 1)) {
    return apiError(
      400,
      `'${maxField}' must be an integer of at least 1: got ${JSON.stringify(maxRaw)}`,
      maxField,
    );
  }
  const available = limits.maxModelLen - promptTokenIds.length;
  const maxTokens = maxTokensGiven ? (maxRaw as number) : available;
  if (maxTokens > available || available < 1) {
    const where = endpoint === "chat" ? "messages" : "prompt";
    return apiError(
      400,
      `This model's maximum context length is ${limits.maxModelLen} tokens. However, you requested ${
        promptTokenIds.length + maxTokens
      } tokens (${promptTokenIds.length} in the ${where}, ${maxTokens} in the completion). Please reduce the length of the ${where} or completion.`,
      maxField,
    );
  }
  const minRaw = b.min_tokens ?? 0;
  if (!Number.isInteger(minRaw) || (minRaw as number) < 0) {
    return apiError(
      400,
      `'min_tokens' must be a non-negative integer: got ${JSON.stringify(minRaw)}`,
      "min_tokens",
    );
  }
  if ((minRaw as number) > maxTokens) {
    return apiError(
      400,
      `min_tokens must be less than or equal to max_tokens=${maxTokens}, got ${minRaw}.`,
      "min_tokens",
    );
  }
  for (const name of ["stream", "ignore_eos"] as const) {
    if (b[name] !== undefined && b[name] !== null && typeof b[name] !== "boolean") {
      return apiError(400, `'${name}' must be a boolean: got ${JSON.stringify(b[name])}`, name);
    }
  }
  const stream = b.stream === true;
  const options = b.stream_options;
  if (options !== undefined && options !== null) {
    if (typeof options !== "object" || Array.isArray(options)) {
      return apiError(400, "'stream_options' must be an object", "stream_options");
    }
    if (!stream) {
      return apiError(400, "Stream options can only be defined when `stream=True`.", "stream_options");
    }
  }
  const streamOptions = (options ?? {}) as Record<string, unknown>;
  const seed = b.seed;
  if (seed !== undefined && seed !== null && !Number.isInteger(seed)) {
    return apiError(400, `'seed' must be an integer: got ${JSON.stringify(seed)}`, "seed");
  }
  return {
    endpoint,
    model: limits.servedModel,
    promptTokenIds,
    maxTokens,
    maxTokensGiven,
    minTokens: minRaw as number,
    ignoreEos: b.ignore_eos === true,
    stream,
    includeUsage: streamOptions.include_usage === true,
    continuousUsageStats: streamOptions.continuous_usage_stats === true,
    seed: seed === undefined || seed === null ? undefined : (seed as number),
  };
}

/** Validates a /tokenize body: `{prompt}` or `{messages}`. */
export function parseTokenizeRequest(body: unknown, limits: ApiLimits): { tokens: number[] } | ApiError {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return apiError(400, "Request body must be a JSON object");
  }
  const b = body as Record<string, unknown>;
  if (b.model !== undefined && b.model !== null && b.model !== limits.servedModel) {
    return apiError(404, `The model \`${String(b.model)}\` does not exist.`, "model");
  }
  if (b.messages !== undefined) {
    const messages = parseMessages(b.messages);
    if (!Array.isArray(messages)) return messages;
    return { tokens: tokenize(chatPromptText(messages)) };
  }
  const prompt = parsePrompt(b.prompt, tokenize);
  if ("status" in prompt) return prompt;
  return { tokens: prompt.ids };
}

function parsePrompt(
  prompt: unknown,
  tokenizeText: (text: string) => number[],
): { ids: number[] } | ApiError {
  if (typeof prompt === "string") return { ids: tokenizeText(prompt) };
  if (Array.isArray(prompt)) {
    if (prompt.length === 1 && typeof prompt[0] === "string") return { ids: tokenizeText(prompt[0]) };
    if (prompt.length > 0 && prompt.every((id) => Number.isInteger(id) && id >= 0)) {
      return { ids: prompt.slice() as number[] };
    }
    if (
      prompt.length === 1 && Array.isArray(prompt[0]) &&
      prompt[0].every((id: unknown) => Number.isInteger(id) && (id as number) >= 0)
    ) {
      return { ids: (prompt[0] as number[]).slice() };
    }
    if (prompt.length > 1 && prompt.every((p) => typeof p === "string" || Array.isArray(p))) {
      return apiError(
        400,
        "Batched prompts are not supported by the routebench engine: send one prompt per request",
        "prompt",
      );
    }
  }
  return apiError(400, "'prompt' must be a string, a list with one string, or a list of token ids", "prompt");
}

function parseMessages(messages: unknown): ChatTemplateMessage[] | ApiError {
  if (!Array.isArray(messages) || messages.length === 0) {
    return apiError(400, "'messages' must be a non-empty list", "messages");
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Record<string, unknown> | null;
    if (typeof message !== "object" || message === null || typeof message.role !== "string") {
      return apiError(400, `'messages[${i}]' must be an object with a string 'role'`, "messages");
    }
    const content = message.content;
    const okContent = content === null || content === undefined || typeof content === "string" ||
      (Array.isArray(content) &&
        content.every((part) => typeof part === "object" && part !== null && typeof part.type === "string"));
    if (!okContent) {
      return apiError(
        400,
        `'messages[${i}].content' must be a string or a list of content parts`,
        "messages",
      );
    }
  }
  return messages as ChatTemplateMessage[];
}

/** Usage object as vLLM reports it (cached_tokens always present). */
export function usageJson(promptTokens: number, completionTokens: number, cachedTokens: number): string {
  return `{"prompt_tokens":${promptTokens},"total_tokens":${
    promptTokens + completionTokens
  },"completion_tokens":${completionTokens},"prompt_tokens_details":{"cached_tokens":${cachedTokens}}}`;
}

/** The SSE end marker. */
export const SSE_DONE = "data: [DONE]\n\n";

/**
 * Builds one request's SSE events. Chat streams begin with the role chunk, sent together with the
 * first token (never before it is ready), as vLLM does.
 */
export class SseChunkBuilder {
  readonly #endpoint: Endpoint;
  readonly #head: string;
  readonly #continuousUsage: boolean;
  #started = false;

  constructor(endpoint: Endpoint, id: string, createdS: number, model: string, continuousUsage: boolean) {
    this.#endpoint = endpoint;
    const object = endpoint === "chat" ? "chat.completion.chunk" : "text_completion";
    this.#head = `data: {"id":"${id}","object":"${object}","created":${createdS},"model":${
      JSON.stringify(model)
    },"choices":[`;
    this.#continuousUsage = continuousUsage;
  }

  /** Events for one token; `usage` is the running usage JSON when continuous usage stats are on. */
  token(text: string, finishReason: FinishReason | null, usage: string | null): string {
    const finish = finishReason === null ? "null" : `"${finishReason}"`;
    const tail = this.#continuousUsage && usage !== null ? `],"usage":${usage}}\n\n` : "]}\n\n";
    let out = "";
    if (this.#endpoint === "chat") {
      if (!this.#started) {
        out =
          `${this.#head}{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}${tail}`;
      }
      out +=
        `${this.#head}{"index":0,"delta":{"content":"${text}"},"logprobs":null,"finish_reason":${finish}${
          finishReason === null ? "" : ',"stop_reason":null'
        }}${tail}`;
    } else {
      out =
        `${this.#head}{"index":0,"text":"${text}","logprobs":null,"finish_reason":${finish},"stop_reason":null}${tail}`;
    }
    this.#started = true;
    return out;
  }

  /** The final usage event (`choices: []`), sent when `stream_options.include_usage` is true. */
  usage(result: FinishResult): string {
    return `${this.#head}],"usage":${
      usageJson(result.promptTokens, result.completionTokens, result.cachedTokens)
    }}\n\n`;
  }
}

/** The non-streaming response body. */
export function completionResponseJson(
  endpoint: Endpoint,
  id: string,
  createdS: number,
  model: string,
  text: string,
  result: FinishResult,
): string {
  const usage = usageJson(result.promptTokens, result.completionTokens, result.cachedTokens);
  const finish = JSON.stringify(result.finishReason);
  if (endpoint === "chat") {
    return `{"id":"${id}","object":"chat.completion","created":${createdS},"model":${
      JSON.stringify(model)
    },"choices":[{"index":0,"message":{"role":"assistant","content":${
      JSON.stringify(text)
    },"tool_calls":[]},"logprobs":null,"finish_reason":${finish},"stop_reason":null}],"usage":${usage},"prompt_logprobs":null}`;
  }
  return `{"id":"${id}","object":"text_completion","created":${createdS},"model":${
    JSON.stringify(model)
  },"choices":[{"index":0,"text":${
    JSON.stringify(text)
  },"logprobs":null,"finish_reason":${finish},"stop_reason":null,"prompt_logprobs":null}],"usage":${usage}}`;
}
