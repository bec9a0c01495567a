// Helpers for virtual-time engine tests: an EngineCore on a VirtualClock and sinks that record what
// a client would see (token times, texts, finish results).
import { VirtualClock } from "../../lib/core/clock.ts";
import { createRng } from "../../lib/core/rng.ts";
import {
  EngineCore,
  type EngineOptions,
  type FinishResult,
  resolveEngineConfig,
  type StepRecord,
} from "../../lib/engine/mod.ts";

/** What a client of one request observed. */
export interface Observed {
  id: string;
  submitMs: number;
  tokenMs: number[];
  texts: string[];
  finish: FinishResult | null;
  finishReasonOnToken: string | null;
}

/** An engine in virtual time plus recorders. */
export class VirtualEngine {
  readonly clock = new VirtualClock();
  readonly core: EngineCore;
  readonly steps: StepRecord[] = [];
  readonly observed = new Map<string, Observed>();
  #next = 0;

  constructor(options: EngineOptions = {}, deps: { emitAheadMs?: number } = {}) {
    this.core = new EngineCore(resolveEngineConfig({ apiOverheadMs: 0, ...options }), {
      clock: this.clock,
      rng: createRng(options.seed ?? 0),
      ...deps,
    });
    this.core.onStep((step) => this.steps.push(step));
  }

  /** Submits a request now; returns its record. */
  submit(
    promptTokenIds: number[],
    maxTokens: number,
    extra: { ignoreEos?: boolean; minTokens?: number; id?: string; seed?: number } = {},
  ): Observed {
    const id = extra.id ?? `r${this.#next++}`;
    const record: Observed = {
      id,
      submitMs: this.clock.nowMs(),
      tokenMs: [],
      texts: [],
      finish: null,
      finishReasonOnToken: null,
    };
    this.observed.set(id, record);
    this.core.submit({
      id,
      promptTokenIds,
      maxTokens,
      ignoreEos: extra.ignoreEos ?? true,
      minTokens: extra.minTokens,
      seed: extra.seed,
    }, {
      onToken: (_id, text, reason) => {
        record.tokenMs.push(this.clock.nowMs());
        record.texts.push(text);
        if (reason !== null) record.finishReasonOnToken = reason;
      },
      onFinish: (result) => {
        record.finish = result;
      },
    });
    return record;
  }

  /** Runs until no timer is left (the engine is idle). */
  runToIdle(limit = 1_000_000): void {
    const checkEveryStep = this.core.config.numGpuBlocks < 2000; // O(blocks) check
    for (let i = 0; i < limit && this.clock.runNext(); i++) if (checkEveryStep) this.core.checkInvariants();
    this.core.checkInvariants();
  }

  /** Runs until virtual time `ms`. */
  runUntil(ms: number): void {
    this.clock.runUntil(ms);
  }
}

/** Distinct prompt ids of length n (seeded by `salt`, all ≥ 256). */
export function promptIds(n: number, salt = 0): number[] {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(256 + ((i * 7919 + salt * 104729) % 100_000));
  return ids;
}

/** Mean of the gaps between consecutive values. */
export function meanGap(times: number[]): number {
  if (times.length < 2) return NaN;
  return (times[times.length - 1]! - times[0]!) / (times.length - 1);
}
