/** Starts test/bench/client_instant_server.ts as a child process and returns its URL. */
export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

/** Spawns the instant server (optionally pinned with taskset to `cpu`). */
export async function startInstantServer(chunks = 64, cpu?: number): Promise<ServerProcess> {
  const script = new URL("./client_instant_server.ts", import.meta.url).pathname;
  const deno = Deno.execPath();
  const args = ["run", "-A", script, "--chunks", String(chunks)];
  const command = cpu === undefined
    ? new Deno.Command(deno, { args, stdout: "piped", stderr: "inherit" })
    : new Deno.Command("taskset", {
      args: ["-c", String(cpu), deno, ...args],
      stdout: "piped",
      stderr: "inherit",
    });
  const child = command.spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("instant server exited before listening");
    seen += value;
  }
  const url = /listening on (\S+)/.exec(seen)![1]!;
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      reader.cancel().catch(() => {});
      await child.status;
    },
  };
}
