/**
 * Writing a run's outputs: per-request JSONL and the summary JSON.
 * @module
 */
import type { BenchmarkSummary } from "./summary.ts";
import type { RequestRecord } from "./types.ts";

/** Writes one JSON line per record. */
export async function writeRecordsJsonl(path: string, records: readonly RequestRecord[]): Promise<void> {
  const lines: string[] = [];
  for (const record of records) lines.push(JSON.stringify(record));
  await Deno.writeTextFile(path, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
}

/** Writes the summary as pretty JSON. */
export async function writeSummaryJson(path: string, summary: BenchmarkSummary): Promise<void> {
  await Deno.writeTextFile(path, `${JSON.stringify(summary, null, 2)}\n`);
}
