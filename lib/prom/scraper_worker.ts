/**
 * Web Worker entry that runs a {@linkcode Scraper} on its own thread, so its ticks and parsing do not
 * wait behind the load generator's callbacks on the main event loop (and do not delay them).
 * Protocol (main → worker): `{type:"start", options, forwardRecords}`, `{type:"stats"}`, `{type:"stop"}`;
 * (worker → main): `{type:"started"}`, `{type:"record", record}`, `{type:"stats", stats}`,
 * `{type:"stopped", stats}`, `{type:"error", message}`. Started by `startScraper({ thread: "worker" })`.
 * @module
 */
/// <reference lib="deno.worker" />
import { Scraper, type ScraperOptions } from "./scraper.ts";

let scraper: Scraper | undefined;

self.onmessage = async (event: MessageEvent) => {
  const message = event.data as
    | { type: "start"; options: Omit<ScraperOptions, "onRecord">; forwardRecords: boolean }
    | { type: "stats" }
    | { type: "stop" };
  try {
    if (message.type === "start") {
      scraper = new Scraper({
        ...message.options,
        onRecord: message.forwardRecords
          ? (record) => self.postMessage({ type: "record", record })
          : undefined,
      });
      await scraper.start();
      self.postMessage({ type: "started" });
    } else if (message.type === "stats") {
      self.postMessage({ type: "stats", stats: scraper?.stats() });
    } else {
      self.postMessage({ type: "stopped", stats: await scraper?.stop() });
    }
  } catch (error) {
    self.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
};
