/**
 * Test fixture: a tiny OpenAI-style SSE server on Deno.serve with scripted behaviour, so client
 * tests do not depend on the engine. Behaviour comes from the request's `model` field:
 * `ok` (max_tokens chunks, `firstMs` then `gapMs` between chunks), `http500`, `malformed`,
 * `nodone`, `hang`, `error_event`, `role_first` (a role-only chat chunk before the tokens).
 */

/** Timing of the `ok` script. */
export interface FixtureTiming {
  firstMs: number;
  gapMs: number;
}

/** A started fixture server. */
export interface FixtureServer {
  url: string;
  /** Requests seen, in arrival order, with their parsed bodies. */
  bodies: Record<string, unknown>[];
  shutdown(): Promise<void>;
}

const encoder = new TextEncoder();

/** Starts the fixture on a free port. */
export function startSseFixture(timing: FixtureTiming = { firstMs: 0, gapMs: 0 }): FixtureServer {
  const bodies: Record<string, unknown>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json() as Record<string, unknown>;
    bodies.push(body);
    const script = String(body.model);
    const chat = new URL(req.url).pathname.endsWith("/chat/completions");
    const maxTokens = Number(body.max_tokens);
    if (script === "http500") return new Response("boom", { status: 500 });
    if (script === "hang") {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return new Response("late");
    }
    if (body.stream === false) {
      return Response.json({
        choices: [{ index: 0, text: "x".repeat(maxTokens) }],
        usage: {
          prompt_tokens: 7,
          completion_tokens: maxTokens,
          prompt_tokens_details: { cached_tokens: 3 },
        },
      });
    }
    const chunk = (text: string) =>
      chat
        ? `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${text}"},"finish_reason":null}]}\n\n`
        : `data: {"id":"c","object":"text_completion","choices":[{"index":0,"text":"${text}","finish_reason":null}]}\n\n`;
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const sleep = (ms: number) =>
          ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
        if (script === "role_first" && chat) {
          controller.enqueue(
            encoder.encode(`data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n`),
          );
        }
        if (script === "error_event") {
          controller.enqueue(
            encoder.encode(`data: {"error":{"message":"engine overloaded","code":503}}\n\n`),
          );
          controller.close();
          return;
        }
        await sleep(timing.firstMs);
        for (let i = 0; i < maxTokens; i++) {
          if (i > 0) await sleep(timing.gapMs);
          controller.enqueue(encoder.encode(chunk(" w")));
        }
        if (script === "malformed") controller.enqueue(encoder.encode("data: {not json\n\n"));
        controller.enqueue(encoder.encode(
          `data: {"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":${maxTokens},"prompt_tokens_details":{"cached_tokens":4}}}\n\n`,
        ));
        if (script !== "nodone") controller.enqueue(encoder.encode("data: [DONE]\n\n"));
        controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    bodies,
    shutdown: () => server.shutdown(),
  };
}
