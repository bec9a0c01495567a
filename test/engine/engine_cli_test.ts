// Goal: `deno task engine` honours the CLI contract the fleet launcher relies on: one ready line with
// the URL, --port 0, flags applied, SIGTERM → exit 0, bad input → one error line and exit 2.
// Method: run scripts/engine.ts as a child process.
import assert from "node:assert/strict";
import { TextLineStream } from "./_lines.ts";

const SCRIPT = new URL("../../scripts/engine.ts", import.meta.url).pathname;

Deno.test("scripts/engine.ts prints its URL when ready, serves, and exits 0 on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      SCRIPT,
      "--port",
      "0",
      "--model",
      "tiny",
      "--profile",
      "llama-3.1-8b-h100",
      "--speedup-ratio",
      "50",
      "--num-gpu-blocks",
      "1000",
      "--no-enable-prefix-caching",
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream())
    .getReader();
  const first = (await lines.read()).value ?? "";
  const match = /^routebench engine listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first);
  assert.ok(match, `unexpected first line '${first}'`);
  const url = match[1]!;
  const models = await (await fetch(`${url}/v1/models`)).json();
  assert.equal(models.data[0].id, "tiny");
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /num_gpu_blocks="1000"/);
  assert.match(metrics, /enable_prefix_caching="False"/);
  child.kill("SIGTERM");
  const status = await child.status;
  await lines.cancel();
  await child.stderr.cancel();
  assert.equal(status.code, 0);
});

Deno.test("scripts/engine.ts rejects an unknown profile with one error line and exit 2", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, "--port", "0", "--profile", "gpt-9"],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assert.equal(output.code, 2);
  assert.equal(stderr.split("\n").length, 1, stderr);
  assert.match(stderr, /^error: Unknown engine profile 'gpt-9'/);
});
