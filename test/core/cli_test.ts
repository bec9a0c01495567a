// Goal: the one flag parser turns good flags into typed values and bad ones into one-line
// UsageErrors; scripts exit 2 on them with no stack trace. Method: parse constructed argv, and run a
// real script as a subprocess.
import assert from "node:assert/strict";
import { formatHelp, parseFlags, UsageError } from "../../lib/core/cli.ts";

const spec = {
  port: { type: "number", integer: true, min: 0, help: "Port", default: 8000 },
  model: { type: "string", help: "Model" },
  backend: { type: "list", help: "Backend URL" },
  "enable-prefix-caching": { type: "boolean", help: "Prefix caching", default: true },
  rate: { type: "number", help: "Rate" },
} as const;

Deno.test("parseFlags() parses numbers, strings, repeatable lists and negated booleans", () => {
  const { values, given } = parseFlags(
    [
      "--port",
      "9000",
      "--model=m",
      "--backend",
      "a",
      "--backend",
      "b",
      "--no-enable-prefix-caching",
      "--rate",
      "inf",
    ],
    spec,
  );
  assert.equal(values.port, 9000);
  assert.equal(values.model, "m");
  assert.deepEqual(values.backend, ["a", "b"]);
  assert.equal(values["enable-prefix-caching"], false);
  assert.equal(values.rate, Infinity);
  assert.ok(given.has("port") && given.has("enable-prefix-caching"));
});

Deno.test("parseFlags() fills defaults and leaves optional flags undefined", () => {
  const { values, given } = parseFlags([], spec);
  assert.equal(values.port, 8000);
  assert.equal(values.model, undefined);
  assert.deepEqual(values.backend, []);
  assert.equal(values["enable-prefix-caching"], true);
  assert.equal(given.size, 0);
});

Deno.test("parseFlags() rejects unknown flags, missing values and malformed numbers with one line", () => {
  for (const argv of [["--bogus"], ["--port"], ["--port", "abc"], ["--port", "1.5"], ["--port", "-3"]]) {
    assert.throws(() => parseFlags(argv, spec), (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.ok(!error.message.includes("\n"), error.message);
      return true;
    });
  }
});

Deno.test("formatHelp() lists every flag with its default", () => {
  const help = formatHelp("deno task x", "Does x.", spec);
  for (const name of Object.keys(spec)) assert.ok(help.includes(`--${name}`), name);
  assert.ok(help.includes("(default: 8000)"));
});

Deno.test("a script given a bad flag prints one error line and exits 2", async () => {
  const script = new URL("../../scripts/sweep.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "--num-servers", "two"],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assert.equal(output.code, 2);
  assert.equal(stderr.split("\n").length, 1, stderr);
  assert.match(stderr, /^error: --num-servers expects a number/);
});
