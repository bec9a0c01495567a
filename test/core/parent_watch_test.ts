// Goal: a routebench child (engine or router) exits by itself when the process that started it is
// gone, so even a SIGKILLed sweep leaves no servers behind. Method: start a real engine whose
// ROUTEBENCH_PARENT_PID names a short-lived process, and wait for the engine to exit after it.
import assert from "node:assert/strict";

const ENGINE_SCRIPT = new URL("../../scripts/engine.ts", import.meta.url).pathname;

Deno.test("an engine exits once the parent named by ROUTEBENCH_PARENT_PID is gone", async () => {
  const parent = new Deno.Command("sleep", { args: ["0.5"] }).spawn();
  const engine = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ENGINE_SCRIPT, "--port", "0"],
    env: { ROUTEBENCH_PARENT_PID: String(parent.pid), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  await parent.status;
  const exited = await Promise.race([
    engine.status.then((status) => status.code),
    new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 10_000)),
  ]);
  if (exited === "timeout") engine.kill("SIGKILL");
  await engine.stdout.cancel();
  assert.equal(exited, 0, "the engine kept running after its parent exited");
});

Deno.test("without ROUTEBENCH_PARENT_PID an engine keeps running", async () => {
  const engine = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ENGINE_SCRIPT, "--port", "0"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const still = await Promise.race([
    engine.status.then(() => "exited"),
    new Promise<string>((resolve) => setTimeout(() => resolve("running"), 1500)),
  ]);
  engine.kill("SIGTERM");
  assert.equal((await engine.status).code, 0);
  await engine.stdout.cancel();
  assert.equal(still, "running");
});
