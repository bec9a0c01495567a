/**
 * Benchmark fixture: an "instant" OpenAI-style SSE server on Deno.serve. Every request gets a
 * prebuilt body of N chat chunks (default 64) + a usage chunk + [DONE], written at once. Run as
 * its own process so the client under test has a core to itself:
 *   deno run -A test/bench/client_instant_server.ts [--chunks 64]
 * Prints `listening on http://127.0.0.1:PORT`.
 */
const chunksArg = Deno.args.indexOf("--chunks");
const chunks = chunksArg >= 0 ? Number(Deno.args[chunksArg + 1]) : 64;
let text = "";
for (let i = 0; i < chunks; i++) {
  text +=
    `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":0,"model":"m","choices":[{"index":0,"delta":{"content":" word"},"finish_reason":null}]}\n\n`;
}
text +=
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":0,"model":"m","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${chunks},"total_tokens":${
    chunks + 10
  },"prompt_tokens_details":{"cached_tokens":0}}}\n\ndata: [DONE]\n\n`;
const body = new TextEncoder().encode(text);
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  await req.arrayBuffer();
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
});
console.log(`listening on http://127.0.0.1:${server.addr.port}`);
Deno.addSignalListener("SIGTERM", () => server.shutdown().then(() => Deno.exit(0)));
