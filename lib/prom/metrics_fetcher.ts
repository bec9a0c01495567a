/**
 * GETs `/metrics` text over a keep-alive connection, with a hard timeout. Two transports behind one
 * small interface: `node:http` with a keep-alive Agent (the default: it kept the scraper's interval
 * error lower in test/bench/scraper_bench.ts) and Deno's `fetch` with its own HTTP client.
 * @module
 */
import http from "node:http";
import { parsePrometheusMetrics } from "./parse.ts";

/** Which HTTP client the scraper uses. */
export type ScrapeTransport = "node-http" | "fetch";

/** Fetches exposition text; one instance keeps one connection per target alive. */
export interface MetricsFetcher {
  /** Resolves with the body of a 200 response; rejects with a one-line Error otherwise. */
  get(url: string, timeoutMs: number): Promise<string>;
  /** Closes idle connections. */
  close(): void;
}

/** Creates a fetcher for `transport`. */
export function createMetricsFetcher(transport: ScrapeTransport = "node-http"): MetricsFetcher {
  return transport === "fetch" ? new FetchFetcher() : new NodeHttpFetcher();
}

/**
 * Scrapes `url` once and returns `{ seriesKey: value }` (e.g. a before/after snapshot of a run).
 * Rejects on a network error, a non-200 status, a timeout or unparsable text.
 */
export async function scrapeOnce(
  url: string,
  options: { timeoutMs?: number; transport?: ScrapeTransport } = {},
): Promise<Record<string, number>> {
  const fetcher = createMetricsFetcher(options.transport);
  try {
    return parsePrometheusMetrics(await fetcher.get(url, options.timeoutMs ?? 2000));
  } finally {
    fetcher.close();
  }
}

class NodeHttpFetcher implements MetricsFetcher {
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  get(url: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, body?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(body!);
      };
      const request = http.get(url, { agent: this.#agent, headers: { accept: "text/plain" } }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          finish(new Error(`HTTP ${response.statusCode} from ${url}`));
          return;
        }
        response.setEncoding("utf8");
        let body = "";
        response.on("data", (chunk: string) => body += chunk);
        response.on("end", () => finish(undefined, body));
        response.on("error", (error: Error) => finish(oneLine(error, url)));
      });
      const timer = setTimeout(() => {
        finish(new Error(`Timed out after ${timeoutMs} ms: ${url}`));
        request.destroy();
      }, timeoutMs);
      request.on("error", (error: Error) => finish(oneLine(error, url)));
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

class FetchFetcher implements MetricsFetcher {
  readonly #client = Deno.createHttpClient({});

  async get(url: string, timeoutMs: number): Promise<string> {
    try {
      const response = await fetch(url, { client: this.#client, signal: AbortSignal.timeout(timeoutMs) });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status} from ${url}`);
      }
      return await response.text();
    } catch (error) {
      if (error instanceof DOMException && error.name === "TimeoutError") {
        throw new Error(`Timed out after ${timeoutMs} ms: ${url}`);
      }
      throw oneLine(error, url);
    }
  }

  close(): void {
    this.#client.close();
  }
}

function oneLine(error: unknown, url: string): Error {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes(url)) return new Error(message.split("\n")[0]);
  const first = message.split("\n")[0]!;
  return new Error(`${code && !first.includes(code) ? `${code} ` : ""}${first} (${url})`);
}
