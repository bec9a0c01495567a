/**
 * kv_aware: NVIDIA Dynamo's KV router (routers.md §3.2–3.4). The prompt's token ids (our
 * tokenizer, on the text the engine tokenizes) are cut into full blocks with chained hashes; the
 * {@linkcode KvIndex} gives each worker's overlap (leading blocks it holds). Each worker costs
 *   logit = overlapScoreWeight × prefill_blocks + decode_blocks
 * with prefill_blocks = (active prefill tokens + ISL − overlap × blockSize) / blockSize and
 * decode_blocks = active blocks + request blocks not already active there. Temperature 0 takes
 * the minimum (ties: the worker with the smallest tree, then seeded random); above 0 it samples a softmax of
 * −logit / (max − min) at that temperature. The index is fed by the engines' `/kv_events`, or
 * with `useKvEvents` false approximately from the router's own decisions, expiring after `ttlS`.
 * @module
 */
import type { CandidateRecord, RoutingStrategy, StrategyDeps, WorkerId } from "../strategy.ts";
import { invariant } from "../../core/invariant.ts";
import type { Rng } from "../../core/rng.ts";
import { KvIndex } from "../kv_index.ts";
import { ActiveLoad } from "./_active_load.ts";
import { requestBlockHashes } from "./_request_hashes.ts";

/** kv_aware parameters (Dynamo `KvRouterConfig` defaults). */
export interface KvAwareConfig {
  /** Engine KV block size, tokens. */
  blockSize: number;
  /** Weight of prefill blocks against decode blocks (0: pure load balancing). */
  overlapScoreWeight: number;
  /** Softmax temperature; 0 picks the minimum cost. */
  temperature: number;
  /** Feed the index from the engines' `/kv_events`; false: from routing decisions with a TTL. */
  useKvEvents: boolean;
  /** Approximate mode: a routed block is forgotten after this long. */
  ttlS: number;
  /** Approximate mode: bound on (worker, block) entries. */
  maxTreeSize: number;
  /** Approximate mode: prune down to this fraction of the bound. */
  pruneTargetRatio: number;
}

/** Dynamo's defaults. */
export const KV_AWARE_DEFAULTS: KvAwareConfig = {
  blockSize: 16,
  overlapScoreWeight: 1,
  temperature: 0,
  useKvEvents: true,
  ttlS: 120,
  maxTreeSize: 2 ** 20,
  pruneTargetRatio: 0.8,
};

/** One worker's inputs to the cost (Dynamo's `DefaultWorkerSelector`). */
export interface KvCostInput {
  overlapBlocks: number;
  activePrefillTokens: number;
  activeBlocks: number;
  /** Request blocks already active on the worker. */
  blocksAlreadyActive: number;
  /** Prompt length in tokens. */
  isl: number;
  blockSize: number;
  overlapScoreWeight: number;
}

/** Dynamo's cost: overlap weight × prefill blocks + decode blocks (lower is better). */
export function kvCost(input: KvCostInput): { prefillBlocks: number; decodeBlocks: number; logit: number } {
  const requestBlocks = Math.ceil(input.isl / input.blockSize);
  const prefillTokens = input.activePrefillTokens + input.isl - input.overlapBlocks * input.blockSize;
  const prefillBlocks = prefillTokens / input.blockSize;
  const decodeBlocks = input.activeBlocks + requestBlocks - input.blocksAlreadyActive;
  return { prefillBlocks, decodeBlocks, logit: input.overlapScoreWeight * prefillBlocks + decodeBlocks };
}

/**
 * Index of the chosen cost: the minimum at temperature 0 (ties: smallest tree, then `rng`), else a
 * sample of softmax(−logit / (max − min) / temperature) (uniform when all are equal).
 */
export function pickByCost(
  logits: readonly number[],
  treeSizes: readonly number[],
  temperature: number,
  rng: Rng,
): number {
  invariant(
    logits.length > 0 && logits.length === treeSizes.length,
    "pickByCost() needs one tree size per logit",
  );
  if (temperature <= 0) {
    let best: number[] = [];
    for (let i = 0; i < logits.length; i++) {
      const first = best[0];
      if (
        first === undefined || logits[i]! < logits[first]! ||
        (logits[i] === logits[first] && treeSizes[i]! < treeSizes[first]!)
      ) best = [i];
      else if (logits[i] === logits[first] && treeSizes[i] === treeSizes[first]) best.push(i);
    }
    return best.length === 1 ? best[0]! : rng.pick(best);
  }
  const max = Math.max(...logits);
  const min = Math.min(...logits);
  const range = max - min;
  const weights = logits.map((logit) => range === 0 ? 1 : Math.exp((-(logit - min) / range) / temperature));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let draw = rng.float() * total;
  for (let i = 0; i < weights.length; i++) {
    draw -= weights[i]!;
    if (draw < 0) return i;
  }
  return weights.length - 1;
}

/** Creates the kv_aware strategy. */
export function createKvAware(config: KvAwareConfig, deps: StrategyDeps): RoutingStrategy {
  const { clock, rng } = deps;
  const index = new KvIndex({
    ttlMs: config.ttlS * 1000,
    maxBlocks: config.maxTreeSize,
    pruneTargetRatio: config.pruneTargetRatio,
  });
  const active = new ActiveLoad();
  const hashesOf = requestBlockHashes(config.blockSize);
  return {
    name: "kv_aware",
    usesKvEvents: config.useKvEvents,
    select(request, workers) {
      invariant(workers.length > 0, "select() called with no workers");
      if (!config.useKvEvents) index.expire(clock.nowMs());
      const isl = request.tokens().length;
      const hashes = hashesOf(request);
      const overlaps = index.overlap(hashes);
      const logits: number[] = [];
      const treeSizes: number[] = [];
      const candidates: CandidateRecord[] = [];
      for (const worker of workers) {
        const overlapBlocks = overlaps.get(worker.id) ?? 0;
        const { logit } = kvCost({
          overlapBlocks,
          activePrefillTokens: active.prefillTokens(worker.id),
          activeBlocks: active.activeBlocks(worker.id),
          blocksAlreadyActive: active.alreadyActive(worker.id, hashes),
          isl,
          blockSize: config.blockSize,
          overlapScoreWeight: config.overlapScoreWeight,
        });
        logits.push(logit);
        treeSizes.push(index.treeSize(worker.id));
        candidates.push({
          backend: worker.id,
          in_flight: worker.inFlight,
          match_blocks: overlapBlocks,
          score: logit,
        });
      }
      const chosen = pickByCost(logits, treeSizes, config.temperature, rng);
      const overlapBlocks = candidates[chosen]!.match_blocks!;
      return {
        worker: workers[chosen]!.id,
        branch: overlapBlocks > 0 ? "kv_overlap" : "kv_no_overlap",
        candidates,
        matchRate: hashes.length === 0 ? 0 : overlapBlocks / hashes.length,
      };
    },
    onRouted(request, worker) {
      const hashes = hashesOf(request);
      const isl = request.tokens().length;
      const overlapBlocks = index.overlap(hashes).get(worker) ?? 0;
      const prefillTokens = Math.max(0, isl - overlapBlocks * config.blockSize);
      active.add(request, worker, hashes, prefillTokens, isl % config.blockSize !== 0);
      if (!config.useKvEvents) index.storeRouted(worker, hashes, clock.nowMs());
    },
    onFirstToken(request) {
      active.prefillDone(request);
    },
    onFinished(request) {
      active.finish(request);
    },
    onWorkerRemoved(worker: WorkerId) {
      index.clearWorker(worker);
    },
    onKvEvent(worker, event) {
      if (event.type === "stored") index.store(worker, event.block_hashes);
      else if (event.type === "removed") index.remove(worker, event.block_hashes);
      else index.clearWorker(worker);
    },
  };
}
