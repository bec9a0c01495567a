/**
 * The Worker side of {@linkcode workerHttpTransport} (worker_transport.ts): an HTTP transport
 * (node:http, its own keep-alive Agent) in a Worker isolate. Messages in: `[id, body, callEpochMs]`
 * to send, `[id, null, errorClass, message]` to cancel. Messages out: batches of
 * `[id, outcome]` where `outcome.sendDelayMs` is the time from the main thread's send() call to the
 * request leaving here (epoch ms agree across threads), so the runner can count the hop as send lag.
 * @module
 */
import { httpTransport } from "./transport.ts";
import type { AbortRequest } from "./transport.ts";
import type { RequestOutcome } from "./stream_request.ts";
import type { RequestTargetOptions } from "./stream_request.ts";
import type { WorkloadRequest } from "../workload/types.ts";

type Inbound = [number, string, number] | [number, null, string | undefined, string | undefined];

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
const NO_REQUEST = {} as WorkloadRequest;

scope.onmessage = (init: MessageEvent<RequestTargetOptions>) => {
  const transport = httpTransport(init.data);
  const aborts = new Map<number, AbortRequest>();
  // Outcomes finishing in one macrotask go back as one message.
  let batch: Array<[number, RequestOutcome]> = [];
  const flush = () => {
    const out = batch;
    batch = [];
    scope.postMessage(out);
  };
  scope.onmessage = (event: MessageEvent<Inbound[]>) => {
    for (const message of event.data) {
      const id = message[0];
      if (message[1] === null) {
        aborts.get(id)?.(message[2], message[3]);
        continue;
      }
      const callEpochMs = message[2];
      const sendDelayMs = performance.timeOrigin + performance.now() - callEpochMs;
      let finished = false;
      const abort = transport.send(message[1], (outcome) => {
        finished = true;
        aborts.delete(id);
        outcome.sendDelayMs = Math.max(0, sendDelayMs);
        if (batch.length === 0) queueMicrotask(flush);
        batch.push([id, outcome]);
      }, NO_REQUEST);
      if (!finished) aborts.set(id, abort);
    }
  };
};
