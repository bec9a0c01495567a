/**
 * One child process of a fleet: started from an argv array (never a shell string) in its own
 * process group (via `setsid`), with stdout and stderr written to log files, and stopped together
 * with everything it spawned (SIGTERM to the group, then SIGKILL after a grace period).
 * @module
 */

/** How to start a {@linkcode ManagedProcess}. */
export interface ManagedProcessOptions {
  /** Name used in logs and errors, e.g. `engine-0`. */
  name: string;
  /** Program and arguments. */
  argv: readonly string[];
  /** Folder for `<name>.stdout.log` and `<name>.stderr.log`. */
  logDir: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  cwd?: string;
}

/** A running child process and its logs. */
export class ManagedProcess {
  readonly name: string;
  readonly argv: readonly string[];
  readonly stdoutPath: string;
  readonly stderrPath: string;
  readonly #child: Deno.ChildProcess;
  readonly #pumps: Promise<void>[];
  #exitStatus: Deno.CommandStatus | undefined;
  readonly exited: Promise<Deno.CommandStatus>;

  private constructor(options: ManagedProcessOptions, child: Deno.ChildProcess, pumps: Promise<void>[]) {
    this.name = options.name;
    this.argv = options.argv;
    this.stdoutPath = `${options.logDir}/${options.name}.stdout.log`;
    this.stderrPath = `${options.logDir}/${options.name}.stderr.log`;
    this.#child = child;
    this.#pumps = pumps;
    this.exited = child.status.then((status) => (this.#exitStatus = status));
  }

  /** Starts the process. Throws if the program cannot be executed. */
  static async start(options: ManagedProcessOptions): Promise<ManagedProcess> {
    if (options.argv.length === 0) throw new TypeError(`Cannot start '${options.name}': empty argv`);
    await Deno.mkdir(options.logDir, { recursive: true });
    const command = new Deno.Command("setsid", {
      args: [...options.argv],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { ...options.env, NO_COLOR: "1" },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    const child = command.spawn();
    const stdoutFile = await Deno.open(`${options.logDir}/${options.name}.stdout.log`, {
      write: true,
      create: true,
      truncate: true,
    });
    const stderrFile = await Deno.open(`${options.logDir}/${options.name}.stderr.log`, {
      write: true,
      create: true,
      truncate: true,
    });
    const pumps = [
      child.stdout.pipeTo(stdoutFile.writable).catch(() => {}),
      child.stderr.pipeTo(stderrFile.writable).catch(() => {}),
    ];
    return new ManagedProcess(options, child, pumps);
  }

  /** Process id (also the process group id). */
  get pid(): number {
    return this.#child.pid;
  }

  /** Exit status once the process has ended, else undefined. */
  get exitStatus(): Deno.CommandStatus | undefined {
    return this.#exitStatus;
  }

  /**
   * Stops the process group: SIGTERM, then SIGKILL after `graceMs`. Resolves when the process has
   * exited and its logs are flushed. Safe to call more than once.
   */
  async stop(graceMs = 5000): Promise<Deno.CommandStatus> {
    if (this.#exitStatus === undefined) {
      signalGroup(this.pid, "SIGTERM");
      const timer = setTimeout(() => signalGroup(this.pid, "SIGKILL"), graceMs);
      try {
        await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    // Grandchildren may outlive the leader; make sure the whole group is gone.
    signalGroup(this.pid, "SIGKILL");
    await Promise.all(this.#pumps);
    return this.#exitStatus!;
  }

  /** The last `lines` lines of stderr and stdout, for error messages. */
  async logTail(lines = 20): Promise<string> {
    // After an exit, the last output may still be in the pipes: let it reach the files first.
    if (this.#exitStatus !== undefined) await Promise.all(this.#pumps);
    const parts: string[] = [];
    for (const path of [this.stderrPath, this.stdoutPath]) {
      try {
        const text = (await Deno.readTextFile(path)).trimEnd();
        if (text !== "") parts.push(`--- ${path}\n${text.split("\n").slice(-lines).join("\n")}`);
      } catch {
        // No log yet.
      }
    }
    return parts.join("\n");
  }
}

function signalGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
