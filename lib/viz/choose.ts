/**
 * Choosing runs for the committed data (Ray's "copy the rows you want into the chosen CSV"): rows
 * of `serve_*`/`engine_*_sweep_results.csv` in a results folder whose label or run id was asked for
 * are appended to `<data>/serve_chosen_sweep_results.csv` / `engine_chosen_sweep_results.csv`
 * (columns merged, rows already there skipped), and their run folders are copied to `<data>/runs/`.
 * @module
 */
import { join } from "node:path";
import { type CsvTable, parseCsvText, stringifyCsv } from "./csv_text.ts";

/** What to choose and where. */
export interface ChooseOptions {
  /** Folder with the results CSVs and runs/. */
  resultsDir: string;
  /** Folder receiving the chosen CSVs and runs/. */
  dataDir: string;
  labels?: string[];
  runIds?: string[];
}

/** What {@linkcode chooseRuns} did. */
export interface ChooseResult {
  /** Per chosen CSV written: rows added and rows skipped as already present. */
  files: { path: string; added: number; alreadyPresent: number }[];
  /** Run ids whose folders were copied. */
  copiedRuns: string[];
  /** Chosen run ids without a run folder in the results. */
  missingRuns: string[];
}

const RESULTS_CSV = /^(serve|engine)_(.+)_sweep_results\.csv$/;

/**
 * Copies the matching rows and run folders. Throws TypeError when nothing was asked for, the results
 * folder is missing, or no row matches.
 */
export async function chooseRuns(options: ChooseOptions): Promise<ChooseResult> {
  const labels = new Set(options.labels ?? []);
  const runIds = new Set(options.runIds ?? []);
  if (labels.size === 0 && runIds.size === 0) {
    throw new TypeError("Nothing to choose: give --label or --run-id");
  }
  const files = resultCsvFiles(options.resultsDir);
  const chosen = new Map<"serve" | "engine", CsvTable>();
  for (const file of files) {
    const kind = RESULTS_CSV.exec(file)![1] as "serve" | "engine";
    const path = join(options.resultsDir, file);
    const table = parseCsvText(await Deno.readTextFile(path), path);
    const rows = table.rows.filter((row) => labels.has(row.label ?? "") || runIds.has(row.run_id ?? ""));
    if (rows.length === 0) continue;
    const into = chosen.get(kind) ?? { columns: [], rows: [] };
    for (const column of table.columns) if (!into.columns.includes(column)) into.columns.push(column);
    into.rows.push(...rows);
    chosen.set(kind, into);
  }
  if (chosen.size === 0) {
    const asked = [...[...labels].map((l) => `label '${l}'`), ...[...runIds].map((r) => `run id '${r}'`)]
      .join(", ");
    throw new TypeError(`No rows with ${asked} in ${options.resultsDir}/{serve,engine}_*_sweep_results.csv`);
  }
  await Deno.mkdir(options.dataDir, { recursive: true });
  const result: ChooseResult = { files: [], copiedRuns: [], missingRuns: [] };
  const ids = new Set<string>();
  for (const [kind, table] of chosen) {
    const path = join(options.dataDir, `${kind}_chosen_sweep_results.csv`);
    const existing = await readIfExists(path);
    const merged: CsvTable = existing ? parseCsvText(existing, path) : { columns: [], rows: [] };
    for (const column of table.columns) if (!merged.columns.includes(column)) merged.columns.push(column);
    const present = new Set(merged.rows.map((row) => row.run_id));
    let added = 0;
    let alreadyPresent = 0;
    for (const row of table.rows) {
      if (row.run_id) ids.add(row.run_id);
      if (row.run_id && present.has(row.run_id)) {
        alreadyPresent++;
        continue;
      }
      merged.rows.push(row);
      present.add(row.run_id);
      added++;
    }
    // Write whole-file then rename, so an interrupted choose never leaves half a CSV.
    const temporary = `${path}.tmp`;
    await Deno.writeTextFile(temporary, stringifyCsv(merged));
    await Deno.rename(temporary, path);
    result.files.push({ path, added, alreadyPresent });
  }
  for (const id of [...ids].sort()) {
    const from = join(options.resultsDir, "runs", id);
    if (!(await isDirectory(from))) {
      result.missingRuns.push(id);
      continue;
    }
    const to = join(options.dataDir, "runs", id);
    if (await isDirectory(to)) continue;
    await copyDirectory(from, to);
    result.copiedRuns.push(id);
  }
  return result;
}

/** Names of `serve_*`/`engine_*_sweep_results.csv` files in `dir`, excluding chosen files, sorted. */
export function resultCsvFiles(dir: string, options: { includeChosen?: boolean } = {}): string[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    throw new TypeError(`Cannot read results folder '${dir}': not a directory`);
  }
  return entries.filter((e) =>
    e.isFile && RESULTS_CSV.test(e.name) && (options.includeChosen || !e.name.includes("_chosen_"))
  )
    .map((e) => e.name).sort();
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

async function copyDirectory(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory) await copyDirectory(source, target);
    else if (entry.isFile) await Deno.copyFile(source, target);
  }
}
