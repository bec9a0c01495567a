/**
 * Reading and validating the OpenAI request bodies the router routes on, and the prompt text the
 * strategies match: completions → the prompt; chat → the engine's `chatPromptText` (lib/engine's chat
 * template, the one implementation), so character and block matches line up with the engine's
 * prefix cache and kv_aware's block hashes equal the engine's.
 * @module
 */
import { chatPromptText, type ChatTemplateMessage } from "../engine/mod.ts";

/** The endpoints the router routes. */
export type RoutedEndpoint = "completions" | "chat";

/** Result of {@linkcode promptTextOf}: the text, or a one-line reason the body is invalid. */
export type PromptTextResult = { ok: true; text: string } | { ok: false; message: string };

/** Extracts the routing text from a parsed request body, validating the fields routing needs. */
export function promptTextOf(endpoint: RoutedEndpoint, body: unknown): PromptTextResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, message: "Request body must be a JSON object" };
  }
  const record = body as Record<string, unknown>;
  if (endpoint === "completions") {
    const prompt = record.prompt;
    if (typeof prompt === "string") return { ok: true, text: prompt };
    if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((item) => typeof item === "string")) {
      return { ok: true, text: prompt.join("") };
    }
    return { ok: false, message: "'prompt' must be a string or a non-empty array of strings" };
  }
  const messages = record.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return { ok: false, message: "'messages' must be a non-empty array" };
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Record<string, unknown> | null;
    if (typeof message !== "object" || message === null || typeof message.role !== "string") {
      return { ok: false, message: `'messages[${i}]' must be an object with a string 'role'` };
    }
    const content = message.content;
    if (
      !(typeof content === "string" || Array.isArray(content) || content === null || content === undefined)
    ) {
      return { ok: false, message: `'messages[${i}].content' must be a string or an array of parts` };
    }
  }
  return { ok: true, text: chatPromptText(messages as ChatTemplateMessage[]) };
}
