/**
 * The chat template: how the engine turns messages into the prompt text it tokenizes. The KV-aware
 * router must hash `tokenize(chatPromptText(messages))` to name the same blocks as the engine, so this
 * is the one implementation. ChatML-shaped (as Qwen2.5): each message is
 * `<|im_start|>{role}\n{content}<|im_end|>\n`, then the generation prompt `<|im_start|>assistant\n`, so a
 * conversation's next turn extends the previous prompt text as a prefix.
 * @module
 */

/** One content part of a message (only text parts carry prompt text). */
export interface ChatContentPart {
  type: string;
  text?: string;
}

/** A chat message as the OpenAI API accepts it. */
export interface ChatTemplateMessage {
  role: string;
  content: string | readonly ChatContentPart[] | null | undefined;
}

/** The prompt text of `messages` with the assistant generation prompt appended. */
export function chatPromptText(messages: readonly ChatTemplateMessage[]): string {
  let text = "";
  for (const message of messages) {
    text += `<|im_start|>${message.role}\n${messageContentText(message.content)}<|im_end|>\n`;
  }
  return `${text}<|im_start|>assistant\n`;
}

/** A message's content as plain text: a string as is, text parts joined with "\n". */
export function messageContentText(content: ChatTemplateMessage["content"]): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  let text = "";
  let first = true;
  for (const part of content) {
    if (part.type !== "text" || typeof part.text !== "string") continue;
    text += first ? part.text : `\n${part.text}`;
    first = false;
  }
  return text;
}
