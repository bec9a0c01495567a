/**
 * Subprocess for csv_log_test.ts: appends rows to a CSV with appendRow.
 * Args: PATH TAG COUNT PAD_BYTES (COUNT 0 = until killed). Prints "ready" before the first append.
 * @module
 */
import { appendRow } from "../../lib/sweep/csv_log.ts";
import { fixtureRow, TEST_SCHEMA_V1 } from "./_csv_fixture.ts";

const [path, tag, countText, padText] = Deno.args;
const count = Number(countText);
console.log("ready");
for (let index = 0; count === 0 || index < count; index++) {
  await appendRow(path!, TEST_SCHEMA_V1, fixtureRow(tag!, index, Number(padText)));
}
