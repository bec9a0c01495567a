// Goal: formatCsvCell()/parseCsv() round-trip every value a results row may hold, keep "" apart from a
// missing value, and reject malformed CSV with a SyntaxError naming the line.
// Method: format cells into lines, parse them back, compare; hand-written malformed text.
import assert from "node:assert/strict";
import { formatCsvCell, parseCsv } from "../../lib/sweep/mod.ts";

Deno.test("formatCsvCell() and parseCsv() round-trip commas, quotes, newlines, CR, edge spaces and unicode", () => {
  const values = [
    "plain",
    "a,b",
    'say "hi"',
    '"',
    "two\nlines",
    "crlf\r\nline",
    " leading",
    "trailing ",
    "tab\tinside",
    "ünïcødé ✓ 🚀",
    "",
    ",,,",
    '""',
  ];
  const line = values.map(formatCsvCell).join(",") + "\n";
  const [record, ...rest] = parseCsv(line + line);
  assert.equal(rest.length, 1);
  assert.deepEqual(record, values);
});

Deno.test("formatCsvCell() writes numbers, special floats, booleans and missing values as polars reads them", () => {
  assert.deepEqual([1, 0.1, -2.5e-8, 1e21, NaN, Infinity, -Infinity].map(formatCsvCell), [
    "1",
    "0.1",
    "-2.5e-8",
    "1e+21",
    "NaN",
    "inf",
    "-inf",
  ]);
  assert.deepEqual([true, false, null, undefined, ""].map(formatCsvCell), ["true", "false", "", "", '""']);
});

Deno.test("parseCsv() tells an empty string from a missing cell and accepts a last line without newline", () => {
  assert.deepEqual(parseCsv('a,,"",b,\r\nx,y'), [["a", null, "", "b", null], ["x", "y"]]);
  assert.deepEqual(parseCsv("h1,h2\n\n1,2\n"), [["h1", "h2"], ["1", "2"]], "blank lines are skipped");
});

Deno.test("parseCsv() throws a SyntaxError naming the source and line", () => {
  assert.throws(
    () => parseCsv('h\n"open\nstill open', "f.csv"),
    /^SyntaxError: f\.csv: unterminated quoted cell starting on line 2$/,
  );
  assert.throws(() => parseCsv('h\nab"c\n', "f.csv"), /f\.csv: stray quote in an unquoted cell on line 2/);
  assert.throws(
    () => parseCsv('h\n"a\nb"x\n', "f.csv"),
    /f\.csv: unexpected text after a quoted cell on line 3/,
  );
});
