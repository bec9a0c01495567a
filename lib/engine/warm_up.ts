/**
 * Start-up warm-up of the engine's code, the mock's counterpart of vLLM's profile run and CUDA graph
 * capture: a real engine is at full speed when /health first answers, but a JavaScript engine runs
 * its first requests in V8's interpreter. Without warming, the first few dozen requests of a
 * benchmark ran 20-50 ms slower than the model says (measured against the virtual-time simulation),
 * which is an artefact of the mock, not something a vLLM fleet shows.
 *
 * The warm-up drives a throwaway {@linkcode EngineCore} with the same configuration on a
 * {@linkcode VirtualClock} through the request path the server uses (body parsing, tokenizing,
 * scheduling, prefix hashing and hits, SSE chunk building), so the served engine's cache, metrics
 * and clock are untouched.
 * @module
 */
import { VirtualClock } from "../core/clock.ts";
import { createRng } from "../core/rng.ts";
import { syntheticText } from "../core/tokens.ts";
import type { EngineConfig } from "./config.ts";
import { EngineCore } from "./engine_core.ts";
import {
  completionResponseJson,
  engineRequestInput,
  isApiError,
  parseGenerateRequest,
  SSE_DONE,
  SseChunkBuilder,
  usageJson,
} from "./openai_api.ts";

/** Warm-up requests by default: enough for V8 to optimize the per-step and per-token paths. */
export const DEFAULT_WARM_UP_REQUESTS = 128;

/** What a warm-up did. */
export interface WarmUpReport {
  /** Requests the engine accepted (all, unless max_model_len is too small for some prompts). */
  requests: number;
  outputTokens: number;
}

/**
 * Runs `requests` synthetic requests (shared prefixes, streamed and not, both endpoints) through a
 * private engine built from `config`, in virtual time. Returns what ran.
 */
export function warmUpEngine(config: EngineConfig, requests = DEFAULT_WARM_UP_REQUESTS): WarmUpReport {
  const clock = new VirtualClock();
  const core = new EngineCore({ ...config, startupDelayS: 0, jitterSigma: 0 }, {
    clock,
    rng: createRng(config.seed).fork("warm-up"),
  });
  const limits = { servedModel: config.model, maxModelLen: config.maxModelLen };
  const rng = createRng(config.seed).fork("warm-up-prompts");
  // Prompts of up to ~4,000 tokens that share one of a few prefixes, so hashing, hits and evictions
  // run; they stay within max_model_len less the output (≤ 64) and the chat template.
  const halfTokens = Math.max(1, Math.floor(Math.min(4000, config.maxModelLen - 128) / 2));
  const prefixes = Array.from({ length: 4 }, () => syntheticText(rng, rng.int(1, halfTokens)));
  let outputTokens = 0;
  let finished = 0;
  let submitted = 0;
  for (let i = 0; i < requests; i++) {
    const prompt = `${prefixes[i % prefixes.length]} ${syntheticText(rng, rng.int(1, halfTokens))}`;
    const stream = i % 4 !== 3;
    const chat = i % 2 === 0;
    const body = JSON.parse(JSON.stringify({
      model: config.model,
      ...(chat ? { messages: [{ role: "user", content: prompt }] } : { prompt }),
      max_tokens: rng.int(16, 64),
      ignore_eos: true,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    }));
    const endpoint = chat ? "chat" : "completions";
    const parsed = parseGenerateRequest(endpoint, body, limits);
    if (isApiError(parsed)) continue; // a tiny max_model_len: the accepted requests still warm the code
    submitted++;
    const id = `warm-up-${i}`;
    const chunks = new SseChunkBuilder(endpoint, id, 0, config.model, false);
    let sse = "";
    let text = "";
    core.submit(engineRequestInput(parsed, id), {
      onToken(_tokenId, piece, finishReason) {
        outputTokens++;
        if (stream) sse += chunks.token(piece, finishReason, usageJson(0, outputTokens, 0));
        else text += piece;
      },
      onFinish(result) {
        finished++;
        if (stream) sse += chunks.usage(result) + SSE_DONE;
        else text = completionResponseJson(endpoint, id, 0, config.model, text, result);
        sse = text = "";
      },
    });
    // Arrivals spread over virtual time, so batches mix prefill chunks and decodes.
    clock.runUntil(clock.nowMs() + 5);
  }
  clock.runWhile(() => finished < submitted);
  core.close();
  return { requests: submitted, outputTokens };
}
