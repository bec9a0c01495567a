/**
 * Test helpers to see which processes are alive (zombies excluded), by process group or by
 * command-line pattern.
 * @module
 */

/** PIDs of live (non-zombie) processes whose process group is `pgid`. */
export async function livingProcessesInGroup(pgid: number): Promise<number[]> {
  return (await listProcesses()).filter((p) => p.pgid === pgid).map((p) => p.pid);
}

/** Live (non-zombie) processes whose command line contains `needle`. */
export async function livingProcessesMatching(
  needle: string,
): Promise<Array<{ pid: number; command: string }>> {
  return (await listProcesses()).filter((p) => p.command.includes(needle) && p.pid !== Deno.pid);
}

async function listProcesses(): Promise<
  Array<{ pid: number; pgid: number; state: string; command: string }>
> {
  const output = await new Deno.Command("ps", {
    args: ["-e", "-o", "pid=,pgid=,stat=,args="],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(output.stdout).split("\n").map((line) => line.trim()).filter(Boolean).map(
    (line) => {
      const [pid, pgid, state, ...command] = line.split(/\s+/);
      return { pid: Number(pid), pgid: Number(pgid), state: state!, command: command.join(" ") };
    },
  ).filter((p) => !p.state.startsWith("Z") && !p.command.startsWith("ps "));
}

/** Live (non-zombie) children of `parentPid` whose command line contains `needle`. */
export async function livingChildren(parentPid: number, needle = ""): Promise<number[]> {
  const output = await new Deno.Command("ps", {
    args: ["-e", "-o", "pid=,ppid=,stat=,args="],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(output.stdout).split("\n").map((line) => line.trim()).filter(Boolean)
    .map((line) => line.split(/\s+/))
    .filter(([, ppid, state, ...command]) =>
      Number(ppid) === parentPid && !state!.startsWith("Z") && command.join(" ").includes(needle)
    )
    .map(([pid]) => Number(pid));
}

/** Whether `pid` is alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}
