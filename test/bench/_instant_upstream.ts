// An instant OpenAI-style backend for the router benchmarks: every POST answers at once with an
// SSE body of 64 chunk events, a usage event and [DONE] (≈11 KB). `--mode single` writes the body
// in one piece (the receiver sees ~1 read); `--mode chunks` streams the 66 events as separate
// body chunks, yielding to the event loop between them so they leave as separate writes, as a
// real engine's tokens do. Prints `listening on http://127.0.0.1:PORT`.
// Run: deno run -A test/bench/_instant_upstream.ts [--mode single|chunks]
const mode = Deno.args.includes("chunks") ? "chunks" : "single";
const encoder = new TextEncoder();
const events: Uint8Array[] = [];
for (let i = 0; i < 64; i++) {
  events.push(encoder.encode(
    `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":` +
      `[{"index":0,"delta":{"content":" word${i}"},"finish_reason":null}]}\n\n`,
  ));
}
events.push(encoder.encode(
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":10,` +
    `"completion_tokens":64,"total_tokens":74,"prompt_tokens_details":{"cached_tokens":0}}}\n\n`,
));
events.push(encoder.encode("data: [DONE]\n\n"));
const whole = new Uint8Array(events.reduce((n, e) => n + e.length, 0));
events.reduce((offset, e) => (whole.set(e, offset), offset + e.length), 0);
const headers = { "content-type": "text/event-stream" };
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
  if (request.method !== "POST") return new Response("ok");
  await request.arrayBuffer();
  if (mode === "single") return new Response(whole, { headers });
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i > 0) await tick();
      controller.enqueue(events[i++]!);
      if (i === events.length) controller.close();
    },
  }, { highWaterMark: 0 });
  return new Response(stream, { headers });
});
console.log(`listening on http://127.0.0.1:${server.addr.port}`);
