/**
 * `deno task router`: the routebench router in front of N backends. Prints
 * `routebench router listening on http://HOST:PORT` when ready; SIGINT/SIGTERM exit 0 gracefully.
 * @module
 */
import { runCli } from "../lib/core/cli.ts";
import { exitWhenParentDies } from "../lib/core/parent_watch.ts";
import { routerFlagSpec, routerInputFromFlags, serveRouter } from "../lib/router/mod.ts";

await runCli({
  usage: "deno task router --port N --strategy S --backend URL [--backend URL ...] [options]",
  summary: "Routes OpenAI-compatible requests (/v1/completions, /v1/chat/completions) to backends with the " +
    "chosen strategy and streams the answers back unchanged. Strategy flags are marked with the strategies " +
    "they apply to; giving one for another strategy is an error.",
  flags: routerFlagSpec(),
}, async (values, parsed) => {
  const server = await serveRouter(routerInputFromFlags(values, parsed.given));
  console.log(`routebench router listening on ${server.url}`);
  exitWhenParentDies();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
});
