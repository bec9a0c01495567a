/**
 * The routing decision log: one JSON object per routed request (CONTRACTS.md, Router). Sinks are
 * pluggable so a simulation can keep records in memory while the server appends JSONL to a file.
 * @module
 */
import type { Clock, Timer } from "../core/clock.ts";
import type { CandidateRecord } from "./strategy.ts";

/** One line of the decision log. */
export interface DecisionRecord {
  /** Epoch milliseconds at routing. */
  t_ms: number;
  request_id: string;
  strategy: string;
  branch: string;
  candidates?: CandidateRecord[];
  chosen: string;
  /** The backend the strategy first chose, when a connect-failure retry changed it. */
  intended?: string;
  match_rate?: number;
  decision_us?: number;
  /** True when the upstream exchange completed with 2xx. */
  ok?: boolean;
  /** Failure class when not ok. */
  error_kind?: string;
  /** Routing to first response byte, ms. */
  ttft_ms?: number;
  /** Engine-reported prompt and cached tokens (usage). */
  prompt_tokens?: number;
  cached_tokens?: number;
}

/** Where decision records go. */
export interface DecisionSink {
  write(record: DecisionRecord): void;
  /** Flushes and releases resources. */
  close(): Promise<void>;
}

/** Keeps records in memory (tests, simulation). */
export class MemoryDecisionSink implements DecisionSink {
  readonly records: DecisionRecord[] = [];

  write(record: DecisionRecord): void {
    this.records.push(record);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const FLUSH_BYTES = 64 * 1024;
const FLUSH_INTERVAL_MS = 200;

/**
 * Appends JSONL to a file, batching writes (at most every 200 ms or 64 KiB) so logging does not
 * cost a syscall per request.
 */
export class JsonlFileDecisionSink implements DecisionSink {
  readonly #file: Deno.FsFile;
  readonly #clock: Clock;
  readonly #encoder = new TextEncoder();
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: Timer | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: Deno.FsFile, clock: Clock) {
    this.#file = file;
    this.#clock = clock;
  }

  /** Opens (creates or appends to) `path`. */
  static async open(path: string, clock: Clock): Promise<JsonlFileDecisionSink> {
    const file = await Deno.open(path, { create: true, append: true });
    return new JsonlFileDecisionSink(file, clock);
  }

  write(record: DecisionRecord): void {
    const line = JSON.stringify(record) + "\n";
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= FLUSH_BYTES) this.#flush();
    else this.#timer ??= this.#clock.setTimer(this.#clock.nowMs() + FLUSH_INTERVAL_MS, () => this.#flush());
  }

  async close(): Promise<void> {
    this.#flush();
    await this.#writing;
    this.#file.close();
  }

  #flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const bytes = this.#encoder.encode(this.#pending.join(""));
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#writing = this.#writing.then(() => writeAll(this.#file, bytes));
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}
