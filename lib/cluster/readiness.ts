/**
 * Waiting for a server to become ready: `GET /health` answers 200, then `GET /v1/models` answers
 * 200. A child that exits first, or a timeout, is an error that names the process and shows the tail
 * of its logs.
 * @module
 */
import { ReportedError } from "../core/cli.ts";
import type { ManagedProcess } from "./managed_process.ts";

/** Thrown when a fleet member does not become ready; its message names it and shows its log tail. */
export class ReadinessError extends ReportedError {
  override name = "ReadinessError";
}

/** Options for {@linkcode waitUntilReady}. */
export interface WaitUntilReadyOptions {
  /** Give up after this long. @default {60000} */
  timeoutMs?: number;
  /** The process serving `url`, if we started it: its early exit ends the wait. */
  process?: ManagedProcess;
  /** Name for errors when there is no process. */
  name?: string;
  /** Paths to poll in order. @default {["/health", "/v1/models"]} */
  paths?: readonly string[];
  signal?: AbortSignal;
}

/** Resolves once every path of `options.paths` answers 200 on `baseUrl`. */
export async function waitUntilReady(baseUrl: string, options: WaitUntilReadyOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = performance.now() + timeoutMs;
  const name = options.process?.name ?? options.name ?? baseUrl;
  for (const path of options.paths ?? ["/health", "/v1/models"]) {
    for (;;) {
      options.signal?.throwIfAborted();
      if (options.process?.exitStatus !== undefined) {
        const status = options.process.exitStatus;
        throw new ReadinessError(
          `${name} exited with code ${status.code} before it was ready\n${await options.process.logTail()}`,
        );
      }
      if (await answers200(`${baseUrl}${path}`)) break;
      if (performance.now() > deadline) {
        const tail = options.process ? `\n${await options.process.logTail()}` : "";
        throw new ReadinessError(
          `${name} was not ready after ${timeoutMs / 1000} s (${baseUrl}${path})${tail}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}
