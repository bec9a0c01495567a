/**
 * Scrapes several targets' `/metrics` every 100 ms on an absolute schedule (tick k is due at
 * t0 + k·interval; never setInterval, so lateness does not accumulate) and appends one
 * timeseries.jsonl line per scrape per target. A tick that is already a whole interval late is
 * skipped and counted (missed); a target whose previous scrape is still in flight is skipped for
 * that tick and counted (busy); a failed scrape (target down, timeout, HTTP error, bad text) is
 * written as a line with `error` and counted. The scraper measures its own timing: start lag
 * (tick start − deadline) and interval error (|gap between consecutive tick starts − interval|).
 *
 * Timers fire up to a few ms late, so each tick is armed `spinMs` early and the last stretch is a
 * short busy-wait: about 2 % of a core for 100 ms ticks, in exchange for sub-ms start lag.
 * @module
 */
import { createMetricsFetcher, type MetricsFetcher, type ScrapeTransport } from "./metrics_fetcher.ts";
import { parsePrometheusMetrics } from "./parse.ts";
import { formatTimeseriesRecord, JsonlWriter, type TimeseriesRecord } from "./timeseries.ts";

/** One endpoint to scrape. */
export interface ScrapeTarget {
  /** Name written as `target`, e.g. `engine-0`, `router`. */
  name: string;
  /** Base URL (`/metrics` is appended when the path is `/`) or the full metrics URL. */
  url: string;
}

/** Options for {@linkcode Scraper}. */
export interface ScraperOptions {
  targets: readonly ScrapeTarget[];
  /** Interval between ticks. @default {100} */
  intervalMs?: number;
  /** timeseries.jsonl to append to (created when absent); omit to keep nothing on disk. */
  outPath?: string;
  /** Per-scrape timeout. @default {1000} */
  timeoutMs?: number;
  /** HTTP client. @default {"node-http"} */
  transport?: ScrapeTransport;
  /** How early a tick's timer is armed, then busy-waited to the deadline; 0 disables. @default {2} */
  spinMs?: number;
  /** Buffered lines are written at least this often. @default {1000} */
  flushIntervalMs?: number;
  /** Called with every record (e.g. live plots in a notebook). Exceptions are counted, not thrown. */
  onRecord?: (record: TimeseriesRecord) => void;
}

/** Percentiles of a timing, in ms. */
export interface TimingStats {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Per-target counters. */
export interface TargetStats {
  scrapes: number;
  failures: number;
  busySkips: number;
  lastError?: string;
}

interface TargetState {
  name: string;
  url: string;
  inFlight: boolean;
  stats: TargetStats;
}

/** What the scraper measured about itself. */
export interface ScraperStats {
  intervalMs: number;
  /** Epoch ms of the first tick. */
  startedAtMs: number;
  /** Wall time from the first tick to stop(), or to now while running. */
  elapsedMs: number;
  ticks: number;
  /** Ticks skipped because the loop was at least a whole interval late. */
  missedTicks: number;
  scrapes: number;
  failures: number;
  busySkips: number;
  linesWritten: number;
  /** Callback exceptions swallowed from `onRecord`. */
  callbackErrors: number;
  /** Failed writes of the output file (e.g. disk full); the lines of such a write are lost. */
  writeErrors: number;
  /** Tick start − deadline. */
  startLagMs: TimingStats;
  /** |start(k) − start(k−1) − interval| over consecutive ticks. */
  intervalErrorMs: TimingStats;
  /** Request start → parsed body, successful scrapes. */
  scrapeMs: TimingStats;
  targets: Record<string, TargetStats>;
}

/**
 * The 100 ms scraper. `start()` begins ticking at once; `stop()` waits for scrapes in flight, flushes
 * the file and returns the stats. Usable from a notebook: nothing runs until start().
 *
 * @example
 * ```ts ignore
 * const scraper = new Scraper({ targets: [{ name: "engine-0", url: engineUrl }], outPath: "timeseries.jsonl" });
 * await scraper.start();
 * // ... run the load ...
 * const stats = await scraper.stop(); // stats.intervalErrorMs.p99
 * ```
 */
export class Scraper {
  readonly #targets: TargetState[];
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #spinMs: number;
  readonly #flushIntervalMs: number;
  readonly #outPath: string | undefined;
  readonly #onRecord: ((record: TimeseriesRecord) => void) | undefined;
  readonly #transport: ScrapeTransport | undefined;
  #fetcher: MetricsFetcher | undefined;
  #writer: JsonlWriter | undefined;
  #state: "new" | "running" | "stopped" = "new";
  #timer: ReturnType<typeof setTimeout> | undefined;
  #t0 = 0;
  #k = 0;
  #lastStart = NaN;
  #lastK = -2;
  #lastFlush = 0;
  #stoppedAt = NaN;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #startLags: number[] = [];
  readonly #intervalErrors: number[] = [];
  readonly #scrapeDurations: number[] = [];
  #ticks = 0;
  #missed = 0;
  #callbackErrors = 0;
  #writeErrors = 0;
  #linesWritten = 0;

  constructor(options: ScraperOptions) {
    const intervalMs = options.intervalMs ?? 100;
    if (!(intervalMs >= 1)) {
      throw new RangeError(`Scraper 'intervalMs' must be at least 1: current value is ${intervalMs}`);
    }
    const names = new Set<string>();
    this.#targets = options.targets.map((target) => {
      if (typeof target.name !== "string" || target.name === "") {
        throw new TypeError("Scraper target needs a 'name'");
      }
      if (names.has(target.name)) throw new TypeError(`Duplicate scraper target name '${target.name}'`);
      names.add(target.name);
      return {
        name: target.name,
        url: metricsUrl(target.url),
        inFlight: false,
        stats: { scrapes: 0, failures: 0, busySkips: 0 },
      };
    });
    this.#intervalMs = intervalMs;
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#spinMs = Math.max(0, options.spinMs ?? 2);
    this.#flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.#outPath = options.outPath;
    this.#onRecord = options.onRecord;
    this.#transport = options.transport;
  }

  /** Opens the output file and starts ticking (the first tick is now). */
  async start(): Promise<void> {
    if (this.#state !== "new") throw new TypeError("Scraper.start() can only be called once");
    this.#state = "running";
    if (this.#outPath !== undefined) this.#writer = await JsonlWriter.open(this.#outPath);
    this.#fetcher = createMetricsFetcher(this.#transport);
    this.#t0 = performance.now();
    this.#lastFlush = this.#t0;
    this.#k = 0;
    this.#onTimer();
  }

  /** Stops ticking, waits for scrapes in flight (bounded by the timeout), flushes, closes. */
  async stop(): Promise<ScraperStats> {
    if (this.#state === "running") {
      this.#state = "stopped";
      this.#stoppedAt = performance.now();
      clearTimeout(this.#timer);
      await Promise.all([...this.#inFlight]);
      await this.#writer?.close().catch(() => this.#writeErrors++);
      this.#fetcher?.close();
    }
    this.#state = "stopped";
    return this.stats();
  }

  /** A snapshot of the stats so far. */
  stats(): ScraperStats {
    const targets: Record<string, TargetStats> = {};
    let scrapes = 0;
    let failures = 0;
    let busySkips = 0;
    for (const target of this.#targets) {
      targets[target.name] = { ...target.stats };
      scrapes += target.stats.scrapes;
      failures += target.stats.failures;
      busySkips += target.stats.busySkips;
    }
    const end = Number.isNaN(this.#stoppedAt) ? performance.now() : this.#stoppedAt;
    return {
      intervalMs: this.#intervalMs,
      startedAtMs: Math.round(performance.timeOrigin + this.#t0),
      elapsedMs: this.#state === "new" ? 0 : end - this.#t0,
      ticks: this.#ticks,
      missedTicks: this.#missed,
      scrapes,
      failures,
      busySkips,
      linesWritten: this.#linesWritten,
      callbackErrors: this.#callbackErrors,
      writeErrors: this.#writeErrors,
      startLagMs: timingStats(this.#startLags),
      intervalErrorMs: timingStats(this.#intervalErrors),
      scrapeMs: timingStats(this.#scrapeDurations),
      targets,
    };
  }

  #onTimer(): void {
    if (this.#state !== "running") return;
    let deadline = this.#t0 + this.#k * this.#intervalMs;
    let now = performance.now();
    if (deadline - now > this.#spinMs + 1) {
      // The timer fired far too early (rounding): re-arm instead of spinning.
      this.#arm();
      return;
    }
    while (now < deadline) now = performance.now();
    const behind = Math.floor((now - deadline) / this.#intervalMs);
    if (behind >= 1) {
      this.#missed += behind;
      this.#k += behind;
      deadline = this.#t0 + this.#k * this.#intervalMs;
    }
    this.#startLags.push(now - deadline);
    if (this.#lastK === this.#k - 1) {
      this.#intervalErrors.push(Math.abs(now - this.#lastStart - this.#intervalMs));
    }
    this.#lastStart = now;
    this.#lastK = this.#k;
    this.#ticks++;
    this.#tick(Math.round(performance.timeOrigin + now));
    this.#k++;
    this.#arm();
  }

  #arm(): void {
    const deadline = this.#t0 + this.#k * this.#intervalMs;
    const wait = deadline - this.#spinMs - performance.now();
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, wait));
  }

  #tick(epochMs: number): void {
    for (const target of this.#targets) {
      if (target.inFlight) {
        target.stats.busySkips++;
        continue;
      }
      target.inFlight = true;
      const scrape = this.#scrape(target, epochMs).finally(() => {
        target.inFlight = false;
        this.#inFlight.delete(scrape);
      });
      this.#inFlight.add(scrape);
    }
    const now = performance.now();
    if (this.#writer !== undefined && now - this.#lastFlush >= this.#flushIntervalMs) {
      this.#lastFlush = now;
      this.#writer.flush().catch(() => this.#writeErrors++);
    }
  }

  async #scrape(target: TargetState, epochMs: number): Promise<void> {
    const started = performance.now();
    let record: TimeseriesRecord;
    try {
      const text = await this.#fetcher!.get(target.url, this.#timeoutMs);
      record = { t_ms: epochMs, target: target.name, metrics: parsePrometheusMetrics(text) };
      this.#scrapeDurations.push(performance.now() - started);
      target.stats.scrapes++;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      record = { t_ms: epochMs, target: target.name, metrics: {}, error: message };
      target.stats.failures++;
      target.stats.lastError = message;
    }
    this.#writer?.append(formatTimeseriesRecord(record));
    this.#linesWritten++;
    if (this.#onRecord !== undefined) {
      try {
        this.#onRecord(record);
      } catch {
        this.#callbackErrors++;
      }
    }
  }
}

function metricsUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Scraper target url is not a URL: '${url}'`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`Scraper target url must be http(s): '${url}'`);
  }
  if (parsed.pathname === "/" || parsed.pathname === "") parsed.pathname = "/metrics";
  return parsed.href;
}

function timingStats(values: readonly number[]): TimingStats {
  if (values.length === 0) return { count: 0, mean: NaN, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => {
    const rank = q * (sorted.length - 1);
    const low = Math.floor(rank);
    const high = Math.min(low + 1, sorted.length - 1);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
  };
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1]!,
  };
}
