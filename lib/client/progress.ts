/**
 * The one-line progress display for a terminal.
 * @module
 */
import type { BenchmarkProgress } from "./types.ts";

/** `run 512/1000 sent, 480 done, 2 failed, 30 in flight, 12.3 s` */
export function formatProgress(progress: BenchmarkProgress): string {
  return `${progress.phase} ${progress.sent}/${progress.total} sent, ${progress.completed} done, ${progress.failed} failed, ` +
    `${progress.inFlight} in flight, ${(progress.elapsedMs / 1000).toFixed(1)} s`;
}
