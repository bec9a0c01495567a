/**
 * The run folder's `timeseries.jsonl`: one line per scrape per target,
 * `{"t_ms": <epoch ms>, "target": "engine-0", "metrics": {"<series key>": value, ...}}`, plus
 * `"error"` (and empty `metrics`) when the scrape failed. Non-finite values are written as JSON
 * `null` and read back as NaN. Lines are in scrape completion order.
 * @module
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** One line of timeseries.jsonl. */
export interface TimeseriesRecord {
  /** Wall time of the scrape tick, epoch ms (integer). */
  t_ms: number;
  /** Target name, e.g. `engine-0` or `router`. */
  target: string;
  /** `{ seriesKey: value }` as exposed (see `seriesKey`). Empty when the scrape failed. */
  metrics: Record<string, number>;
  /** One-line reason when the scrape failed (target down, timeout, bad text). */
  error?: string;
}

/**
 * Appends JSONL lines through an in-memory buffer; {@linkcode JsonlWriter.flush} writes the buffer
 * in one call, so a 100 ms scraper does not issue a write per line.
 */
export class JsonlWriter {
  readonly #file: Deno.FsFile;
  readonly #encoder = new TextEncoder();
  #buffer: string[] = [];
  #pending: Promise<void> = Promise.resolve();
  #bufferedChars = 0;
  linesWritten = 0;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Opens `path` for appending (created when absent). */
  static async open(path: string): Promise<JsonlWriter> {
    return new JsonlWriter(await Deno.open(path, { append: true, create: true }));
  }

  /** Buffered characters not yet handed to a write. */
  get bufferedChars(): number {
    return this.#bufferedChars;
  }

  /** Buffers one JSON line. */
  append(line: string): void {
    this.#buffer.push(line, "\n");
    this.#bufferedChars += line.length + 1;
    this.linesWritten++;
  }

  /** Writes what is buffered; writes are serialised in call order. */
  flush(): Promise<void> {
    if (this.#buffer.length === 0) return this.#pending;
    const bytes = this.#encoder.encode(this.#buffer.join(""));
    this.#buffer = [];
    this.#bufferedChars = 0;
    // A failed write rejects its own flush() only; later writes still run.
    this.#pending = this.#pending.catch(() => {}).then(() => writeAll(this.#file, bytes));
    return this.#pending;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.#file.close();
    }
  }
}

/** Serialises a record; non-finite values become `null`. */
export function formatTimeseriesRecord(record: TimeseriesRecord): string {
  return JSON.stringify(record);
}

/**
 * Reads a timeseries.jsonl file (`null` values back to NaN).
 * @throws {SyntaxError} naming the file and line for a line that is not a record.
 */
export function readTimeseriesJsonl(path: string): Promise<TimeseriesRecord[]> {
  return Promise.resolve(readTimeseriesRecords(path));
}

/**
 * Reads the records of a run's timeseries synchronously: `path` itself, or its gzip-compressed
 * `path.gz` when only that exists (runs keep their timeseries compressed). `null` values come back
 * as NaN.
 * @throws {SyntaxError} naming the file and line for a line that is not a record; NotFound when
 * neither file exists.
 */
export function readTimeseriesRecords(path: string): TimeseriesRecord[] {
  const { text, source } = readMaybeGzipped(path);
  const records: TimeseriesRecord[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === "") continue;
    let record: TimeseriesRecord;
    try {
      record = JSON.parse(line, (_key, value) => value === null ? NaN : value);
    } catch (error) {
      throw new SyntaxError(
        `Cannot parse ${source} line ${index + 1}: not JSON (${(error as Error).message})`,
      );
    }
    if (
      typeof record?.t_ms !== "number" || typeof record.target !== "string" ||
      typeof record.metrics !== "object"
    ) {
      throw new SyntaxError(
        `Cannot parse ${source} line ${index + 1}: expected {"t_ms", "target", "metrics"}`,
      );
    }
    records.push(record);
  }
  return records;
}

/**
 * gzip level of run timeseries: level 1 compresses a 21 MB simulated run in ~22 ms instead of ~127 ms
 * at the default 6, for a file ~1.6× larger (the files are written once and read by plots).
 */
export const TIMESERIES_GZIP_LEVEL = 1;

/** Replaces `path` by `path.gz` (gzip), as runs keep their timeseries. Returns the new path. */
export async function gzipTimeseries(path: string): Promise<string> {
  const target = `${path}.gz`;
  await Deno.writeFile(target, gzipSync(await Deno.readFile(path), { level: TIMESERIES_GZIP_LEVEL }));
  await Deno.remove(path);
  return target;
}

/**
 * Writes JSONL bytes straight to a gzip file `path` (ending in
 * `.gz`), as {@linkcode gzipTimeseries} would leave them, without an uncompressed file in between.
 */
export async function writeGzippedJsonl(path: string, bytes: Uint8Array): Promise<void> {
  await Deno.writeFile(path, gzipSync(bytes, { level: TIMESERIES_GZIP_LEVEL }));
}

function readMaybeGzipped(path: string): { text: string; source: string } {
  try {
    return { text: Deno.readTextFileSync(path), source: path };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const source = `${path}.gz`;
    return { text: new TextDecoder().decode(gunzipSync(Deno.readFileSync(source))), source };
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}
