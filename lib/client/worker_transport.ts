/**
 * The live HTTP transport spread over Worker isolates: node:http's per-request cost (~100 µs of
 * CPU in Deno, most of it in the node compatibility layer) caps one isolate below 10,000 streamed
 * requests/s, so each Worker runs its own node:http transport (transport_worker.ts) and the main
 * thread keeps the runner (scheduling, records, summary). A request goes to the Worker with the
 * fewest in flight; sends and outcomes cross in one message per macrotask per Worker. Timing is
 * measured in the Worker; the main-to-Worker hop is reported as `sendDelayMs` (send lag).
 * @module
 */
import type { WorkloadRequest } from "../workload/types.ts";
import type { RequestOutcome, RequestTargetOptions } from "./stream_request.ts";
import { type AbortRequest, type ClientTransport, httpTransport } from "./transport.ts";

type Outbound = [number, string, number] | [number, null, string | undefined, string | undefined];

interface Lane {
  worker: Worker;
  inFlight: number;
  queue: Outbound[];
}

/**
 * An HTTP transport over `workers` Worker isolates (each with `maxSockets / workers` sockets).
 * Falls back to the single-isolate {@linkcode httpTransport} when `workers` < 2 or the
 * Worker module cannot be read. Throws TypeError for a bad base URL.
 */
export function workerHttpTransport(
  options: RequestTargetOptions & { workers: number },
): ClientTransport {
  // Validates the URL (and is the fallback).
  const local = httpTransport(options);
  const url = new URL("./transport_worker.ts", import.meta.url);
  const readable = url.protocol !== "file:" ||
    Deno.permissions.querySync({ name: "read", path: url }).state === "granted";
  if (!(options.workers >= 2) || !readable) return local;
  local.close();

  const pending = new Map<number, { onOutcome: (outcome: RequestOutcome) => void; lane: Lane }>();
  const lanes: Lane[] = [];
  let nextId = 0;
  const perWorker = { ...options, maxSockets: Math.ceil(options.maxSockets / options.workers) };
  delete (perWorker as { workers?: number }).workers;
  for (let i = 0; i < options.workers; i++) {
    const worker = new Worker(url.href, { type: "module" });
    const lane: Lane = { worker, inFlight: 0, queue: [] };
    worker.onmessage = (event: MessageEvent<Array<[number, RequestOutcome]>>) => {
      for (const [id, outcome] of event.data) {
        const entry = pending.get(id);
        if (entry === undefined) continue;
        pending.delete(id);
        entry.lane.inFlight--;
        entry.onOutcome(outcome);
      }
    };
    worker.postMessage(perWorker);
    lanes.push(lane);
  }
  const flush = (lane: Lane) => {
    const queue = lane.queue;
    lane.queue = [];
    lane.worker.postMessage(queue);
  };
  const enqueue = (lane: Lane, message: Outbound) => {
    if (lane.queue.length === 0) queueMicrotask(() => flush(lane));
    lane.queue.push(message);
  };

  return {
    send(
      body: string,
      onOutcome: (outcome: RequestOutcome) => void,
      _request: WorkloadRequest,
    ): AbortRequest {
      let lane = lanes[0]!;
      for (let i = 1; i < lanes.length; i++) if (lanes[i]!.inFlight < lane.inFlight) lane = lanes[i]!;
      const id = nextId++;
      lane.inFlight++;
      pending.set(id, { onOutcome, lane });
      enqueue(lane, [id, body, performance.timeOrigin + performance.now()]);
      return (errorClass?: string, message?: string) => {
        if (pending.has(id)) enqueue(lane, [id, null, errorClass, message]);
      };
    },
    close() {
      for (const lane of lanes) lane.worker.terminate();
      lanes.length = 0;
      pending.clear();
    },
  };
}
