/**
 * Shared by the csv tests and their subprocess appender: a small schema and deterministic rows whose
 * content can be checked after the fact (the payload is derived from the writer tag and index).
 * @module
 */
import { defineCsvSchema } from "../../lib/sweep/csv_schema.ts";

/** v1 of the test schema. */
export const TEST_SCHEMA_V1 = defineCsvSchema({
  name: "test_results",
  version: 1,
  columns: [
    { name: "run_id", type: "string", required: true },
    { name: "status", type: "string", required: true },
    { name: "label", type: "string" },
    { name: "index", type: "integer" },
    { name: "mean_ttft_ms", type: "number" },
    { name: "stream", type: "boolean" },
  ],
});

/** v2 adds two columns at the end. */
export const TEST_SCHEMA_V2 = defineCsvSchema({
  name: "test_results",
  version: 2,
  columns: [...TEST_SCHEMA_V1.columns.slice(1), { name: "p99_itl_ms", type: "number" }, {
    name: "note",
    type: "string",
  }],
});

/** A label full of CSV specials; `padBytes` makes rows span several pages. */
export function payload(tag: string, index: number, padBytes = 0): string {
  return `${tag} #${index}, "quoted"\nsecond line\r\n,${"x".repeat(padBytes)},end`;
}

/** The row writer `tag` appends as its `index`-th. */
export function fixtureRow(tag: string, index: number, padBytes = 0) {
  return {
    run_id: `${tag}-${index}`,
    status: "ok",
    label: payload(tag, index, padBytes),
    index,
    mean_ttft_ms: index + 0.25,
    stream: index % 2 === 0,
  };
}
