// Goal: the one exposition parser reads our real servers' /metrics exactly: every sample line of a
// running engine's and router's /metrics, after traffic, parses to a sample whose re-rendered form is
// the line itself, and each family's TYPE is known. Method: an engine and a router on free loopback
// ports, a few streamed requests through the router, then /metrics of both.
import assert from "node:assert/strict";
import { serveEngine } from "../../lib/engine/mod.ts";
import { serveRouter } from "../../lib/router/mod.ts";
import { parsePrometheusText, seriesKey } from "../../lib/prom/parse.ts";
import { formatValue } from "../../lib/prom/_family.ts";

function assertRoundTrip(text: string, source: string): number {
  const lines = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  const samples = parsePrometheusText(text);
  assert.equal(samples.length, lines.length, `${source}: one sample per line`);
  samples.forEach((sample, i) => {
    assert.equal(`${seriesKey(sample.name, sample.labels)} ${formatValue(sample.value)}`, lines[i], source);
    assert.notEqual(sample.type, "untyped", `${source}: ${sample.name} has a TYPE`);
  });
  return samples.length;
}

Deno.test("parsePrometheusText() round-trips a live engine's and router's /metrics", async () => {
  const engine = await serveEngine({ port: 0, speedupRatio: 50 });
  const router = await serveRouter({ port: 0, strategy: "prefix_aware", backends: [engine.url] });
  try {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${router.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          messages: [{ role: "user", content: `A "quoted" question number ${i}\nwith a newline` }],
          max_tokens: 4,
          stream: true,
          stream_options: { include_usage: true },
        }),
      });
      await response.text();
    }
    const engineText = await (await fetch(`${engine.url}/metrics`)).text();
    const routerText = await (await fetch(`${router.url}/metrics`)).text();
    assert.ok(assertRoundTrip(engineText, "engine") > 200);
    assert.ok(assertRoundTrip(routerText, "router") > 10);
    assert.match(engineText, /vllm:time_to_first_token_seconds_count\{[^}]*\} 3/);
  } finally {
    await router.shutdown();
    await engine.shutdown();
  }
});
