/**
 * Locates ../shared/data (real traces for tests): beside the repo root, else /work/shared/data
 * (where git worktrees find it). Tests skip with a message when it is absent.
 */

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

const CANDIDATES = [new URL("../../../shared/data/", import.meta.url).pathname, "/work/shared/data/"];

/** Absolute path of the shared data folder (with a trailing slash), or undefined when absent. */
export const SHARED_DATA: string | undefined = CANDIDATES.find(isDirectory);

/** Absolute path of a file under the shared data folder ("" when the folder is absent). */
export function sharedData(relative: string): string {
  return SHARED_DATA === undefined ? "" : `${SHARED_DATA}${relative}`;
}

if (SHARED_DATA === undefined) console.warn("skipping tests on real traces: ../shared/data not found");
