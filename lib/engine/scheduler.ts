/**
 * The vLLM V1 scheduling policy for one step, with no notion of time or cost:
 * 1. running requests first, in order, each getting min(remaining tokens, budget) (one decode token,
 *    or its next prefill chunk); when blocks run out the newest running request is preempted (LIFO),
 *    its blocks freed and its progress reset, and it goes back to the front of the waiting queue;
 * 2. then, unless this step preempted, waiting requests first-come-first-served while the token budget,
 *    `max_num_seqs` and free blocks allow (chunked prefill; a request that does not fit stays at the head).
 * The engine loop turns the result into a duration with the timing model.
 * @module
 */
import { invariant } from "../core/invariant.ts";
import { Deque } from "./deque.ts";
import type { KvCacheManager, PrefixHit } from "./kv_cache_manager.ts";
import type { EngineRequest } from "./request.ts";
import { addDecode, addPrefill, type StepShape } from "./timing_model.ts";

/** Limits of one step. */
export interface SchedulerLimits {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
}

/** Observes scheduling events (the engine records metrics from them). */
export interface SchedulerObserver {
  /** A request was preempted. */
  onPreempt(request: EngineRequest): void;
  /** A waiting request was admitted after a prefix lookup. */
  onAdmit(request: EngineRequest, hit: PrefixHit, numTokensQueried: number): void;
}

/** One step's schedule; arrays are reused between steps. */
export class ScheduledBatch {
  readonly requests: EngineRequest[] = [];
  /** Tokens scheduled for each request, parallel to {@linkcode requests}. */
  readonly numNewTokens: number[] = [];
  numPreemptions = 0;
  readonly shape: StepShape = {
    numPrefills: 0,
    prefillTokens: 0,
    prefillAttentionPairs: 0,
    numDecodes: 0,
    decodeContextTokens: 0,
  };

  /** Number of scheduled requests. */
  get length(): number {
    return this.requests.length;
  }

  /** Empties the batch for reuse. */
  clear(): void {
    this.requests.length = 0;
    this.numNewTokens.length = 0;
    this.numPreemptions = 0;
    const shape = this.shape;
    shape.numPrefills = 0;
    shape.prefillTokens = 0;
    shape.prefillAttentionPairs = 0;
    shape.numDecodes = 0;
    shape.decodeContextTokens = 0;
  }

  add(request: EngineRequest, numNewTokens: number): void {
    this.requests.push(request);
    this.numNewTokens.push(numNewTokens);
    const context = request.numComputedTokens;
    if (numNewTokens === 1 && request.outputTokens > 0 && context === request.numTokens - 1) {
      addDecode(this.shape, context);
    } else addPrefill(this.shape, numNewTokens, context);
  }
}

/** Waiting and running queues plus the step policy. */
export class Scheduler {
  /** FCFS queue; preempted requests go back to the front. */
  readonly waiting = new Deque<EngineRequest>();
  /** Running requests in admission order (the last is preempted first). */
  readonly running: EngineRequest[] = [];
  readonly #kv: KvCacheManager;
  readonly #limits: SchedulerLimits;
  readonly #observer: SchedulerObserver;

  constructor(kv: KvCacheManager, limits: SchedulerLimits, observer: SchedulerObserver) {
    this.#kv = kv;
    this.#limits = limits;
    this.#observer = observer;
  }

  /** Whether any request is queued or running. */
  get hasWork(): boolean {
    return this.running.length > 0 || this.waiting.length > 0;
  }

  /** Fills `batch` for a step starting at `startMs`; waiting requests that arrive later are not admitted yet. */
  schedule(startMs: number, batch: ScheduledBatch): void {
    batch.clear();
    const kv = this.#kv;
    const running = this.running;
    let budget = this.#limits.maxNumBatchedTokens;
    for (let index = 0; index < running.length && budget > 0; index++) {
      const request = running[index]!;
      const numNew = Math.min(request.numTokens - request.numComputedTokens, budget);
      if (numNew <= 0) continue;
      let scheduled = true;
      while (!kv.allocateSlots(request, numNew)) {
        const victim = running.pop()!;
        this.#preempt(victim);
        batch.numPreemptions++;
        if (victim === request) {
          scheduled = false;
          break;
        }
      }
      if (!scheduled) break;
      batch.add(request, numNew);
      budget -= numNew;
    }
    if (batch.numPreemptions > 0) return;
    const waiting = this.waiting;
    while (waiting.length > 0 && budget > 0 && running.length < this.#limits.maxNumSeqs) {
      const request = waiting.peekFront()!;
      if (request.arrivalMs > startMs) break;
      invariant(
        request.numComputedTokens === 0 && request.blocks.length === 0,
        `waiting request ${request.id} holds KV`,
      );
      const hit = kv.findCachedPrefix(request);
      const numNew = Math.min(request.numTokens - hit.tokens, budget);
      if (!kv.allocateSlots(request, numNew, hit)) break;
      waiting.popFront();
      request.numComputedTokens = hit.tokens;
      request.status = "running";
      if (request.scheduledMs < 0) request.scheduledMs = startMs;
      this.#observer.onAdmit(request, hit, request.numTokens);
      running.push(request);
      batch.add(request, numNew);
      budget -= numNew;
    }
  }

  /** Removes a request from whichever queue holds it and frees its blocks. */
  remove(request: EngineRequest): void {
    if (request.status === "running") {
      const index = this.running.indexOf(request);
      if (index >= 0) this.running.splice(index, 1);
    } else if (request.status === "waiting") {
      this.waiting.remove(request);
    }
    this.#kv.free(request);
  }

  #preempt(victim: EngineRequest): void {
    this.#kv.free(victim);
    victim.numComputedTokens = 0;
    victim.status = "waiting";
    victim.numPreemptions++;
    this.waiting.pushFront(victim);
    this.#observer.onPreempt(victim);
  }
}
