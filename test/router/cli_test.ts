// Goal: `deno task router` honours the CLI contract: the ready line on stdout, graceful exit 0 on
// SIGTERM, and one-line usage errors with exit code 2. Method: run scripts/router.ts as a child
// process (argv array) in front of a plain test upstream.
import assert from "node:assert/strict";
import { startUpstream } from "./_upstream.ts";

const SCRIPT = new URL("../../scripts/router.ts", import.meta.url).pathname;

function router(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("scripts/router.ts prints the ready line, routes, and exits 0 on SIGTERM", async () => {
  const upstream = startUpstream();
  const child = router(["--port", "0", "--strategy", "round_robin", "--backend", upstream.url]);
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const match = /^routebench router listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
    assert.ok(match, `ready line, got: ${out}`);
    const response = await fetch(`${match[1]}/v1/completions`, {
      method: "POST",
      body: JSON.stringify({ prompt: "hi", stream: true }),
    });
    assert.equal(response.status, 200);
    await response.text();
    child.kill("SIGTERM");
    while (!(await reader.read()).done) { /* drain stdout until the process exits */ }
    await child.stderr.cancel();
    assert.equal((await child.status).code, 0);
  } finally {
    await upstream.close();
  }
});

Deno.test("scripts/router.ts rejects bad flags with one line and exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--strategy", "nope", "--backend", "http://127.0.0.1:1"], /unknown --strategy 'nope'/],
    [["--strategy", "pow2"], /--backend/],
    [["--strategy", "pow2", "--backend", "ftp://x"], /must use http/],
    [["--strategy", "pow2", "--backend", "http://127.0.0.1:1", "--bogus"], /unknown flag '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const output = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", SCRIPT, ...args] }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 2, args.join(" "));
    assert.match(stderr, message);
    assert.equal(stderr.trim().split("\n").length, 1, `one line: ${stderr}`);
  }
});
