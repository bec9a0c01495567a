/**
 * Append-only CSV results (interim implementation; see the scrape branch for the hardened one).
 * @module
 */
import type { CsvRow } from "./columns.ts";

/** Appends one row (header first for a new file) under an exclusive lock, in a single write. */
export async function appendRow(path: string, columns: readonly string[], row: CsvRow): Promise<void> {
  const file = await Deno.open(path, { create: true, append: true, read: true });
  try {
    await file.lock(true);
    const size = (await file.stat()).size;
    const line = columns.map((column) => csvField(row[column])).join(",") + "\n";
    const text = size === 0 ? columns.join(",") + "\n" + line : line;
    await file.write(new TextEncoder().encode(text));
  } finally {
    file.close();
  }
}

/** Reads a CSV into objects keyed by header names (values as strings). */
export async function readCsvObjects(path: string): Promise<Record<string, string>[]> {
  const rows = parseCsv(await Deno.readTextFile(path));
  const header = rows.shift() ?? [];
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""])));
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else if (char !== "\r") field += char;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}
