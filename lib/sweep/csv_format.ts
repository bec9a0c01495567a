/**
 * CSV text (RFC 4180) as routebench writes and reads it: `,` separated, `"` quoted with `""` inside,
 * `\n` line ends. A cell is quoted when it holds a comma, quote, CR, LF or edge whitespace, or is the
 * empty string (so `""` is an empty string and an unquoted empty cell is a missing value, null).
 * Numbers: shortest round-trip decimal; NaN, inf, -inf as polars reads them. Pure functions, no I/O.
 * @module
 */

/** A value a results row may hold; null/undefined are written as an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

const NEEDS_QUOTES_REGEXP = /[",\r\n]|^\s|\s$/;

/** Formats one cell. */
export function formatCsvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (value === Infinity) return "inf";
    if (value === -Infinity) return "-inf";
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value === "" || NEEDS_QUOTES_REGEXP.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/** Formats one record (cells already formatted) with its trailing newline. */
export function formatCsvLine(cells: readonly string[]): string {
  return `${cells.join(",")}\n`;
}

/**
 * Parses CSV text into records of cells: a string, or null for an unquoted empty cell. A final line
 * without a newline is accepted; blank lines are skipped.
 * @throws {SyntaxError} naming `source` and the line for an unterminated quote or a stray quote.
 */
export function parseCsv(text: string, source = "CSV"): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let index = 0;
  let line = 1;
  const length = text.length;
  while (index < length) {
    const recordLine = line;
    // One cell.
    let cell: string | null;
    if (text[index] === '"') {
      let value = "";
      let start = ++index;
      for (;;) {
        const quote = text.indexOf('"', index);
        if (quote < 0) {
          throw new SyntaxError(`${source}: unterminated quoted cell starting on line ${recordLine}`);
        }
        line += countNewlines(text, index, quote);
        if (text[quote + 1] === '"') {
          value += text.slice(start, quote + 1);
          index = start = quote + 2;
          continue;
        }
        value += text.slice(start, quote);
        index = quote + 1;
        break;
      }
      const next = text[index];
      if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
        throw new SyntaxError(`${source}: unexpected text after a quoted cell on line ${line}`);
      }
      cell = value;
    } else {
      let end = index;
      while (end < length && text[end] !== "," && text[end] !== "\n" && text[end] !== "\r") end++;
      const raw = text.slice(index, end);
      if (raw.includes('"')) {
        throw new SyntaxError(`${source}: stray quote in an unquoted cell on line ${line}`);
      }
      cell = raw === "" ? null : raw;
      index = end;
    }
    record.push(cell);
    // Separator or end of record.
    if (text[index] === ",") {
      index++;
      if (index === length) record.push(null);
      continue;
    }
    if (text[index] === "\r") index++;
    if (text[index] === "\n" || index >= length) {
      index++;
      line++;
      if (!(record.length === 1 && record[0] === null)) records.push(record);
      record = [];
    }
  }
  if (record.length > 0 && !(record.length === 1 && record[0] === null)) records.push(record);
  return records;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
