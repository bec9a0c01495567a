// Goal: the official `openai` npm client streams completions and chat completions through the
// router unchanged. Method: a real router in front of a plain Deno.serve SSE upstream; the client
// iterates the stream and we compare the text it assembled with what the upstream sent.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { serveRouter } from "../../lib/router/mod.ts";
import { startUpstream } from "./_upstream.ts";

Deno.test("serveRouter() streams through the openai npm client", async () => {
  const upstream = startUpstream({ chunks: 5 });
  const router = await serveRouter({ strategy: "pow2", backends: [upstream.url] });
  try {
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const stream = await client.completions.create({
      model: "m",
      prompt: "hello",
      max_tokens: 5,
      stream: true,
    });
    let text = "";
    let cached: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? "";
      cached ??= (chunk.usage as { prompt_tokens_details?: { cached_tokens?: number } } | undefined)
        ?.prompt_tokens_details?.cached_tokens;
    }
    assert.equal(text, " w0 w1 w2 w3 w4");
    assert.equal(cached, 3);
    assert.equal([...router.core.inFlight().values()].reduce((a, b) => a + b, 0), 0);
  } finally {
    await router.shutdown();
    await upstream.close();
  }
});
