// Goal: csv_text.ts round-trips CSV text exactly (quotes, commas, newlines, CRLF). Method: parse
// and stringify hand-written files.
import assert from "node:assert/strict";
import { parseCsvText, stringifyCsv } from "../../lib/viz/csv_text.ts";

Deno.test("parseCsvText() reads quoted cells with commas, quotes and newlines, and CRLF lines", () => {
  const table = parseCsvText('a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",\r\n');
  assert.deepEqual(table.columns, ["a", "b", "c"]);
  assert.deepEqual(table.rows, [{ a: "1", b: "x, y", c: 'say "hi"' }, { a: "2", b: "two\nlines", c: "" }]);
});

Deno.test("stringifyCsv() writes what parseCsvText() reads back, cell for cell", () => {
  const table = {
    columns: ["run_id", "note", "mean_ttft_ms"],
    rows: [{ run_id: "r1", note: 'a,"b"', mean_ttft_ms: "123.4500" }],
  };
  assert.deepEqual(parseCsvText(stringifyCsv(table)), table);
});

Deno.test("parseCsvText() names the source and line of an unterminated quote", () => {
  assert.throws(() => parseCsvText('a\n"open\n', "x.csv"), /x\.csv: unterminated quote starting on line 2/);
});
