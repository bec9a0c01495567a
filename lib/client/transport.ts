/**
 * How the runner sends a request: over HTTP to a server (live), or into a virtual-time cluster
 * (simulation). The runner measures nothing itself: a transport reports each request's outcome with
 * its times (TTFT, ITL, E2E) on the runner's clock, so live and simulated runs share every line of
 * pacing, record keeping and metrics.
 * @module
 */
import {
  createRequestTarget,
  type RequestOutcome,
  type RequestTargetOptions,
  sendRequest,
} from "./stream_request.ts";

/** Sends request bodies; each `send` ends in exactly one `onOutcome` call. */
export interface ClientTransport {
  /**
   * Sends one JSON body now; returns a function that aborts it, optionally naming the error class
   * (e.g. `timeout`); the outcome then says so.
   */
  send(
    body: string,
    onOutcome: (outcome: RequestOutcome) => void,
  ): (errorClass?: string, message?: string) => void;
  /** Releases connections. */
  close(): void;
}

/** A transport over node:http keep-alive connections; times on `performance.now()` (RealClock). */
export function httpTransport(options: RequestTargetOptions): ClientTransport {
  const target = createRequestTarget(options);
  return {
    send: (body, onOutcome) => {
      return sendRequest(target, body, performance.now(), onOutcome);
    },
    close: () => target.agent.destroy(),
  };
}
