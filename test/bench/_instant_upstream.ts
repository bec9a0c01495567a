// An instant OpenAI-style backend for the router benchmarks: every POST answers at once with an
// SSE body of 64 chunk events, a usage event and [DONE] (≈11 KB, one write). Prints
// `listening on http://127.0.0.1:PORT`. Run: deno run -A test/bench/_instant_upstream.ts
const encoder = new TextEncoder();
let body = "";
for (let i = 0; i < 64; i++) {
  body += `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":` +
    `[{"index":0,"delta":{"content":" word${i}"},"finish_reason":null}]}\n\n`;
}
body +=
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":10,` +
  `"completion_tokens":64,"total_tokens":74,"prompt_tokens_details":{"cached_tokens":0}}}\n\n` +
  "data: [DONE]\n\n";
const bytes = encoder.encode(body);
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
  if (request.method !== "POST") return new Response("ok");
  await request.arrayBuffer();
  return new Response(bytes, { headers: { "content-type": "text/event-stream" } });
});
console.log(`listening on http://127.0.0.1:${server.addr.port}`);
