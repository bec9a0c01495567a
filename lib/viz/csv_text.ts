/**
 * Plain CSV text (RFC 4180) parse and stringify that keep every cell as the exact string written,
 * so copying rows between results files never reformats a number. Plots read CSVs through polars
 * instead (results_csv.ts).
 * @module
 */

/** A parsed CSV file: its header and rows as column → string. */
export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
}

/** Parses CSV text. Throws SyntaxError naming `source` and the line for an unterminated quote. */
export function parseCsvText(text: string, source = "CSV"): CsvTable {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === "") {
      quoted = true;
      quoteLine = line;
    } else if (ch === ",") {
      record.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(cell);
      cell = "";
      if (record.length > 1 || record[0] !== "") records.push(record);
      record = [];
      line++;
    } else cell += ch;
  }
  if (quoted) {
    throw new SyntaxError(`Cannot parse ${source}: unterminated quote starting on line ${quoteLine}`);
  }
  if (cell !== "" || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  const [columns = [], ...body] = records;
  const rows = body.map((values) =>
    Object.fromEntries(columns.map((column, i) => [column, values[i] ?? ""]))
  );
  return { columns, rows };
}

/** Writes a CSV table: header then rows, quoting cells that hold a comma, quote or newline. */
export function stringifyCsv(table: CsvTable): string {
  const cell = (value: string) => /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  const lines = [table.columns.map(cell).join(",")];
  for (const row of table.rows) lines.push(table.columns.map((column) => cell(row[column] ?? "")).join(","));
  return lines.join("\n") + "\n";
}
