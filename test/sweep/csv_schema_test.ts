// Goal: defineCsvSchema() puts schema_version first and rejects bad schemas; the results schemas follow
// the contract (identity, config columns, then metrics).
// Method: build schemas and inspect them.
import assert from "node:assert/strict";
import { defineCsvSchema, ENGINE_RESULTS_SCHEMA, SERVE_RESULTS_SCHEMA } from "../../lib/sweep/mod.ts";

Deno.test("defineCsvSchema() prepends schema_version and freezes the columns", () => {
  const schema = defineCsvSchema({ name: "s", version: 3, columns: [{ name: "run_id", type: "string" }] });
  assert.deepEqual(schema.columns.map((column) => column.name), ["schema_version", "run_id"]);
  assert.ok(Object.isFrozen(schema.columns));
});

Deno.test("defineCsvSchema() rejects bad names, duplicates and versions with one clear line", () => {
  assert.throws(
    () => defineCsvSchema({ name: "s", version: 1, columns: [{ name: "TTFT ms", type: "number" }] }),
    /snake_case: 'TTFT ms'/,
  );
  assert.throws(
    () =>
      defineCsvSchema({
        name: "s",
        version: 1,
        columns: [{ name: "a", type: "number" }, { name: "a", type: "string" }],
      }),
    /declares column 'a' twice/,
  );
  assert.throws(
    () => defineCsvSchema({ name: "s", version: 1, columns: [{ name: "schema_version", type: "integer" }] }),
    /twice/,
  );
  assert.throws(() => defineCsvSchema({ name: "s", version: 0, columns: [] }), RangeError);
});

Deno.test("SERVE_RESULTS_SCHEMA and ENGINE_RESULTS_SCHEMA start with schema_version, run_id, status and carry the seed's columns", () => {
  for (const schema of [SERVE_RESULTS_SCHEMA, ENGINE_RESULTS_SCHEMA]) {
    const names = schema.columns.map((column) => column.name);
    assert.deepEqual(names.slice(0, 3), ["schema_version", "run_id", "status"]);
    for (
      const name of [
        "gpu",
        "model",
        "num_servers",
        "enable_prefix_caching",
        "strategy",
        "max_concurrency",
        "num_prompts",
        "mode",
      ]
    ) {
      assert.ok(names.includes(name), `${schema.name} has ${name}`);
    }
  }
  const serve = SERVE_RESULTS_SCHEMA.columns.map((column) => column.name);
  for (
    const name of [
      "duration_s",
      "request_throughput_per_s",
      "mean_ttft_ms",
      "p99_itl_ms",
      "median_e2e_latency_ms",
      "cache_hit_rate",
    ]
  ) {
    assert.ok(serve.includes(name), `serve has ${name}`);
  }
  const engine = ENGINE_RESULTS_SCHEMA.columns.map((column) => column.name);
  assert.ok(engine.includes("mean_queue_time_ms") && engine.includes("prefix_cache_hit_rate"));
});
