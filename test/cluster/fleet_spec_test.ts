// Goal: fleet specs fill defaults, reject bad fields with one line naming the field, and command
// templates expand into argv arrays without a shell. Method: parse constructed specs.
import assert from "node:assert/strict";
import { parseFleetSpec } from "../../lib/cluster/fleet_spec.ts";
import { expandTemplate, optionArgs } from "../../lib/cluster/fleet.ts";
import { UsageError } from "../../lib/core/cli.ts";

Deno.test("parseFleetSpec() fills the default fleet: 4 mock engines behind a routebench router", () => {
  const spec = parseFleetSpec({});
  assert.equal(spec.engines.length, 1);
  assert.deepEqual(spec.engines[0], {
    kind: "mock",
    count: 4,
    profile: "qwen2.5-1.5b-l4",
    speedupRatio: 1,
    options: {},
  });
  assert.equal(spec.router.kind, "routebench");
});

Deno.test("parseFleetSpec() names the bad field in one line", () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ engines: [{ kind: "mock", count: 0 }] }, /field 'engines.0.count'/],
    [{ engines: [{ kind: "gpu" }] }, /field 'engines.0.kind'/],
    [{ router: { kind: "routebench", strategy: 3 } }, /field 'router.strategy'/],
    [{ engines: [{ kind: "external", urls: ["not a url"] }] }, /field 'engines.0.urls.0'/],
    [{ enginez: [] }, /unknown field 'enginez'/],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(() => parseFleetSpec(input, "fleet.yaml"), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /^fleet.yaml: /);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("expandTemplate() splits on whitespace and substitutes placeholders per argument", () => {
  assert.deepEqual(
    expandTemplate("vllm serve {model} --port {port} --enable-prefix-caching", {
      model: "My Model",
      port: "8001",
    }),
    ["vllm", "serve", "My Model", "--port", "8001", "--enable-prefix-caching"],
  );
  assert.deepEqual(
    expandTemplate(["router", "--workers", "{backends}"], {}, ["http://a", "http://b"]),
    ["router", "--workers", "http://a", "http://b"],
  );
  assert.throws(() => expandTemplate("serve {gpu}", {}), /Unknown placeholder '\{gpu\}'/);
});

Deno.test("optionArgs() turns an options object into flags", () => {
  assert.deepEqual(
    optionArgs({ "num-gpu-blocks": 100, "kv-events": false, "do-eviction": true, name: "x" }),
    [
      "--num-gpu-blocks",
      "100",
      "--no-kv-events",
      "--do-eviction",
      "--name",
      "x",
    ],
  );
});
