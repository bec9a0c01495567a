/**
 * Subscribes to each engine's `GET /kv_events` NDJSON stream (Engine contract) and hands every
 * event to the routing core. On every (re)connect a synthetic `cleared` event comes first, so a
 * restarted engine does not leave stale blocks in the index (llm-d-router issue #2853).
 * @module
 */
import * as http from "node:http";
import type { Clock, Timer } from "../core/clock.ts";
import type { KvEvent, WorkerId } from "./strategy.ts";

/** Options for {@linkcode subscribeKvEvents}. */
export interface KvEventsOptions {
  clock: Clock;
  /** Wait between reconnect attempts. */
  retryIntervalMs: number;
  onEvent(worker: WorkerId, event: KvEvent): void;
  /** Connection problems, one line each (the CLI prints them). */
  onProblem?(worker: WorkerId, message: string): void;
}

/** A live subscription. */
export interface KvEventsSubscription {
  close(): void;
}

/** Subscribes to every backend's `/kv_events`, reconnecting until closed. */
export function subscribeKvEvents(
  backends: readonly WorkerId[],
  options: KvEventsOptions,
): KvEventsSubscription {
  const agent = new http.Agent({ keepAlive: false });
  const requests = new Set<http.ClientRequest>();
  const timers = new Set<Timer>();
  let closed = false;

  function connect(worker: WorkerId): void {
    if (closed) return;
    const url = new URL("/kv_events", worker);
    let buffered = "";
    let retried = false;
    const retry = (message: string): void => {
      if (retried || closed) return;
      retried = true;
      options.onProblem?.(worker, message);
      const timer = options.clock.setTimer(options.clock.nowMs() + options.retryIntervalMs, () => {
        timers.delete(timer);
        connect(worker);
      });
      timers.add(timer);
    };
    const request = http.get({ agent, hostname: url.hostname, port: url.port, path: url.pathname }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        retry(`GET ${url} answered ${res.statusCode}`);
        return;
      }
      options.onEvent(worker, { type: "cleared" });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf("\n");
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf("\n");
          if (line === "") continue;
          const event = parseKvEvent(line);
          if (event === undefined) {
            options.onProblem?.(worker, `ignored malformed kv event: ${line.slice(0, 120)}`);
          } else options.onEvent(worker, event);
        }
      });
      res.on("close", () => retry(`kv event stream from ${worker} closed`));
    });
    requests.add(request);
    request.on("close", () => requests.delete(request));
    request.on("error", (error) => retry(`GET ${url} failed: ${error.message}`));
  }

  for (const worker of backends) connect(worker);
  return {
    close() {
      closed = true;
      for (const timer of timers) timer.cancel();
      for (const request of requests) request.destroy();
      agent.destroy();
    },
  };
}

/** Parses one NDJSON line; undefined when it is not a known, well-formed event. */
export function parseKvEvent(line: string): KvEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const hashes = record.block_hashes;
  const validHashes = Array.isArray(hashes) && hashes.every((hash) => typeof hash === "number");
  switch (record.type) {
    case "stored":
      if (!validHashes) return undefined;
      return {
        type: "stored",
        block_hashes: hashes as number[],
        parent_hash: typeof record.parent_hash === "number" ? record.parent_hash : null,
        ...(typeof record.token_count === "number" ? { token_count: record.token_count } : {}),
      };
    case "removed":
      return validHashes ? { type: "removed", block_hashes: hashes as number[] } : undefined;
    case "cleared":
      return { type: "cleared" };
    default:
      return undefined;
  }
}
