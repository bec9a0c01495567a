/**
 * Classifies one SSE `data:` payload of an OpenAI-style stream: is it a token event (per the metric
 * dialect), does it carry usage, is it `[DONE]`, an error, or malformed. Compact JSON without a
 * usage object (almost every chunk) is classified by a substring scan, which is exact for compact
 * JSON because quotes inside JSON strings are escaped; anything else is parsed with JSON.parse.
 * @module
 */

/** Which tool's event rule to follow (loadgen.md §(b) 1). */
export type MetricDialect = "sglang" | "vllm";

/** The OpenAI endpoint a stream comes from. */
export type Endpoint = "chat" | "completions";

/** Token counts from a `usage` object. */
export interface StreamUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
}

/** What one data payload is. */
export type SseEventKind =
  | { kind: "done" }
  | { kind: "data"; token: boolean; usage: StreamUsage | null }
  | { kind: "error"; message: string }
  | { kind: "malformed"; message: string };

const DONE: SseEventKind = { kind: "done" };
const TOKEN: SseEventKind = { kind: "data", token: true, usage: null };
const NON_TOKEN: SseEventKind = { kind: "data", token: false, usage: null };

/** Classifies a data payload (the text after `data:`, trimmed). */
export function classifySseData(data: string, endpoint: Endpoint, dialect: MetricDialect): SseEventKind {
  if (data === "[DONE]") return DONE;
  const length = data.length;
  if (
    length > 1 && data.charCodeAt(0) === 123 && data.charCodeAt(length - 1) === 125 &&
    data.indexOf('"choices":[') >= 0 && data.indexOf('": ') < 0 && data.indexOf('"usage":{') < 0 &&
    data.indexOf('"error"') < 0
  ) {
    return fastClassify(data, endpoint, dialect);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { kind: "malformed", message: `data is not JSON: ${data.slice(0, 80)}` };
  }
  return classifyParsed(parsed, endpoint, dialect);
}

function fastClassify(data: string, endpoint: Endpoint, dialect: MetricDialect): SseEventKind {
  if (dialect === "vllm") return data.indexOf('"choices":[{') >= 0 ? TOKEN : NON_TOKEN;
  if (endpoint === "completions") return nonEmptyString(data, '"text":"') ? TOKEN : NON_TOKEN;
  return nonEmptyString(data, '"content":"') || nonEmptyString(data, '"reasoning_content":"') ||
      nonEmptyString(data, '"reasoning":"')
    ? TOKEN
    : NON_TOKEN;
}

function nonEmptyString(data: string, key: string): boolean {
  const at = data.indexOf(key);
  return at >= 0 && data.charCodeAt(at + key.length) !== 34;
}

function classifyParsed(parsed: unknown, endpoint: Endpoint, dialect: MetricDialect): SseEventKind {
  if (typeof parsed !== "object" || parsed === null) {
    return { kind: "malformed", message: "data is not a JSON object" };
  }
  const record = parsed as Record<string, unknown>;
  if (record.error !== undefined && record.error !== null) {
    const error = record.error as Record<string, unknown>;
    return { kind: "error", message: String(error.message ?? JSON.stringify(record.error)).slice(0, 200) };
  }
  const choices = record.choices;
  let token = false;
  if (Array.isArray(choices) && choices.length > 0) {
    if (dialect === "vllm") {
      token = true;
    } else {
      const first = choices[0] as Record<string, unknown> | null;
      if (endpoint === "completions") {
        token = typeof first?.text === "string" && first.text !== "";
      } else {
        const delta = (first?.delta ?? null) as Record<string, unknown> | null;
        token = isNonEmpty(delta?.reasoning_content) || isNonEmpty(delta?.reasoning) ||
          isNonEmpty(delta?.content);
      }
    }
  }
  return { kind: "data", token, usage: readUsage(record.usage) };
}

function isNonEmpty(value: unknown): boolean {
  return typeof value === "string" && value !== "";
}

/** Reads `usage` (with `prompt_tokens_details.cached_tokens`); null when absent. */
export function readUsage(value: unknown): StreamUsage | null {
  if (typeof value !== "object" || value === null) return null;
  const usage = value as Record<string, unknown>;
  const details = usage.prompt_tokens_details as Record<string, unknown> | null | undefined;
  return {
    promptTokens: numberOrNull(usage.prompt_tokens),
    completionTokens: numberOrNull(usage.completion_tokens),
    cachedTokens: numberOrNull(details?.cached_tokens),
  };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
