/**
 * Children of a routebench process exit when their parent is gone, even if the parent was killed
 * with SIGKILL and could not tear them down. The parent passes its pid in `ROUTEBENCH_PARENT_PID`.
 * @module
 */

/**
 * If `ROUTEBENCH_PARENT_PID` is set, checks every `intervalMs` that the parent still exists and
 * calls `onOrphaned` (default: exit 0) when it does not. The check does not keep the process alive.
 */
export function exitWhenParentDies(onOrphaned: () => void = () => Deno.exit(0), intervalMs = 500): void {
  const parentPid = Number(Deno.env.get("ROUTEBENCH_PARENT_PID"));
  if (!Number.isInteger(parentPid) || parentPid <= 0) return;
  const timer = setInterval(() => {
    try {
      Deno.statSync(`/proc/${parentPid}`);
    } catch {
      clearInterval(timer);
      onOrphaned();
    }
  }, intervalMs);
  Deno.unrefTimer(timer);
}
