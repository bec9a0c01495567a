/**
 * The fleet warm-up before a measured run, in both modes: a few short requests with prompts no
 * workload shares, sent through the router by the same client, then every engine's prefix cache is
 * reset. A GPU fleet is at full speed when it first answers; our mock engines, router and client are
 * JavaScript, whose first requests over fresh connections ran ~10-18 ms slower each (measured with
 * test/bench/http_hop_bench.ts), an artefact that skewed the first requests of every live run. The
 * warm-up mirrors sglang bench_serving's warmup followed by `--flush-cache`. The router leaves
 * these requests out of its decision log ({@linkcode WARM_UP_HEADER}); the simulation runs the same
 * requests in virtual time so the strategies start from the same state.
 * @module
 */
import { countTokens } from "../core/tokens.ts";
import { WARM_UP_HEADER } from "../router/strategy.ts";
import type { WorkloadRequest } from "../workload/mod.ts";

/** Headers that mark the warm-up requests for the router. */
export const WARM_UP_HEADERS: Readonly<Record<string, string>> = { [WARM_UP_HEADER]: "1" };

/** Prompt words and output tokens of one warm-up request: short, so the warm-up takes ~0.3 s live. */
const PROMPT_WORDS = 200;
const OUTPUT_TOKENS = 16;

/**
 * `count` warm-up requests; their prompts share no prefix with each other or any workload: every word
 * carries the request's own marker (`warmup3xw0 warmup3xw1 …`), which no workload text contains.
 */
export function fleetWarmUpRequests(count: number): WorkloadRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const prompt = Array.from({ length: PROMPT_WORDS }, (_, word) => `warmup${i}xw${word}`).join(" ");
    return {
      id: `warm-up-${i}`,
      prompt,
      messages: [{ role: "user", content: prompt }],
      promptTokens: countTokens(prompt),
      outputTokens: OUTPUT_TOKENS,
    };
  });
}

/** Client options of the warm-up run, given the measured run's: same client, all sent at once. */
export function fleetWarmUpClientOptions<T extends { maxConcurrency: number }>(
  options: T,
  count: number,
): T & { requests: WorkloadRequest[]; requestRate: number; headers: Readonly<Record<string, string>> } {
  return {
    ...options,
    requests: fleetWarmUpRequests(count),
    requestRate: Infinity,
    headers: WARM_UP_HEADERS,
  };
}

/**
 * POST /reset_prefix_cache (a router passes it on to every engine). Servers without it (vLLM serves it
 * only with VLLM_SERVER_DEV_MODE=1) keep the warm-up prompts cached: they share no prefix with any
 * workload, so that costs only evictable blocks; it goes to the run's `logs/warm_up.log` and, once per
 * process, to stderr, and is not fatal.
 */
export async function resetPrefixCachesAfterWarmUp(baseUrl: string, runDir: string): Promise<void> {
  let problem: string | undefined;
  try {
    const response = await fetch(`${baseUrl}/reset_prefix_cache`, { method: "POST" });
    await response.body?.cancel();
    if (!response.ok) problem = `answered ${response.status}`;
  } catch (error) {
    problem = `failed: ${error instanceof Error ? error.message : error}`;
  }
  if (problem === undefined) return;
  const line = `warm-up: POST ${baseUrl}/reset_prefix_cache ${problem}; the warm-up prompts stay cached`;
  await Deno.writeTextFile(`${runDir}/logs/warm_up.log`, `${line}\n`);
  if (!warnedResetFailure) {
    console.error(`routebench: ${line} (said once; every affected run has it in logs/warm_up.log)`);
  }
  warnedResetFailure = true;
}
let warnedResetFailure = false;
