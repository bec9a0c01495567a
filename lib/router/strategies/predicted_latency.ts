/**
 * predicted_latency (ours, routers.md §8.1–8.2): route to the worker with the lowest predicted
 * time to first token,
 *   TTFT_w ≈ a_w + b_w·queued_prefill_tokens_w + c_w·uncached_tokens_w + d_w·in_flight_w,
 * with the coefficients fitted online per worker (recursive least squares with forgetting) from
 * the TTFT the router observes and the `usage.prompt_tokens_details.cached_tokens` the engine
 * returns. queued_prefill_tokens is the uncached prompt work routed to the worker still waiting
 * for its first token; uncached_tokens is this prompt minus the blocks the worker is predicted
 * to hold (a TTL index of the router's own decisions, as kv_aware without events), scaled by a
 * per-worker hit reliability learned from the engine's actual cached_tokens. The in-flight term
 * (an addition to the plain queue + prefill model) stands for decode batches slowing prefill.
 *
 * How it differs: Ray and SGLang gate on a character match ratio with hand-set thresholds;
 * Dynamo scores blocks with a hand-set weight, in no time unit. Here the trade-off between cache
 * affinity and queueing is in milliseconds and learned from live responses, per worker, and the
 * index is corrected by the engine's reported hits — none of the anchors closes that loop.
 * Until a worker has `minSamples` observations, a fleet-wide fit stands in for its own.
 * @module
 */
import type { CandidateRecord, RouteRequest, RoutingStrategy, StrategyDeps, WorkerId } from "../strategy.ts";
import { invariant } from "../../core/invariant.ts";
import { KvIndex } from "../kv_index.ts";
import { OnlineLinearFit } from "./_online_fit.ts";
import { requestBlockHashes } from "./_request_hashes.ts";

/** predicted_latency parameters. */
export interface PredictedLatencyConfig {
  /** Engine KV block size, tokens. */
  blockSize: number;
  /** A routed block is assumed cached for this long. */
  ttlS: number;
  /** Bound on (worker, block) entries of the index. */
  maxTreeSize: number;
  /** Weight of the past per observation in the fits (1: never forget). */
  forgettingFactor: number;
  /** Prior base TTFT a, ms. */
  priorBaseMs: number;
  /** Prior cost of one uncached or queued prefill token (b and c), ms. */
  priorMsPerToken: number;
  /** Prior cost of one in-flight request (d), ms. */
  priorMsPerInFlight: number;
  /** Observations before a worker's own fit replaces the fleet-wide one. */
  minSamples: number;
}

/** Defaults (priors are rough; the fit replaces them within a few dozen requests). */
export const PREDICTED_LATENCY_DEFAULTS: PredictedLatencyConfig = {
  blockSize: 16,
  ttlS: 120,
  maxTreeSize: 2 ** 20,
  forgettingFactor: 0.995,
  priorBaseMs: 20,
  priorMsPerToken: 0.1,
  priorMsPerInFlight: 2,
  minSamples: 20,
};

// Features are scaled so the coefficients have similar magnitudes: tokens in thousands, requests in tens.
const TOKEN_SCALE = 1000;
const IN_FLIGHT_SCALE = 10;
const PRIOR_VARIANCE = 1e4;
const RELIABILITY_ALPHA = 0.1;

interface Pending {
  worker: WorkerId;
  features: number[];
  isl: number;
  /** Predicted cached tokens before the reliability scaling. */
  rawCachedTokens: number;
  predictedCachedTokens: number;
  queuedTokens: number;
  ttftMs?: number;
}

/** Creates the predicted_latency strategy. */
export function createPredictedLatency(config: PredictedLatencyConfig, deps: StrategyDeps): RoutingStrategy {
  const { clock, rng } = deps;
  const prior = [
    config.priorBaseMs,
    config.priorMsPerToken * TOKEN_SCALE,
    config.priorMsPerToken * TOKEN_SCALE,
    config.priorMsPerInFlight * IN_FLIGHT_SCALE,
  ];
  const newFit = (): OnlineLinearFit => new OnlineLinearFit(prior, PRIOR_VARIANCE, config.forgettingFactor);
  const fleetFit = newFit();
  const fits = new Map<WorkerId, OnlineLinearFit>();
  const reliability = new Map<WorkerId, number>();
  const queuedTokens = new Map<WorkerId, number>();
  const pending = new Map<RouteRequest, Pending>();
  const index = new KvIndex({
    ttlMs: config.ttlS * 1000,
    maxBlocks: config.maxTreeSize,
    pruneTargetRatio: 0.8,
  });
  const hashesOf = requestBlockHashes(config.blockSize);
  const fitOf = (worker: WorkerId): OnlineLinearFit => {
    const own = fits.get(worker);
    return own !== undefined && own.count >= config.minSamples ? own : fleetFit;
  };
  const inFlightOf = new Map<WorkerId, number>();
  const estimate = (worker: WorkerId, inFlight: number, isl: number, overlapBlocks: number) => {
    const rawCachedTokens = Math.min(isl, overlapBlocks * config.blockSize);
    const predictedCachedTokens = rawCachedTokens * (reliability.get(worker) ?? 1);
    const queued = queuedTokens.get(worker) ?? 0;
    const features = [
      1,
      queued / TOKEN_SCALE,
      (isl - predictedCachedTokens) / TOKEN_SCALE,
      inFlight / IN_FLIGHT_SCALE,
    ];
    const theta = fitOf(worker).theta;
    let ttftMs = 0;
    for (let i = 0; i < features.length; i++) ttftMs += Math.max(0, theta[i]!) * features[i]!;
    return { ttftMs, features, rawCachedTokens, predictedCachedTokens };
  };
  const releaseQueued = (entry: Pending): void => {
    queuedTokens.set(entry.worker, Math.max(0, (queuedTokens.get(entry.worker) ?? 0) - entry.queuedTokens));
    entry.queuedTokens = 0;
  };
  return {
    name: "predicted_latency",
    select(request, workers) {
      invariant(workers.length > 0, "select() called with no workers");
      index.expire(clock.nowMs());
      const hashes = hashesOf(request);
      const isl = request.tokens().length;
      const overlaps = index.overlap(hashes);
      let best: number[] = [];
      const predictions: number[] = [];
      const candidates: CandidateRecord[] = [];
      workers.forEach((worker, i) => {
        const overlapBlocks = overlaps.get(worker.id) ?? 0;
        const { ttftMs } = estimate(worker.id, worker.inFlight, isl, overlapBlocks);
        predictions.push(ttftMs);
        candidates.push({
          backend: worker.id,
          in_flight: worker.inFlight,
          match_blocks: overlapBlocks,
          score: ttftMs,
        });
        const first = best[0];
        if (
          first === undefined || ttftMs < predictions[first]! ||
          (ttftMs === predictions[first] && worker.inFlight < workers[first]!.inFlight)
        ) best = [i];
        else if (ttftMs === predictions[first] && worker.inFlight === workers[first]!.inFlight) best.push(i);
      });
      const chosen = best.length === 1 ? best[0]! : rng.pick(best);
      const overlapBlocks = candidates[chosen]!.match_blocks!;
      return {
        worker: workers[chosen]!.id,
        branch: "min_predicted_ttft",
        candidates,
        matchRate: hashes.length === 0 ? 0 : overlapBlocks / hashes.length,
      };
    },
    onRouted(request, worker) {
      const hashes = hashesOf(request);
      const isl = request.tokens().length;
      const overlapBlocks = index.overlap(hashes).get(worker) ?? 0;
      // In-flight at routing excludes this request, as in select().
      const inFlight = inFlightOf.get(worker) ?? 0;
      inFlightOf.set(worker, inFlight + 1);
      const { features, rawCachedTokens, predictedCachedTokens } = estimate(
        worker,
        inFlight,
        isl,
        overlapBlocks,
      );
      const uncached = Math.max(0, isl - predictedCachedTokens);
      queuedTokens.set(worker, (queuedTokens.get(worker) ?? 0) + uncached);
      pending.set(request, {
        worker,
        features,
        isl,
        rawCachedTokens,
        predictedCachedTokens,
        queuedTokens: uncached,
      });
      index.storeRouted(worker, hashes, clock.nowMs());
    },
    onFirstToken(request, _worker, ttftMs) {
      const entry = pending.get(request);
      if (entry === undefined) return;
      entry.ttftMs = ttftMs;
      releaseQueued(entry);
    },
    onFinished(request, worker, outcome) {
      const entry = pending.get(request);
      if (entry === undefined) return;
      pending.delete(request);
      inFlightOf.set(entry.worker, Math.max(0, (inFlightOf.get(entry.worker) ?? 1) - 1));
      releaseQueued(entry);
      if (!outcome.ok || entry.ttftMs === undefined) return;
      const promptTokens = outcome.promptTokens ?? entry.isl;
      const cachedTokens = outcome.cachedTokens ?? entry.predictedCachedTokens;
      const features = [...entry.features];
      features[2] = Math.max(0, promptTokens - cachedTokens) / TOKEN_SCALE;
      let fit = fits.get(worker);
      if (fit === undefined) {
        fit = newFit();
        fits.set(worker, fit);
      }
      fit.update(features, entry.ttftMs);
      fleetFit.update(features, entry.ttftMs);
      if (outcome.cachedTokens !== undefined && entry.rawCachedTokens > 0) {
        const ratio = Math.min(1, outcome.cachedTokens / entry.rawCachedTokens);
        const previous = reliability.get(worker) ?? 1;
        reliability.set(worker, previous + RELIABILITY_ALPHA * (ratio - previous));
      }
    },
    onWorkerRemoved(worker) {
      index.clearWorker(worker);
      fits.delete(worker);
      reliability.delete(worker);
    },
  };
}
