/**
 * The seam between the runner and the wire. The runner hands a transport one JSON body at a time
 * and gets exactly one {@linkcode RequestOutcome} back; live runs use {@linkcode httpTransport}
 * (node:http, streaming), the virtual-time simulation a transport that calls the router and engine
 * cores directly. Outcome times (ttftMs, itlMs, e2eMs) are measured on the runner's Clock (or any
 * clock with the same rate) relative to the request leaving, which is `outcome.sendDelayMs`
 * (default 0) after the `send` call.
 * @module
 */
import type { WorkloadRequest } from "../workload/types.ts";
import {
  createRequestTarget,
  type RequestOutcome,
  type RequestTarget,
  type RequestTargetOptions,
  sendRequest,
} from "./stream_request.ts";

/** Cancels one request: its outcome becomes a failure of `errorClass` (default `aborted`). */
export type AbortRequest = (errorClass?: string, message?: string) => void;

/** Sends requests for the runner. */
export interface ClientTransport {
  /**
   * Sends one request body (the JSON the HTTP client would POST) and calls `onOutcome` exactly once,
   * possibly synchronously, with times relative to this call (plus `outcome.sendDelayMs`) on the
   * runner's Clock. Failures are outcomes, never throws; a cancelled request still gets its outcome
   * (with the cancel's error class), synchronously or later. `request` is the workload request the body was built from, for
   * transports that want its fields without parsing the body. Returns a function that cancels the
   * request (the runner uses it for timeouts and aborts); cancelling a finished request is a no-op.
   */
  send(body: string, onOutcome: (outcome: RequestOutcome) => void, request: WorkloadRequest): AbortRequest;
  /** Releases the transport's resources (sockets). */
  close(): void;
}

/** A transport over node:http with a keep-alive Agent. */
export interface HttpTransport extends ClientTransport {
  readonly target: RequestTarget;
}

/**
 * The live transport: one streaming node:http request per send. Its times are `performance.now()`,
 * the time base of RealClock and PreciseClock, so use it with one of those. Throws TypeError for a
 * bad base URL.
 */
export function httpTransport(options: RequestTargetOptions): HttpTransport {
  const target = createRequestTarget(options);
  return {
    target,
    send: (body, onOutcome) => sendRequest(target, body, performance.now(), onOutcome),
    close: () => target.agent.destroy(),
  };
}
