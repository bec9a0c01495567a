/**
 * Append-only results CSVs: {@linkcode appendRow} adds one whole row or nothing, even under kill -9 and
 * with several processes appending to one file at once; readers never see a partial row.
 *
 * How: under an exclusive lock (`Deno.FsFile.lock`, flock) on the current file, the new content (old
 * content + the row, or the header + the row for a new file) is written to a temp file in the same
 * directory, fsynced, and renamed over the file (new files: hard-linked, which fails if another process
 * created it first). Rename and link are atomic, so the file is always the old or the new version. A
 * single `write()` on an O_APPEND fd is not enough: the kernel may stop a multi-page write between
 * pages when SIGKILL arrives. The renamed file is a new inode, so a process that waited for the lock
 * re-checks that it locked the current file and retries otherwise. Cost: one copy of the file per row
 * (results files hold one row per run, so this is small). When the file's header lacks columns of the
 * schema (an older version), they are appended to the end of the header and every older row gets empty
 * cells for them, in the same atomic rewrite.
 * @module
 */
import { concatBytes } from "../core/bytes.ts";
import { formatCsvCell, formatCsvLine, parseCsv } from "./csv_format.ts";
import { type CsvRow, type CsvSchema, formatRowCells, SCHEMA_VERSION_COLUMN } from "./csv_schema.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let tempCounter = 0;

/**
 * Appends `row` to the CSV at `path` (created with `schema`'s header when absent).
 * @throws {TypeError} for a row that does not fit `schema` (nothing is written) or a file that is not a
 * results CSV (its header does not start with `schema_version`).
 */
export async function appendRow(path: string, schema: CsvSchema, row: CsvRow): Promise<void> {
  const cells = formatRowCells(schema, row);
  for (;;) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      const { dir } = splitPath(path);
      if (!(await Deno.stat(dir).then((info) => info.isDirectory, () => false))) {
        throw new Deno.errors.NotFound(`Cannot append to '${path}': directory '${dir}' does not exist`);
      }
      const header = schema.columns.map((column) => column.name);
      if (await createFile(path, formatCsvLine(header) + rowLine(header, cells))) return;
      continue; // another process created it first: append to theirs
    }
    try {
      await file.lock(true);
      if (!(await isCurrent(file, path))) continue; // replaced while we waited for the lock
      await replaceFile(path, appendedBytes(path, await readAll(file), schema, cells));
      await removeStaleTemps(path);
      return;
    } finally {
      file.close(); // releases the lock
    }
  }
}

/** The file's bytes with the row appended, migrating an older header first. */
function appendedBytes(
  path: string,
  bytes: Uint8Array,
  schema: CsvSchema,
  cells: Map<string, string>,
): Uint8Array {
  const headerEnd = bytes.indexOf(0x0a);
  const header =
    parseCsv(decoder.decode(headerEnd < 0 ? bytes : bytes.subarray(0, headerEnd + 1)), path)[0] ?? [];
  if (header[0] !== SCHEMA_VERSION_COLUMN.name) {
    throw new TypeError(`${path}: not a results CSV, its header must start with 'schema_version'`);
  }
  const names = header.map((name) => name ?? "");
  const missing = schema.columns.map((column) => column.name).filter((name) => !names.includes(name));
  if (missing.length === 0) {
    // Common case: the old bytes untouched, plus the row (and a newline if a hand edit dropped it).
    const separator = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? "\n" : "";
    const row = encoder.encode(separator + rowLine(names, cells));
    const out = new Uint8Array(bytes.length + row.length);
    out.set(bytes);
    out.set(row, bytes.length);
    return out;
  }
  const records = parseCsv(decoder.decode(bytes), path);
  const widened = [...names, ...missing];
  const padding = ",".repeat(missing.length);
  let out = formatCsvLine(widened);
  // Older rows keep their text; only empty cells for the new columns are added.
  for (const record of records.slice(1)) {
    const cells = names.map((_, i) => formatCsvCell(record[i] ?? null));
    out += formatCsvLine(cells).slice(0, -1) + padding + "\n";
  }
  return encoder.encode(out + rowLine(widened, cells));
}

function rowLine(header: readonly string[], cells: Map<string, string>): string {
  return formatCsvLine(header.map((name) => cells.get(name) ?? ""));
}

async function isCurrent(file: Deno.FsFile, path: string): Promise<boolean> {
  const [opened, current] = await Promise.all([file.stat(), Deno.stat(path).catch(() => undefined)]);
  return current !== undefined && current.ino === opened.ino && current.dev === opened.dev;
}

/** Creates `path` with `text` atomically; false when it already exists. */
async function createFile(path: string, text: string): Promise<boolean> {
  const temp = await writeTemp(path, text);
  try {
    await Deno.link(temp, path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  } finally {
    await Deno.remove(temp).catch(() => {});
  }
}

async function replaceFile(path: string, content: Uint8Array): Promise<void> {
  const temp = await writeTemp(path, content);
  try {
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** Writes `content` to a new hidden temp file beside `path` and fsyncs it. */
async function writeTemp(path: string, content: string | Uint8Array): Promise<string> {
  const { dir, base } = splitPath(path);
  const temp = `${dir}/.${base}.${Deno.pid}-${tempCounter++}-${crypto.randomUUID().slice(0, 8)}.tmp`;
  const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o644 });
  try {
    const bytes = typeof content === "string" ? encoder.encode(content) : content;
    let offset = 0;
    while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
    await file.sync();
  } catch (error) {
    file.close();
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  file.close();
  return temp;
}

/** Removes temp files of `path` left by appenders that were killed (their pid no longer exists; Linux). */
async function removeStaleTemps(path: string): Promise<void> {
  const { dir, base } = splitPath(path);
  const pattern = new RegExp(
    `^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)-\\d+-[0-9a-f]{8}\\.tmp$`,
  );
  try {
    await Deno.stat("/proc/self"); // without procfs, liveness is unknown: keep every temp file
    for await (const entry of Deno.readDir(dir)) {
      const pid = pattern.exec(entry.name)?.[1];
      if (pid === undefined || Number(pid) === Deno.pid) continue;
      const alive = await Deno.stat(`/proc/${pid}`).then(() => true, () => false);
      if (!alive) await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
    }
  } catch {
    // Best effort: a leftover temp file is harmless.
  }
}

function splitPath(path: string): { dir: string; base: string } {
  const slash = path.lastIndexOf("/");
  return { dir: slash < 0 ? "." : path.slice(0, slash) || "/", base: path.slice(slash + 1) };
}

async function readAll(file: Deno.FsFile): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  return concatBytes(chunks);
}
