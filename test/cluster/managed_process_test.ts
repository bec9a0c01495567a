// Goal: a managed child runs in its own process group with its output in log files, and stop()
// leaves nothing of the group alive, grandchildren included; readiness failures name the process
// and show its log tail. Method: real bash children started from argv arrays.
import assert from "node:assert/strict";
import { ManagedProcess } from "../../lib/cluster/managed_process.ts";
import { ReadinessError, waitUntilReady } from "../../lib/cluster/readiness.ts";
import { livingProcessesInGroup } from "./process_helpers.ts";

Deno.test("ManagedProcess stop() kills the whole process group and keeps the logs", async () => {
  const logDir = await Deno.makeTempDir();
  const child = await ManagedProcess.start({
    name: "sleeper",
    argv: ["bash", "-c", "echo started; echo warn >&2; sleep 60 & sleep 60"],
    logDir,
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok((await livingProcessesInGroup(child.pid)).length >= 2, "expected bash and its sleeps");
  await child.stop(2000);
  assert.deepEqual(await livingProcessesInGroup(child.pid), []);
  assert.equal((await Deno.readTextFile(`${logDir}/sleeper.stdout.log`)).trim(), "started");
  assert.equal((await Deno.readTextFile(`${logDir}/sleeper.stderr.log`)).trim(), "warn");
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("ManagedProcess stop() escalates to SIGKILL when SIGTERM is ignored", async () => {
  const logDir = await Deno.makeTempDir();
  const child = await ManagedProcess.start({
    name: "stubborn",
    argv: ["bash", "-c", "trap '' TERM; echo ready; while true; do sleep 0.05; done"],
    logDir,
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const status = await child.stop(300);
  assert.equal(status.signal, "SIGKILL");
  assert.deepEqual(await livingProcessesInGroup(child.pid), []);
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("waitUntilReady() names a child that exits early and shows its log tail", async () => {
  const logDir = await Deno.makeTempDir();
  const child = await ManagedProcess.start({
    name: "engine-3",
    argv: ["bash", "-c", "echo 'cannot load profile foo' >&2; exit 3"],
    logDir,
  });
  await assert.rejects(
    waitUntilReady("http://127.0.0.1:9", { process: child, timeoutMs: 10_000 }),
    (error: unknown) => {
      assert.ok(error instanceof ReadinessError);
      assert.match(error.message, /^engine-3 exited with code 3 before it was ready/);
      assert.match(error.message, /cannot load profile foo/);
      return true;
    },
  );
  await child.stop();
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("waitUntilReady() times out with the name and URL", async () => {
  await assert.rejects(
    waitUntilReady("http://127.0.0.1:9", { name: "external-engine", timeoutMs: 200 }),
    /external-engine was not ready after 0.2 s \(http:\/\/127.0.0.1:9\/health\)/,
  );
});
