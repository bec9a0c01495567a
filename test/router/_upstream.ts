/**
 * Test helper: a plain Deno.serve SSE upstream, unrelated to the router and the engine, that
 * answers like an OpenAI server (N chunks, a usage chunk, `[DONE]`). Behaviour is chosen per
 * request by the prompt text so one upstream serves several test cases:
 * `hang` (headers, then nothing), `late` (headers after 300 ms), `die` (one chunk, then the connection is cut), `slow` (chunks
 * every 20 ms), `error` (HTTP 500), anything else (all chunks at once).
 */

/** A running test upstream. */
export interface TestUpstream {
  url: string;
  port: number;
  /** Requests received, by path. */
  readonly received: string[];
  /** Streams that ended because the client (the router) went away. */
  readonly cancelled: number;
  close(): Promise<void>;
}

/** The exact bytes the upstream streams for `chunks` chunks (what a client must receive unchanged). */
export function sseBody(chunks: number, cachedTokens = 3): string {
  let body = "";
  for (let i = 0; i < chunks; i++) {
    body += `data: {"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":" w${i}"}]}\n\n`;
  }
  body += `data: {"id":"cmpl-1","object":"text_completion","choices":[],"usage":{"prompt_tokens":10,` +
    `"completion_tokens":${chunks},"total_tokens":${
      10 + chunks
    },"prompt_tokens_details":{"cached_tokens":${cachedTokens}}}}\n\n`;
  return body + "data: [DONE]\n\n";
}

/** Starts an upstream on a free port; `chunks` SSE chunks per normal request. */
export function startUpstream(options: { chunks?: number; port?: number } = {}): TestUpstream {
  const chunks = options.chunks ?? 8;
  const received: string[] = [];
  const encoder = new TextEncoder();
  let cancelled = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      received.push(path);
      if (path === "/health") return new Response("ok");
      if (path === "/v1/models") return Response.json({ object: "list", data: [{ id: "test-model" }] });
      const text = await request.text();
      let prompt = "";
      try {
        const body = JSON.parse(text);
        prompt = body.prompt ?? body.messages?.[0]?.content ?? "";
      } catch {
        return new Response("bad json", { status: 400 });
      }
      if (prompt === "late") {
        await new Promise<void>((resolve) => {
          const id = setTimeout(() => {
            timers.delete(id);
            resolve();
          }, 300);
          timers.add(id);
        });
      }
      if (prompt === "error") return Response.json({ error: { message: "boom" } }, { status: 500 });
      if (prompt === "json") {
        return Response.json({
          id: "cmpl-1",
          choices: [{ text: "hi" }],
          usage: { prompt_tokens: 4, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 2 } },
        });
      }
      const body = sseBody(chunks);
      const pieces = body.split(/(?<=\n\n)/);
      let stopped = false;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (prompt === "hang") return;
          if (prompt === "die") {
            controller.enqueue(encoder.encode(pieces[0]!));
            const id = setTimeout(() => {
              timers.delete(id);
              if (!stopped) controller.error(new Error("upstream died"));
            }, 20);
            timers.add(id);
            return;
          }
          if (prompt !== "slow") {
            controller.enqueue(encoder.encode(body));
            controller.close();
            return;
          }
          let index = 0;
          const next = (): void => {
            const id = setTimeout(() => {
              timers.delete(id);
              if (stopped) return;
              if (index >= pieces.length) return controller.close();
              controller.enqueue(encoder.encode(pieces[index++]!));
              next();
            }, 20);
            timers.add(id);
          };
          next();
        },
        cancel() {
          stopped = true;
          cancelled++;
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    },
  );
  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    get cancelled() {
      return cancelled;
    },
    async close() {
      for (const id of timers) clearTimeout(id);
      await server.shutdown();
    },
  };
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean, timeoutMs = 3000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
