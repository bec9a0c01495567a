/**
 * The `mooncake` workload: replays a Mooncake trace at its timestamps (divided by `speedup`) with
 * prompts built so that two requests share exactly the blocks their `hash_ids` share. Each hash id
 * stands for a fixed text of exactly `blockSize` tokens of routebench's tokenizer (seeded words,
 * one token each, each starting with a space), so token block boundaries line up with the trace's
 * and equal id prefixes give byte-identical prompt prefixes. A request's last block holds
 * `input_length - (n-1)·blockSize` tokens (a prefix of that id's block text). Unlike sglang's
 * approximation, the prompt length equals the trace's input_length.
 * @module
 */
import { createRng, type Rng } from "../core/rng.ts";
import { syntheticText } from "./synthetic_text.ts";
import { loadMooncakeTrace, type TraceRow } from "./mooncake_trace.ts";
import type { Workload, WorkloadRequest } from "./types.ts";

/** Parameters of the `mooncake` workload. */
export interface MooncakeParams {
  /** Path of the Mooncake JSONL trace. */
  path: string;
  /** Use the first N rows (all when absent). */
  numPrompts?: number;
  /** Time compression: arrival = (timestamp - first) / speedup. @default 1 */
  speedup?: number;
  /** Tokens per hash id block. @default 512 */
  blockSize?: number;
  /** Salt for the block texts (same salt = same texts across runs). @default 0 */
  textSeed?: number;
}

/** Builds block texts by hash id, cached. */
export class BlockTexts {
  readonly #blockSize: number;
  readonly #seed: number;
  readonly #cache = new Map<number, { text: string; starts: Int32Array }>();

  constructor(blockSize: number, seed = 0) {
    this.#blockSize = blockSize;
    this.#seed = seed;
  }

  /** The first `tokens` (≤ blockSize) tokens of hash id `id`'s block, starting with a space. */
  text(id: number, tokens = this.#blockSize): string {
    let entry = this.#cache.get(id);
    if (entry === undefined) {
      const rng: Rng = createRng(this.#seed * 0x9e3779b1 + id).fork("block");
      const text = ` ${syntheticText(rng, this.#blockSize)}`;
      const starts = new Int32Array(this.#blockSize + 1);
      let w = 0;
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) starts[w++] = i;
      starts[this.#blockSize] = text.length;
      entry = { text, starts };
      this.#cache.set(id, entry);
    }
    return tokens >= this.#blockSize ? entry.text : entry.text.slice(0, entry.starts[tokens]!);
  }

  /** The prompt of a row: full blocks for all ids but the last, which holds the remainder. */
  prompt(hashIds: readonly number[], inputLength: number): { text: string; tokens: number } {
    if (hashIds.length === 0) return { text: "", tokens: 0 };
    const n = hashIds.length;
    const last = Math.min(this.#blockSize, Math.max(1, inputLength - (n - 1) * this.#blockSize));
    let text = "";
    for (let i = 0; i < n - 1; i++) text += this.text(hashIds[i]!);
    text += this.text(hashIds[n - 1]!, last);
    return { text, tokens: (n - 1) * this.#blockSize + last };
  }
}

/** Builds the `mooncake` workload from a trace file. */
export function mooncakeWorkload(params: MooncakeParams): Workload {
  return mooncakeWorkloadFromRows(loadMooncakeTrace(params.path), params);
}

/** Builds the `mooncake` workload from parsed rows. */
export function mooncakeWorkloadFromRows(
  allRows: readonly TraceRow[],
  params: Omit<MooncakeParams, "path">,
): Workload {
  const speedup = params.speedup ?? 1;
  const blockSize = params.blockSize ?? 512;
  if (!(speedup > 0)) throw new RangeError(`Cannot replay trace: 'speedup' must be > 0: got ${speedup}`);
  const rows = params.numPrompts === undefined ? allRows : allRows.slice(0, params.numPrompts);
  const blocks = new BlockTexts(blockSize, params.textSeed ?? 0);
  let first = rows.length > 0 ? Infinity : 0;
  for (const row of rows) if (row.timestamp < first) first = row.timestamp;
  let adjusted = 0;
  const requests = rows.map((row, i): WorkloadRequest => {
    const prompt = blocks.prompt(row.hash_ids, row.input_length);
    if (prompt.tokens !== row.input_length) adjusted++;
    const request: WorkloadRequest = {
      id: `mooncake-${i}`,
      prompt: prompt.text,
      promptTokens: prompt.tokens,
      outputTokens: Math.max(1, row.output_length),
      arrivalMs: Math.max(0, (row.timestamp - first) / speedup),
    };
    if (row.session_id !== undefined) request.sessionId = row.session_id;
    return request;
  });
  return { requests, info: { rows: rows.length, input_length_adjusted: adjusted, block_size: blockSize } };
}
