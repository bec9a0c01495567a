/**
 * `deno task engine`: runs one mock vLLM engine behind its OpenAI-compatible HTTP server. Prints
 * `routebench engine listening on http://HOST:PORT` once ready; SIGINT/SIGTERM shut it down (exit 0).
 * @module
 */
import { runCli, UsageError } from "../lib/core/cli.ts";
import { exitWhenParentDies } from "../lib/core/parent_watch.ts";
import { DEFAULT_WARM_UP_REQUESTS, PROFILE_NAMES, serveEngine } from "../lib/engine/mod.ts";

const flags = {
  port: {
    type: "number",
    help: "Port to listen on (0 picks a free one)",
    default: 8000,
    integer: true,
    min: 0,
  },
  host: { type: "string", help: "Address to bind", default: "127.0.0.1" },
  model: { type: "string", help: "Served model name (default: the profile's model)" },
  profile: {
    type: "string",
    help: `Profile name (${PROFILE_NAMES.join(", ")}) or path to a profile JSON file`,
    default: "qwen2.5-1.5b-l4",
  },
  "speedup-ratio": { type: "number", help: "Divide every modelled duration by this", default: 1, min: 0 },
  "block-size": {
    type: "number",
    help: "Tokens per KV block (default: the profile's)",
    integer: true,
    min: 1,
  },
  "num-gpu-blocks": {
    type: "number",
    help: "KV blocks incl. the null block (default: the profile's)",
    integer: true,
    min: 2,
  },
  "max-num-seqs": {
    type: "number",
    help: "Most running requests (default: the profile's)",
    integer: true,
    min: 1,
  },
  "max-num-batched-tokens": {
    type: "number",
    help: "Token budget per step (default: the profile's)",
    integer: true,
    min: 1,
  },
  "max-model-len": {
    type: "number",
    help: "Longest prompt + output (default: the profile's)",
    integer: true,
    min: 1,
  },
  "enable-prefix-caching": {
    type: "boolean",
    help: "Prefix caching (--no-enable-prefix-caching turns it off)",
    default: true,
  },
  seed: { type: "number", help: "Seed of output text, lengths and jitter", default: 0, integer: true },
  "startup-delay-s": {
    type: "number",
    help: "Modelled model-loading time before listening (s)",
    default: 0,
    min: 0,
  },
  jitter: { type: "number", help: "σ of log-normal per-step noise (0 = none)", default: 0, min: 0 },
  "warm-up-requests": {
    type: "number",
    help: "Synthetic requests run in virtual time before listening, so served requests run optimized code",
    default: DEFAULT_WARM_UP_REQUESTS,
    integer: true,
    min: 0,
  },
  "engine-index": { type: "string", help: "Value of the 'engine' metric label", default: "0" },
} as const;

await runCli({
  usage: "deno task engine [options]",
  summary:
    "Runs a mock vLLM engine (scheduler, paged KV cache with prefix caching, step-time model) behind vLLM's OpenAI-compatible HTTP API.",
  flags,
}, async (values) => {
  if (!(values["speedup-ratio"] > 0)) {
    throw new UsageError(`--speedup-ratio must be positive: got '${values["speedup-ratio"]}'`);
  }
  let server;
  try {
    server = await serveEngine({
      port: values.port,
      host: values.host,
      model: values.model,
      profile: values.profile,
      speedupRatio: values["speedup-ratio"],
      blockSize: values["block-size"],
      numGpuBlocks: values["num-gpu-blocks"],
      maxNumSeqs: values["max-num-seqs"],
      maxNumBatchedTokens: values["max-num-batched-tokens"],
      maxModelLen: values["max-model-len"],
      enablePrefixCaching: values["enable-prefix-caching"],
      seed: values.seed,
      startupDelayS: values["startup-delay-s"],
      jitterSigma: values.jitter,
      engineIndex: values["engine-index"],
      warmUpRequests: values["warm-up-requests"],
    });
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) throw new UsageError(error.message);
    if (error instanceof Deno.errors.AddrInUse) {
      throw new UsageError(`cannot listen on ${values.host}:${values.port}: address in use`);
    }
    throw error;
  }
  console.log(`routebench engine listening on ${server.url}`);
  exitWhenParentDies();
  await new Promise<void>((resolve) => {
    const stop = () => {
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
      resolve();
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  });
  await server.shutdown();
  Deno.exit(0);
});
