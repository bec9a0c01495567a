/**
 * Per-worker active load as Dynamo's router tracks it (routers.md §3.3): prefill tokens of
 * requests still waiting for their first token, and the KV blocks of requests in flight
 * (deduplicated by block hash; a trailing partial block counts as its own block). Rises when a
 * request is routed, prefill falls at its first token, blocks fall when it finishes.
 * @module
 */
import type { RouteRequest, WorkerId } from "../strategy.ts";

interface WorkerLoad {
  prefillTokens: number;
  blocks: Map<number, number>;
  partialBlocks: number;
}

interface ActiveRequest {
  worker: WorkerId;
  hashes: readonly number[];
  prefillTokens: number;
  partial: boolean;
  prefillDone: boolean;
}

/** Active prefill tokens and blocks per worker, by request. */
export class ActiveLoad {
  readonly #workers = new Map<WorkerId, WorkerLoad>();
  readonly #requests = new Map<RouteRequest, ActiveRequest>();

  /** Prefill tokens waiting on `worker`. */
  prefillTokens(worker: WorkerId): number {
    return this.#workers.get(worker)?.prefillTokens ?? 0;
  }

  /** Distinct active blocks on `worker` (partial blocks counted one each). */
  activeBlocks(worker: WorkerId): number {
    const load = this.#workers.get(worker);
    return load === undefined ? 0 : load.blocks.size + load.partialBlocks;
  }

  /** How many of `hashes` are already active on `worker`. */
  alreadyActive(worker: WorkerId, hashes: readonly number[]): number {
    const blocks = this.#workers.get(worker)?.blocks;
    if (blocks === undefined) return 0;
    let count = 0;
    for (const hash of hashes) if (blocks.has(hash)) count++;
    return count;
  }

  /** A request was routed to `worker` with `prefillTokens` to compute. */
  add(
    request: RouteRequest,
    worker: WorkerId,
    hashes: readonly number[],
    prefillTokens: number,
    partial: boolean,
  ): void {
    let load = this.#workers.get(worker);
    if (load === undefined) {
      load = { prefillTokens: 0, blocks: new Map(), partialBlocks: 0 };
      this.#workers.set(worker, load);
    }
    load.prefillTokens += prefillTokens;
    for (const hash of hashes) load.blocks.set(hash, (load.blocks.get(hash) ?? 0) + 1);
    if (partial) load.partialBlocks++;
    this.#requests.set(request, { worker, hashes, prefillTokens, partial, prefillDone: false });
  }

  /** The request's prefill is done (first token). */
  prefillDone(request: RouteRequest): void {
    const active = this.#requests.get(request);
    if (active === undefined || active.prefillDone) return;
    active.prefillDone = true;
    const load = this.#workers.get(active.worker);
    if (load !== undefined) load.prefillTokens -= active.prefillTokens;
  }

  /** The request finished: release everything it held. */
  finish(request: RouteRequest): void {
    this.prefillDone(request);
    const active = this.#requests.get(request);
    if (active === undefined) return;
    this.#requests.delete(request);
    const load = this.#workers.get(active.worker);
    if (load === undefined) return;
    for (const hash of active.hashes) {
      const count = load.blocks.get(hash)!;
      if (count <= 1) load.blocks.delete(hash);
      else load.blocks.set(hash, count - 1);
    }
    if (active.partial) load.partialBlocks--;
  }

  /** Requests still tracked (tests: 0 when idle). */
  get size(): number {
    return this.#requests.size;
  }
}
