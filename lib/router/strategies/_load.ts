/**
 * Load helpers shared by strategies: the least-loaded pick with a tie-break that avoids always
 * choosing the first worker (sglang PR #27547), and the power-of-two candidate draw.
 * @module
 */
import { invariant } from "../../core/invariant.ts";
import type { Rng } from "../../core/rng.ts";
import type { CandidateRecord, WorkerView } from "../strategy.ts";

/**
 * The worker with the fewest in-flight requests; ties go to the one routed fewer requests in
 * total, then to a seeded random pick.
 */
export function leastLoaded(workers: readonly WorkerView[], rng: Rng): WorkerView {
  invariant(workers.length > 0, "leastLoaded() needs at least one worker");
  let best: WorkerView[] = [];
  for (const worker of workers) {
    const first = best[0];
    if (first === undefined || worker.inFlight < first.inFlight) {
      best = [worker];
    } else if (worker.inFlight === first.inFlight) {
      if (worker.routedTotal < first.routedTotal) best = [worker];
      else if (worker.routedTotal === first.routedTotal) best.push(worker);
    }
  }
  return best.length === 1 ? best[0]! : rng.pick(best);
}

/** Two distinct workers drawn uniformly (one when only one is given). */
export function drawTwo(workers: readonly WorkerView[], rng: Rng): WorkerView[] {
  invariant(workers.length > 0, "drawTwo() needs at least one worker");
  if (workers.length === 1) return [workers[0]!];
  const first = rng.int(0, workers.length - 1);
  const second = (first + 1 + rng.int(0, workers.length - 2)) % workers.length;
  return [workers[first]!, workers[second]!];
}

/** Power of two choices: the less loaded of two random workers (ties: the first drawn). */
export function powerOfTwo(workers: readonly WorkerView[], rng: Rng): WorkerView {
  const [a, b] = drawTwo(workers, rng);
  if (b === undefined || a!.inFlight <= b.inFlight) return a!;
  return b;
}

/** Decision-log rows with just the loads. */
export function loadCandidates(workers: readonly WorkerView[]): CandidateRecord[] {
  return workers.map((worker) => ({ backend: worker.id, in_flight: worker.inFlight }));
}
