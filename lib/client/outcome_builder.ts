/**
 * Builds a {@linkcode RequestOutcome} from events seen on a Clock, with the HTTP client's rules: TTFT
 * at the first token event, ITL between token events, E2E at the last line of any kind (sglang) or
 * the last token event (vllm). In-process transports (the virtual-time simulation feeding engine
 * token callbacks) use it so their outcomes mean exactly what the live client measures.
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { MetricDialect, StreamUsage } from "./sse_event.ts";
import type { RequestOutcome } from "./stream_request.ts";

/** Collects one request's event times; create it at the send. */
export class OutcomeBuilder {
  readonly #clock: Clock;
  readonly #dialect: MetricDialect;
  readonly #sentAtMs: number;
  readonly #itlMs: number[] = [];
  #firstTokenMs = -1;
  #lastTokenMs = -1;
  #lastLineMs = -1;
  #tokenEvents = 0;
  #done = false;

  constructor(clock: Clock, dialect: MetricDialect = "sglang") {
    this.#clock = clock;
    this.#dialect = dialect;
    this.#sentAtMs = clock.nowMs();
  }

  /** Whether finish() or fail() was called. */
  get done(): boolean {
    return this.#done;
  }

  /** A token event (a chunk with non-empty text) now. */
  token(): void {
    const now = this.#clock.nowMs();
    if (this.#firstTokenMs < 0) this.#firstTokenMs = now;
    else this.#itlMs.push(now - this.#lastTokenMs);
    this.#lastTokenMs = now;
    this.#lastLineMs = now;
    this.#tokenEvents++;
  }

  /** A non-token line now (role chunk, usage chunk, `[DONE]`): moves the sglang-dialect E2E. */
  line(): void {
    this.#lastLineMs = this.#clock.nowMs();
  }

  /** The successful outcome (a stream with no token event is `no_token_events`, as over HTTP). */
  finish(usage: StreamUsage | null): RequestOutcome {
    this.line();
    if (this.#tokenEvents === 0) return this.fail("no_token_events", "stream had no token event", 200, usage);
    return this.#outcome(null, null, 200, usage);
  }

  /** A failed outcome with its error class (e.g. `http_503`, `timeout`, `aborted`). */
  fail(
    errorClass: string,
    error: string,
    httpStatus: number | null = null,
    usage: StreamUsage | null = null,
  ) {
    return this.#outcome(errorClass, error, httpStatus, usage);
  }

  #outcome(
    errorClass: string | null,
    error: string | null,
    httpStatus: number | null,
    usage: StreamUsage | null,
  ): RequestOutcome {
    this.#done = true;
    const e2eAt = this.#dialect === "vllm" ? this.#lastTokenMs : this.#lastLineMs;
    return {
      success: errorClass === null,
      errorClass,
      error,
      httpStatus,
      ttftMs: this.#firstTokenMs >= 0 ? this.#firstTokenMs - this.#sentAtMs : null,
      itlMs: this.#itlMs,
      e2eMs: e2eAt >= 0 ? e2eAt - this.#sentAtMs : null,
      tokenEvents: this.#tokenEvents,
      usage,
    };
  }
}
