/**
 * Encodes timeseries records straight to UTF-8 JSONL bytes, byte-identical to
 * `formatTimeseriesRecord` (`JSON.stringify`) lines, for producers that emit many samples of the
 * same targets (the simulation samples every engine each 100 ms of virtual time). Per target it keeps
 * the escaped `"key":` prefixes and the previous line: a run of values unchanged since the target's
 * previous sample is copied from that line in one block, so the cost follows the values that change,
 * not the ~1000 series a target exposes.
 * @module
 */
import type { SeriesColumns } from "./series_columns.ts";
import type { TimeseriesRecord } from "./timeseries.ts";

/** What is remembered of one target's previous line. */
interface TargetState {
  /** `"target":"engine-0","metrics":{`-style JSON of the target name, quoted. */
  targetJson: string;
  /** A copy of the keys (the columns' own array is refilled in place). */
  keys: string[];
  /** The columns object the keys last came from and its key version then. */
  source: SeriesColumns | null;
  keysVersion: number;
  /** UTF-8 of `"key":` for each key, with the separating comma for all but the first. */
  prefixes: Uint8Array[];
  /** The values of the previous line; NaN entries compare equal to NaN. */
  values: Float64Array;
  /** The previous line's metrics body bytes (`bodyLength` of them) and where each key's segment starts. */
  body: Uint8Array;
  bodyLength: number;
  /** The other body buffer: the next line's body is copied there, then the two swap. */
  spare: Uint8Array;
  offsets: Int32Array;
  /** Whether `values`/`body`/`offsets` hold a previous line. */
  primed: boolean;
}

/** A simulated run's timeseries is ~20 MB: start large enough to grow only a few times. */
const INITIAL_CAPACITY_BYTES = 4 << 20;
/** Buffers released by finished encoders, reused by the next ones. */
const freeBuffers: Uint8Array[] = [];
const MAX_FREE_BUFFERS = 2;
/** Longest `String(number)` (e.g. `-1.2345678901234567e-308`) is 24 characters. */
const MAX_NUMBER_CHARS = 24;

/** Builds a timeseries JSONL file in memory: one {@linkcode append} per record, then {@linkcode bytes}. */
export class TimeseriesJsonlEncoder {
  readonly #encoder = new TextEncoder();
  readonly #targets = new Map<string, TargetState>();
  #buffer = freeBuffers.pop() ?? new Uint8Array(INITIAL_CAPACITY_BYTES);
  #length = 0;
  /** Lines appended so far. */
  linesWritten = 0;

  /**
   * Appends `record` as one line plus `\n`, exactly as `JSON.stringify(record)` renders a record with
   * the fields in {@linkcode TimeseriesRecord} order (`t_ms`, `target`, `metrics`, `error`).
   */
  append(record: TimeseriesRecord): void {
    const metrics = record.metrics;
    const keys = Object.keys(metrics);
    if (record.error !== undefined || !allNumbers(metrics, keys)) {
      this.linesWritten++;
      this.#writeString(`${JSON.stringify(record)}\n`);
      return;
    }
    const state = this.#stateFor(record.target, keys, null);
    this.#appendValues(record.t_ms, state, keys.map((key) => metrics[key]!));
  }

  /**
   * Appends the line `append({ t_ms, target, metrics: columns.toRecord() })` would write, reading the
   * values by position: with the same `columns` object sample after sample, the key list is checked
   * by its version only.
   */
  appendColumns(tMs: number, target: string, columns: SeriesColumns): void {
    const state = this.#stateFor(target, columns.keys, columns);
    this.#appendValues(tMs, state, columns.values);
  }

  #appendValues(tMs: number, state: TargetState, newValues: readonly number[]): void {
    this.linesWritten++;
    const keys = state.keys;
    this.#writeString(`{"t_ms":${numberJson(tMs)},"target":${state.targetJson},"metrics":{`);
    const bodyStart = this.#length;
    const newOffsets = new Int32Array(keys.length + 1);
    const values = state.values;
    // Pending block of unchanged segments copied from the previous line: [copyFrom, copyTo).
    let copyFrom = -1;
    let copyTo = -1;
    for (let index = 0; index < keys.length; index++) {
      const value = newValues[index]!;
      const previous = values[index]!;
      newOffsets[index] = this.#length - bodyStart + (copyFrom < 0 ? 0 : copyTo - copyFrom);
      if (state.primed && (value === previous || (value !== value && previous !== previous))) {
        if (copyFrom < 0) copyFrom = state.offsets[index]!;
        copyTo = state.offsets[index + 1]!;
        continue;
      }
      if (copyFrom >= 0) {
        this.#writeBytes(state.body.subarray(copyFrom, copyTo));
        copyFrom = -1;
      }
      values[index] = value;
      const prefix = state.prefixes[index]!;
      this.#reserve(prefix.length + MAX_NUMBER_CHARS);
      this.#buffer.set(prefix, this.#length);
      this.#length += prefix.length;
      this.#writeAscii(numberJson(value));
    }
    if (copyFrom >= 0) this.#writeBytes(state.body.subarray(copyFrom, copyTo));
    newOffsets[keys.length] = this.#length - bodyStart;
    const bodyLength = this.#length - bodyStart;
    const next = state.spare.length >= bodyLength ? state.spare : new Uint8Array(bodyLength * 2);
    next.set(this.#buffer.subarray(bodyStart, this.#length));
    state.spare = state.body;
    state.body = next;
    state.bodyLength = bodyLength;
    state.offsets = newOffsets;
    state.primed = true;
    this.#writeString("}}\n");
  }

  /** The bytes appended so far (a view; valid until the next append or {@linkcode release}). */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /**
   * Hands the buffer back for the next encoder to reuse (a sweep encodes one ~20 MB run after
   * another: reusing the memory saves allocating and page-faulting it each time). The encoder and
   * any view from {@linkcode bytes} must not be used afterwards.
   */
  release(): void {
    if (freeBuffers.length < MAX_FREE_BUFFERS) freeBuffers.push(this.#buffer);
    this.#buffer = new Uint8Array(0);
    this.#length = 0;
    this.#targets.clear();
  }

  #stateFor(target: string, keys: readonly string[], source: SeriesColumns | null): TargetState {
    const known = this.#targets.get(target);
    if (known !== undefined) {
      if (source !== null && known.source === source && known.keysVersion === source.keysVersion) {
        return known;
      }
      if (sameKeys(known.keys, keys)) {
        known.source = source;
        known.keysVersion = source?.keysVersion ?? -1;
        return known;
      }
    }
    const state: TargetState = {
      targetJson: JSON.stringify(target),
      keys: [...keys],
      source,
      keysVersion: source?.keysVersion ?? -1,
      prefixes: keys.map((key, index) =>
        this.#encoder.encode(`${index === 0 ? "" : ","}${JSON.stringify(key)}:`)
      ),
      values: new Float64Array(keys.length),
      body: new Uint8Array(0),
      bodyLength: 0,
      spare: new Uint8Array(0),
      offsets: new Int32Array(keys.length + 1),
      primed: false,
    };
    this.#targets.set(target, state);
    return state;
  }

  #reserve(bytes: number): void {
    // The common case stays small enough to inline; growing is out of line.
    if (this.#length + bytes > this.#buffer.length) this.#grow(this.#length + bytes);
  }

  #grow(needed: number): void {
    let capacity = this.#buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  #writeBytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Writes a string of ASCII characters; the caller reserved room. */
  #writeAscii(text: string): void {
    const buffer = this.#buffer;
    let at = this.#length;
    for (let index = 0; index < text.length; index++) buffer[at++] = text.charCodeAt(index);
    this.#length = at;
  }

  #writeString(text: string): void {
    this.#reserve(text.length * 3);
    this.#length += this.#encoder.encodeInto(text, this.#buffer.subarray(this.#length)).written;
  }
}

/** A number as JSON writes it: non-finite values become `null`. */
function numberJson(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

function allNumbers(metrics: Record<string, number>, keys: string[]): boolean {
  for (const key of keys) if (typeof metrics[key] !== "number") return false;
  return true;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}
