/**
 * The `csv-trace` workload: an Azure LLM inference trace (`TIMESTAMP`, `ContextTokens`,
 * `GeneratedTokens`) or a BurstGPT-style CSV (`Timestamp` in seconds, `Request tokens`, `Response
 * tokens`) replayed at its times (divided by `speedup`). The CSV carries no prefix structure, so
 * every prompt is distinct from its first token.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import { TextCorpus } from "./synthetic_text.ts";
import { SkipCounter, type Workload, type WorkloadRequest } from "./types.ts";

/** Parameters of the `csv-trace` workload. */
export interface CsvTraceParams {
  path: string;
  /** Use the first N usable rows (all when absent). */
  numPrompts?: number;
  /** @default 1 */
  speedup?: number;
}

/** One parsed CSV row: time in ms from the first row, token counts. */
export interface CsvTraceRow {
  timeMs: number;
  inputTokens: number;
  outputTokens: number;
}

const TIME_COLUMNS = ["timestamp", "time", "arrival_time"];
const INPUT_COLUMNS = ["contexttokens", "request tokens", "input_length", "input_tokens", "prompt_tokens"];
const OUTPUT_COLUMNS = [
  "generatedtokens",
  "response tokens",
  "output_length",
  "output_tokens",
  "completion_tokens",
];

/** Parses the CSV text. Throws TypeError naming the file when a needed column is missing. */
export function parseCsvTrace(text: string, source: string): { rows: CsvTraceRow[]; skipped: SkipCounter } {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((h) => h.trim().toLowerCase());
  const column = (names: string[], what: string) => {
    const index = header.findIndex((h) => names.includes(h));
    if (index < 0) {
      throw new TypeError(
        `Cannot read CSV trace '${source}': no ${what} column (expected one of ${names.join(", ")})`,
      );
    }
    return index;
  };
  const timeAt = column(TIME_COLUMNS, "timestamp");
  const inputAt = column(INPUT_COLUMNS, "input tokens");
  const outputAt = column(OUTPUT_COLUMNS, "output tokens");
  const skipped = new SkipCounter();
  const raw: { t: number; input: number; output: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    const t = parseTime(cells[timeAt] ?? "");
    const input = Number(cells[inputAt]);
    const output = Number(cells[outputAt]);
    if (!Number.isFinite(t)) skipped.add("unparseable timestamp");
    else if (!(Number.isInteger(input) && input > 0)) skipped.add("input tokens not a positive integer");
    else if (!(Number.isInteger(output) && output > 0)) skipped.add("output tokens not a positive integer");
    else raw.push({ t, input, output });
  }
  let first = Infinity;
  for (const row of raw) first = Math.min(first, row.t);
  return {
    rows: raw.map((r) => ({ timeMs: r.t - first, inputTokens: r.input, outputTokens: r.output })),
    skipped,
  };
}

/** Builds the `csv-trace` workload. */
export function csvTraceWorkload(params: CsvTraceParams, rng: Rng): Workload {
  let text: string;
  try {
    text = Deno.readTextFileSync(params.path);
  } catch (error) {
    throw new TypeError(`Cannot read CSV trace '${params.path}': ${(error as Error).message}`);
  }
  const speedup = params.speedup ?? 1;
  if (!(speedup > 0)) throw new RangeError(`Cannot replay trace: 'speedup' must be > 0: got ${speedup}`);
  const parsed = parseCsvTrace(text, params.path);
  const rows = params.numPrompts === undefined ? parsed.rows : parsed.rows.slice(0, params.numPrompts);
  const corpus = new TextCorpus(rng.fork("corpus"));
  const textRng = rng.fork("text");
  const requests = rows.map((row, i): WorkloadRequest => ({
    id: `csv-${i}`,
    prompt: corpus.uniqueText(textRng, `c${i}`, row.inputTokens),
    promptTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    arrivalMs: row.timeMs / speedup,
  }));
  const workload: Workload = { requests, info: { rows: rows.length } };
  const skipped = parsed.skipped.toJSON();
  if (skipped) workload.skipped = skipped;
  return workload;
}

/** Seconds as a number (BurstGPT), or `YYYY-MM-DD HH:MM:SS.fffffff` (Azure, UTC) → ms. */
function parseTime(cell: string): number {
  const value = cell.trim();
  if (value === "") return NaN;
  const asNumber = Number(value);
  if (Number.isFinite(asNumber)) return asNumber * 1000;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(value);
  if (!match) return NaN;
  const [, y, mo, d, h, mi, s, frac] = match;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return base + (frac ? Number(`0.${frac}`) * 1000 : 0);
}
