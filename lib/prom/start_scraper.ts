/**
 * `startScraper()`: the one call sweeps and notebooks use. It runs the {@linkcode Scraper} on the main
 * thread or, by default, in a Web Worker (lib/prom/scraper_worker.ts) so that a load generator in the
 * same process does not delay the scraper's ticks; test/bench/scraper_bench.ts measures both.
 * @module
 */
import { Scraper, type ScraperOptions, type ScraperStats } from "./scraper.ts";
import type { TimeseriesRecord } from "./timeseries.ts";

/** Options for {@linkcode startScraper}. */
export interface StartScraperOptions extends ScraperOptions {
  /** Where the scraper runs. @default {"worker"} */
  thread?: "worker" | "main";
}

/** A running scraper, wherever it runs. */
export interface ScraperHandle {
  /** Stats so far. */
  stats(): Promise<ScraperStats>;
  /** Stops ticking, waits for scrapes in flight, flushes the file; returns the final stats. Idempotent. */
  stop(): Promise<ScraperStats>;
}

/**
 * Validates `options`, starts a scraper and resolves once its first tick is issued.
 * @throws {TypeError|RangeError} for bad options, before anything starts.
 *
 * @example
 * ```ts ignore
 * const scraper = await startScraper({ targets, outPath: `${runDir}/timeseries.jsonl` });
 * const result = await runBenchmark(...);
 * const stats = await scraper.stop(); // stats.intervalErrorMs.p99, stats.missedTicks, stats.failures
 * ```
 */
export async function startScraper(options: StartScraperOptions): Promise<ScraperHandle> {
  const { thread = "worker", ...scraperOptions } = options;
  const scraper = new Scraper(scraperOptions); // validates on this thread, so errors keep their class
  if (thread === "main") {
    await scraper.start();
    return { stats: () => Promise.resolve(scraper.stats()), stop: () => scraper.stop() };
  }
  return await WorkerScraper.start(scraperOptions);
}

class WorkerScraper implements ScraperHandle {
  readonly #worker: Worker;
  readonly #onRecord: ((record: TimeseriesRecord) => void) | undefined;
  #waiting: { type: string; resolve: (value: unknown) => void; reject: (error: Error) => void }[] = [];
  #final: Promise<ScraperStats> | undefined;

  private constructor(onRecord: ((record: TimeseriesRecord) => void) | undefined) {
    this.#onRecord = onRecord;
    this.#worker = new Worker(new URL("./scraper_worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (event: MessageEvent) => this.#receive(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#failAll(new Error(`Scraper worker failed: ${event.message}`));
    };
  }

  static async start(options: ScraperOptions): Promise<WorkerScraper> {
    const { onRecord, ...plain } = options;
    const handle = new WorkerScraper(onRecord);
    try {
      await handle.#request(
        { type: "start", options: plain, forwardRecords: onRecord !== undefined },
        "started",
      );
    } catch (error) {
      handle.#worker.terminate();
      throw error;
    }
    return handle;
  }

  stats(): Promise<ScraperStats> {
    if (this.#final !== undefined) return this.#final;
    return this.#request({ type: "stats" }, "stats") as Promise<ScraperStats>;
  }

  stop(): Promise<ScraperStats> {
    this.#final ??= (this.#request({ type: "stop" }, "stopped") as Promise<ScraperStats>)
      .finally(() => this.#worker.terminate());
    return this.#final;
  }

  #request(message: unknown, reply: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ type: reply, resolve, reject });
      this.#worker.postMessage(message);
    });
  }

  #receive(
    message: { type: string; record?: TimeseriesRecord; stats?: ScraperStats; message?: string },
  ): void {
    if (message.type === "record") {
      try {
        this.#onRecord?.(message.record!);
      } catch {
        // The in-thread scraper swallows callback errors too (counted there; not visible here).
      }
      return;
    }
    if (message.type === "error") {
      this.#failAll(new Error(message.message));
      return;
    }
    const index = this.#waiting.findIndex((waiter) => waiter.type === message.type);
    if (index < 0) return;
    const [waiter] = this.#waiting.splice(index, 1);
    waiter!.resolve(message.stats);
  }

  #failAll(error: Error): void {
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}
