/**
 * `datagen synthesize`: a new Mooncake trace from an existing trace's prefix structure (after
 * Dynamo's datagen, simplified). Rows are resampled; the *context* part of a row (leading ids that
 * occur in more than one input row) keeps its identity so shared prefixes stay shared, while the
 * unique tail gets fresh ids per emitted request. Knobs: `speedup` divides the resampled
 * inter-arrival gaps; `prefixRootMultiplier` m makes m independent copies of the prefix tree
 * (more distinct users / system prompts); `prefixLenMultiplier` scales every context length (each
 * context block at position p becomes floor((p+1)·x) - floor(p·x) blocks, consistently for every
 * row sharing it); `promptLenMultiplier` scales the unique tail; `oslMultiplier` the outputs.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import type { TraceRow } from "./mooncake_trace.ts";

/** Options of {@linkcode synthesizeTrace}. */
export interface SynthesizeOptions {
  /** Rows to emit. @default the input's row count */
  numRequests?: number;
  /** @default 1 */
  speedup?: number;
  /** @default 1 */
  prefixLenMultiplier?: number;
  /** @default 1 */
  prefixRootMultiplier?: number;
  /** @default 1 */
  promptLenMultiplier?: number;
  /** @default 1 */
  oslMultiplier?: number;
  /** @default 512 */
  blockSize?: number;
}

/** Builds the synthesized rows (timestamps start at 0, integer ms). */
export function synthesizeTrace(
  input: readonly TraceRow[],
  options: SynthesizeOptions,
  rng: Rng,
): TraceRow[] {
  if (input.length === 0) throw new RangeError("Cannot synthesize from an empty trace");
  const count = options.numRequests ?? input.length;
  const speedup = options.speedup ?? 1;
  const lenX = options.prefixLenMultiplier ?? 1;
  const roots = options.prefixRootMultiplier ?? 1;
  const promptX = options.promptLenMultiplier ?? 1;
  const oslX = options.oslMultiplier ?? 1;
  const blockSize = options.blockSize ?? 512;
  if (!(speedup > 0 && lenX > 0 && promptX > 0 && oslX > 0)) {
    throw new RangeError("Cannot synthesize: speedup and multipliers must be > 0");
  }
  if (!(Number.isInteger(roots) && roots >= 1)) {
    throw new RangeError(
      `Cannot synthesize: 'prefixRootMultiplier' must be a positive integer: got ${roots}`,
    );
  }
  const occurrences = new Map<number, number>();
  for (const row of input) {
    for (const id of new Set(row.hash_ids)) occurrences.set(id, (occurrences.get(id) ?? 0) + 1);
  }
  const sorted = [...input].sort((a, b) => a.timestamp - b.timestamp);
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) gaps.push(sorted[i]!.timestamp - sorted[i - 1]!.timestamp);
  const newIds = new Map<string, number>();
  let nextId = 0;
  const idFor = (key: string) => {
    let id = newIds.get(key);
    if (id === undefined) newIds.set(key, id = nextId++);
    return id;
  };
  const pick = rng.fork("rows");
  const out: TraceRow[] = [];
  let t = 0;
  for (let r = 0; r < count; r++) {
    const source = input[Math.floor(pick.float() * input.length)]!;
    const ids = source.hash_ids;
    let context = 0;
    while (context < ids.length && (occurrences.get(ids[context]!) ?? 0) > 1) context++;
    const root = roots > 1 ? Math.floor(pick.float() * roots) : 0;
    const hashIds: number[] = [];
    for (let p = 0; p < context; p++) {
      const copies = Math.floor((p + 1) * lenX) - Math.floor(p * lenX);
      for (let c = 0; c < copies; c++) hashIds.push(idFor(`${root}:${ids[p]}:${c}`));
    }
    const tailBlocks = ids.length - context;
    const lastFill = ids.length === 0 ? 0 : source.input_length - (ids.length - 1) * blockSize;
    const tailTokens = tailBlocks > 0
      ? Math.max(1, Math.round(((tailBlocks - 1) * blockSize + lastFill) * promptX))
      : 0;
    const newTail = Math.ceil(tailTokens / blockSize);
    for (let b = 0; b < newTail; b++) hashIds.push(idFor(`u:${r}:${b}`));
    const inputLength = tailBlocks > 0
      ? (hashIds.length - newTail) * blockSize + tailTokens
      : Math.max(1, (hashIds.length - 1) * blockSize + Math.max(1, Math.min(blockSize, lastFill)));
    out.push({
      timestamp: Math.round(t),
      input_length: hashIds.length === 0 ? source.input_length : inputLength,
      output_length: Math.max(1, Math.round(source.output_length * oslX)),
      hash_ids: hashIds,
    });
    if (gaps.length > 0) t += gaps[Math.floor(pick.float() * gaps.length)]! / speedup;
  }
  return out;
}
