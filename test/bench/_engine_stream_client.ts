// Load client for the engine benchmarks (run as a separate process so client CPU is not charged to
// the engine's event loop): keeps N completions streams open against URL for D seconds, each asking
// for about M tokens (0.5–1.5 × M) with ignore_eos, and prints one JSON line {requests, tokens, seconds} at the end.
// Usage: deno run -A test/bench/_engine_stream_client.ts URL CONCURRENCY MAX_TOKENS DURATION_S
import http from "node:http";

const [url, concurrencyText, maxTokensText, durationText] = Deno.args;
const target = new URL(url!);
const concurrency = Number(concurrencyText);
const maxTokens = Number(maxTokensText);
const durationMs = Number(durationText) * 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let tokens = 0;
let requests = 0;
let errors = 0;
const start = performance.now();
const deadline = start + durationMs;

function once(worker: number, sequence: number): Promise<void> {
  const body = JSON.stringify({
    prompt: `worker ${worker} request ${sequence} tell me about the history of the sea and ships `.repeat(8),
    // Lengths vary (0.5–1.5 × MAX_TOKENS) so streams do not finish and re-arrive in lock-step.
    max_tokens: Math.max(1, Math.round(maxTokens * (0.5 + Math.random()))),
    ignore_eos: true,
    stream: true,
  });
  return new Promise((resolve) => {
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path: "/v1/completions",
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    }, (response) => {
      response.setEncoding("utf8");
      let carry = "";
      response.on("data", (chunk: string) => {
        const text = carry + chunk;
        let index = text.indexOf("\n\n");
        let from = 0;
        while (index >= 0) {
          if (text.startsWith('data: {"id"', from)) tokens++;
          from = index + 2;
          index = text.indexOf("\n\n", from);
        }
        carry = text.slice(from);
      });
      response.on("end", () => {
        requests++;
        resolve();
      });
      response.on("error", () => {
        errors++;
        resolve();
      });
    });
    request.on("error", () => {
      errors++;
      resolve();
    });
    request.end(body);
  });
}

async function worker(index: number): Promise<void> {
  for (let sequence = 0; performance.now() < deadline; sequence++) await once(index, sequence);
}

await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
agent.destroy();
console.log(JSON.stringify({ requests, tokens, errors, seconds: (performance.now() - start) / 1000 }));
