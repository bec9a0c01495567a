// Goal: the router's HTTP server forwards requests and SSE bytes unchanged, accounts load back to
// zero on every ending, routes around dead backends, answers bad input with a clear 4xx, and sends
// POST /reset_prefix_cache on to every healthy backend.
// Method: real router servers on port 0 in front of plain Deno.serve SSE upstreams (test/router/
// _upstream.ts) or real mock engines (serveEngine); fetch as the client; in-flight counts read from
// the router's core; engine cache state read from the engines' returned cached_tokens.
import assert from "node:assert/strict";
import { serveEngine } from "../../lib/engine/mod.ts";
import { MemoryDecisionSink, serveRouter, WARM_UP_HEADER } from "../../lib/router/mod.ts";
import { sseBody, startUpstream, waitFor } from "./_upstream.ts";

function completion(prompt: string, stream = true): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", prompt, max_tokens: 8, stream }),
  };
}

function totalInFlight(server: { core: { inFlight(): Map<string, number> } }): number {
  return [...server.core.inFlight().values()].reduce((a, b) => a + b, 0);
}

Deno.test("serveRouter() round_robin streams SSE bytes unchanged and alternates backends", async () => {
  const a = startUpstream();
  const b = startUpstream();
  const sink = new MemoryDecisionSink();
  const router = await serveRouter({ strategy: "round_robin", backends: [a.url, b.url], decisionSink: sink });
  try {
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${router.url}/v1/completions`, completion(`hello ${i}`));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/event-stream");
      assert.equal(await response.text(), sseBody(8));
    }
    assert.equal(a.received.filter((p) => p === "/v1/completions").length, 2);
    assert.equal(b.received.filter((p) => p === "/v1/completions").length, 2);
    assert.equal(totalInFlight(router), 0);
    assert.equal(sink.records.length, 4);
    const record = sink.records[0]!;
    assert.equal(record.strategy, "round_robin");
    assert.equal(record.ok, true);
    assert.equal(record.cached_tokens, 3);
    assert.equal(record.prompt_tokens, 10);
    assert.ok(record.t_ms > 1.6e12, "t_ms is epoch milliseconds");
  } finally {
    await router.shutdown();
    await a.close();
    await b.close();
  }
});

Deno.test("serveRouter() pow2 forwards chat and non-streaming JSON bodies", async () => {
  const a = startUpstream();
  const router = await serveRouter({ strategy: "pow2", backends: [a.url] });
  try {
    const chat = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    assert.equal(await chat.text(), sseBody(8));
    const json = await fetch(`${router.url}/v1/completions`, completion("json", false));
    assert.equal((await json.json()).usage.prompt_tokens_details.cached_tokens, 2);
    const models = await fetch(`${router.url}/v1/models`);
    assert.equal((await models.json()).data[0].id, "test-model");
    assert.equal(totalInFlight(router), 0);
  } finally {
    await router.shutdown();
    await a.close();
  }
});

Deno.test("serveRouter() answers bad input with 4xx and stays up", async () => {
  const a = startUpstream();
  const router = await serveRouter({ strategy: "pow2", backends: [a.url], maxBodyBytes: 1000 });
  try {
    const cases: [string, RequestInit, number, RegExp][] = [
      ["/v1/completions", { method: "POST", body: "{not json" }, 400, /not valid JSON/],
      ["/v1/completions", { method: "POST", body: JSON.stringify({ model: "m" }) }, 400, /'prompt'/],
      ["/v1/chat/completions", { method: "POST", body: JSON.stringify({ messages: [] }) }, 400, /'messages'/],
      [
        "/v1/chat/completions",
        { method: "POST", body: JSON.stringify({ messages: [{ content: "x" }] }) },
        400,
        /role/,
      ],
      ["/v1/completions", { method: "POST", body: "[1,2]" }, 400, /JSON object/],
      [
        "/v1/completions",
        { method: "POST", body: JSON.stringify({ prompt: "x".repeat(2000) }) },
        413,
        /exceeds/,
      ],
      ["/v1/completions", { method: "GET" }, 405, /POST only/],
      ["/nope", { method: "GET" }, 404, /Unknown path '\/nope'/],
    ];
    for (const [path, init, status, message] of cases) {
      const response = await fetch(`${router.url}${path}`, init);
      assert.equal(response.status, status, `${init.method} ${path}`);
      assert.match((await response.json()).error.message, message);
    }
    const ok = await fetch(`${router.url}/v1/completions`, completion("still up"));
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.equal(a.received.filter((p) => p === "/v1/completions").length, 1);
    await waitFor(() => totalInFlight(router) === 0);
  } finally {
    await router.shutdown();
    await a.close();
  }
});

Deno.test("serveRouter() load returns to zero after upstream error, client abort and timeout", async () => {
  const a = startUpstream();
  const sink = new MemoryDecisionSink();
  const router = await serveRouter({
    strategy: "least_request",
    backends: [a.url],
    requestTimeoutS: 0.3,
    decisionSink: sink,
  });
  try {
    const failed = await fetch(`${router.url}/v1/completions`, completion("error"));
    assert.equal(failed.status, 500);
    await failed.body?.cancel();
    await waitFor(() => totalInFlight(router) === 0, 3000, "in-flight 0 after upstream 500");

    const died = await fetch(`${router.url}/v1/completions`, completion("die"));
    assert.equal(died.status, 200);
    await assert.rejects(() => died.text());
    await waitFor(() => totalInFlight(router) === 0, 3000, "in-flight 0 after upstream cut");

    const controller = new AbortController();
    const slow = await fetch(`${router.url}/v1/completions`, {
      ...completion("slow"),
      signal: controller.signal,
    });
    const reader = slow.body!.getReader();
    await reader.read();
    assert.equal(totalInFlight(router), 1);
    controller.abort();
    await reader.read().catch(() => {});
    await waitFor(() => totalInFlight(router) === 0, 3000, "in-flight 0 after client abort");
    await waitFor(() => a.cancelled >= 1, 3000, "upstream stream cancelled after client abort");

    const early = new AbortController();
    const pending = fetch(`${router.url}/v1/completions`, { ...completion("late"), signal: early.signal });
    await waitFor(() => totalInFlight(router) === 1, 3000, "late routed");
    early.abort();
    await assert.rejects(() => pending);
    await waitFor(() => totalInFlight(router) === 0, 3000, "in-flight 0 after abort before headers");

    const hung = await fetch(`${router.url}/v1/completions`, completion("hang"));
    assert.equal(hung.status, 200);
    await assert.rejects(() => hung.text());
    await waitFor(() => totalInFlight(router) === 0, 3000, "in-flight 0 after timeout");

    const kinds = sink.records.map((record) => record.error_kind);
    assert.deepEqual(kinds, ["upstream_status", "upstream_error", "client_abort", "client_abort", "timeout"]);
    const metrics = await (await fetch(`${router.url}/metrics`)).text();
    assert.match(metrics, /routebench_router_upstream_errors_total\{backend="[^"]+",kind="timeout"\} 1/);
    assert.match(metrics, /routebench_router_backend_in_flight\{backend="[^"]+"\} 0/);
  } finally {
    await router.shutdown();
    await a.close();
  }
});

Deno.test("serveRouter() routes around a killed backend, answers 503 with none, and lets it rejoin", async () => {
  const a = startUpstream();
  let b = startUpstream();
  const bPort = b.port;
  const router = await serveRouter({
    strategy: "round_robin",
    backends: [a.url, b.url],
    healthIntervalS: 0.05,
  });
  try {
    await b.close();
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${router.url}/v1/completions`, completion(`after kill ${i}`));
      assert.equal(response.status, 200, "a connect failure retries the other backend");
      assert.equal(await response.text(), sseBody(8));
    }
    await waitFor(() => router.core.pool.get(b.url)!.healthy === false, 3000, "killed backend out");
    await a.close();
    await waitFor(() => router.core.pool.healthyViews().length === 0, 3000, "all backends out");
    const none = await fetch(`${router.url}/v1/completions`, completion("nobody"));
    assert.equal(none.status, 503);
    assert.match((await none.json()).error.message, /No healthy backend/);
    assert.equal((await fetch(`${router.url}/health`)).status, 503);

    b = startUpstream({ port: bPort });
    await waitFor(() => router.core.pool.get(b.url)!.healthy, 3000, "restarted backend back in rotation");
    const response = await fetch(`${router.url}/v1/completions`, completion("back"));
    assert.equal(await response.text(), sseBody(8));
    assert.equal(totalInFlight(router), 0);
  } finally {
    await router.shutdown();
    await b.close();
  }
});

Deno.test("serveRouter() POST /reset_prefix_cache resets every engine's cache, 502 names a failed one", async () => {
  const engines = await Promise.all([0, 1].map((seed) => serveEngine({ speedupRatio: 50, seed })));
  const router = await serveRouter({
    strategy: "round_robin",
    backends: engines.map((engine) => engine.url),
    healthIntervalS: 0,
  });
  const prompt = "The quick brown fox jumps over the lazy dog. ".repeat(30);
  const cachedTokens = async (): Promise<number> => {
    const response = await fetch(`${router.url}/v1/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "Qwen/Qwen2.5-1.5B-Instruct", prompt, max_tokens: 2 }),
    });
    assert.equal(response.status, 200);
    return (await response.json()).usage.prompt_tokens_details.cached_tokens;
  };
  try {
    // round_robin alternates, so each pair of requests reaches both engines.
    assert.deepEqual([await cachedTokens(), await cachedTokens()], [0, 0]);
    const warm = [await cachedTokens(), await cachedTokens()];
    assert.ok(warm.every((cached) => cached > 0), `both engines cached the prompt: ${warm}`);

    const reset = await fetch(`${router.url}/reset_prefix_cache`, { method: "POST" });
    assert.equal(reset.status, 200);
    const body = await reset.json();
    assert.deepEqual(
      body.backends.map((entry: { backend: string }) => entry.backend).sort(),
      engines.map((engine) => engine.url).sort(),
    );
    assert.deepEqual([await cachedTokens(), await cachedTokens()], [0, 0], "caches were reset on both");

    const wrongMethod = await fetch(`${router.url}/reset_prefix_cache`);
    assert.equal(wrongMethod.status, 405);
    await wrongMethod.body?.cancel();

    await engines[1]!.shutdown();
    const failed = await fetch(`${router.url}/reset_prefix_cache`, { method: "POST" });
    assert.equal(failed.status, 502);
    const message: string = (await failed.json()).error.message;
    assert.ok(message.includes(engines[1]!.url), message);
    assert.ok(!message.includes(engines[0]!.url), message);
  } finally {
    await router.shutdown();
    await Promise.all(engines.map((engine) => engine.shutdown()));
  }
});

Deno.test("serveRouter() warms up off the books and leaves warm-up-marked requests out of the decision log", async () => {
  const a = startUpstream();
  const b = startUpstream();
  const sink = new MemoryDecisionSink();
  const router = await serveRouter({
    strategy: "prefix_aware",
    backends: [a.url, b.url],
    decisionSink: sink,
    warmUpRequests: 100,
  });
  try {
    // The start-up warm-up routed 100 requests through a private core: none reached this one.
    assert.equal(sink.records.length, 0);
    const forwarded = () =>
      [...a.received, ...b.received].filter((path) => path === "/v1/completions").length;
    assert.equal(forwarded(), 0);
    const metrics = await (await fetch(`${router.url}/metrics`)).text();
    assert.doesNotMatch(metrics, /routed_total\{[^}]*\} [1-9]/);
    const marked = await fetch(`${router.url}/v1/completions`, {
      ...completion("warm me"),
      headers: { "content-type": "application/json", [WARM_UP_HEADER]: "1" },
    });
    assert.equal(await marked.text(), sseBody(8));
    const measured = await fetch(`${router.url}/v1/completions`, completion("measure me"));
    assert.equal(await measured.text(), sseBody(8));
    await waitFor(() => totalInFlight(router) === 0);
    assert.equal(forwarded(), 2, "both were forwarded");
    assert.deepEqual(sink.records.map((record) => record.request_id), ["rb-2"]);
  } finally {
    await router.shutdown();
    await a.close();
    await b.close();
  }
});
