/**
 * Mooncake trace rows (FAST'25 release format): one JSON object per line with `timestamp` (ms),
 * `input_length`, `output_length` and `hash_ids` (one id per `blockSize`-token block; equal leading
 * ids = equal prefix). Loading is a plain JSON.parse per line with field checks naming the line.
 * @module
 */

/** One trace row. */
export interface TraceRow {
  timestamp: number;
  input_length: number;
  output_length: number;
  hash_ids: number[];
  /** Session/conversation id when the trace carries one (`session_id` or `chat_id`). */
  session_id?: string;
}

/** Reads a Mooncake JSONL file. Throws TypeError naming the file and line for a bad row. */
export function loadMooncakeTrace(path: string): TraceRow[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new TypeError(`Cannot read trace '${path}': ${(error as Error).message}`);
  }
  return parseMooncakeTrace(text, path);
}

/** Parses Mooncake JSONL text. `source` names it in errors. */
export function parseMooncakeTrace(text: string, source: string): TraceRow[] {
  const rows: TraceRow[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === "") continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new TypeError(`Cannot parse trace '${source}' line ${line}: not JSON`);
    }
    const { timestamp, input_length, output_length, hash_ids } = value;
    if (
      typeof timestamp !== "number" || typeof input_length !== "number" || typeof output_length !== "number"
    ) {
      throw new TypeError(
        `Cannot parse trace '${source}' line ${line}: expected numeric timestamp, input_length and output_length`,
      );
    }
    if (!Array.isArray(hash_ids) || !hash_ids.every((id) => typeof id === "number")) {
      throw new TypeError(
        `Cannot parse trace '${source}' line ${line}: expected 'hash_ids' to be a list of numbers`,
      );
    }
    const row: TraceRow = { timestamp, input_length, output_length, hash_ids: hash_ids as number[] };
    const session = value.session_id ?? value.chat_id;
    if (session !== undefined && session !== null) row.session_id = String(session);
    rows.push(row);
  }
  return rows;
}

/** Serialises rows back to Mooncake JSONL. */
export function formatMooncakeTrace(rows: readonly TraceRow[]): string {
  return rows.map((row) => JSON.stringify(row)).join("\n") + (rows.length > 0 ? "\n" : "");
}
