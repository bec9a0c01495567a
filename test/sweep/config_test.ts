// Goal: the sweep config has every default in one place, flags/config files merge over it, and a
// bad field is one line naming it. Method: parse constructed inputs.
import assert from "node:assert/strict";
import { DEFAULT_STRATEGIES, mergeConfig, parseStrategySweepConfig } from "../../lib/sweep/config.ts";
import { UsageError } from "../../lib/core/cli.ts";

Deno.test("parseStrategySweepConfig() fills every default", () => {
  const config = parseStrategySweepConfig({});
  assert.deepEqual(config.strategies, [...DEFAULT_STRATEGIES]);
  assert.equal(config.fleet.numServers, 4);
  assert.equal(config.fleet.profile, "qwen2.5-1.5b-l4");
  assert.equal(config.workload.name, "conversations");
  assert.equal(config.client.maxConcurrency, 40);
  assert.equal(config.out, "data/results");
});

Deno.test("mergeConfig() overrides nested fields and keeps the rest", () => {
  const merged = mergeConfig({ fleet: { numServers: 2, profile: "p" }, label: "a" }, {
    fleet: { numServers: 8 },
  });
  assert.deepEqual(merged, { fleet: { numServers: 8, profile: "p" }, label: "a" });
  const config = parseStrategySweepConfig(merged);
  assert.equal(config.fleet.numServers, 8);
  assert.equal(config.fleet.speedupRatio, 2);
});

Deno.test("parseStrategySweepConfig() rejects bad fields with one line naming them", () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ strategies: [] }, /field 'strategies'/],
    [{ client: { maxConcurrency: 0 } }, /field 'client.maxConcurrency'/],
    [{ fleet: { numServerz: 2 } }, /unknown field 'fleet.numServerz'/],
    [{ workload: { minOutputLen: 50, maxOutputLen: 10 } }, /minOutputLen/],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(() => parseStrategySweepConfig(input, "sweep.yaml"), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, pattern);
      assert.match(error.message, /^sweep.yaml: /);
      return true;
    });
  }
});
