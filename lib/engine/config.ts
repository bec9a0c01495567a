/**
 * Engine configuration: the profile's defaults overridden by flags, validated once.
 * @module
 */
import { DEFAULT_PROFILE, type EngineProfile, loadProfile } from "./profile.ts";

/** Fully resolved engine settings. */
export interface EngineConfig {
  /** Served model name (`model` in requests and responses, `model_name` label). */
  model: string;
  /** Engine index, the `engine` metric label (`"0"` without data parallelism). */
  engineIndex: string;
  profile: EngineProfile;
  blockSize: number;
  /** KV blocks including vLLM's reserved null block (usable blocks = numGpuBlocks − 1). */
  numGpuBlocks: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  /** Longest prompt + output, clamped to what the KV cache holds. */
  maxModelLen: number;
  enablePrefixCaching: boolean;
  /** Every modelled duration is divided by this. */
  speedupRatio: number;
  seed: number;
  /** Modelled weight-loading time before the server listens (divided by the speedup ratio). */
  startupDelayS: number;
  /** σ of the multiplicative log-normal noise per step (0 = none). */
  jitterSigma: number;
  /** Frontend cost before a request reaches the scheduler, modelled ms (not divided yet). */
  apiOverheadMs: number;
  /** Median of the natural output length when `ignore_eos` is false (tokens). */
  naturalOutputMedianTokens: number;
  /** σ of the log-normal natural output length. */
  naturalOutputSigma: number;
}

/** What callers may set; everything else comes from the profile. */
export interface EngineOptions {
  model?: string;
  engineIndex?: string;
  /** Built-in profile name, a path to a profile JSON file, or a profile object. */
  profile?: string | EngineProfile;
  blockSize?: number;
  numGpuBlocks?: number;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  maxModelLen?: number;
  enablePrefixCaching?: boolean;
  speedupRatio?: number;
  seed?: number;
  startupDelayS?: number;
  jitterSigma?: number;
  apiOverheadMs?: number;
  naturalOutputMedianTokens?: number;
  naturalOutputSigma?: number;
}

/** Resolves options against the profile. Throws RangeError naming the bad option. */
export function resolveEngineConfig(options: EngineOptions = {}): EngineConfig {
  const profile = typeof options.profile === "object"
    ? options.profile
    : loadProfile(options.profile ?? DEFAULT_PROFILE);
  const blockSize = positiveInt("blockSize", options.blockSize ?? profile.block_size);
  const numGpuBlocks = positiveInt("numGpuBlocks", options.numGpuBlocks ?? profile.num_gpu_blocks);
  if (numGpuBlocks < 2) {
    throw new RangeError(`Engine option 'numGpuBlocks' must be at least 2: current value is ${numGpuBlocks}`);
  }
  const kvCapacityTokens = (numGpuBlocks - 1) * blockSize;
  const speedupRatio = options.speedupRatio ?? 1;
  if (!(speedupRatio > 0) || !Number.isFinite(speedupRatio)) {
    throw new RangeError(
      `Engine option 'speedupRatio' must be a positive finite number: current value is ${speedupRatio}`,
    );
  }
  return {
    model: options.model ?? profile.model,
    engineIndex: options.engineIndex ?? "0",
    profile,
    blockSize,
    numGpuBlocks,
    maxNumSeqs: positiveInt("maxNumSeqs", options.maxNumSeqs ?? profile.max_num_seqs),
    maxNumBatchedTokens: positiveInt(
      "maxNumBatchedTokens",
      options.maxNumBatchedTokens ?? profile.max_num_batched_tokens,
    ),
    maxModelLen: Math.min(
      positiveInt("maxModelLen", options.maxModelLen ?? profile.max_model_len),
      kvCapacityTokens,
    ),
    enablePrefixCaching: options.enablePrefixCaching ?? true,
    speedupRatio,
    seed: options.seed ?? 0,
    startupDelayS: nonNegative("startupDelayS", options.startupDelayS ?? 0),
    jitterSigma: nonNegative("jitterSigma", options.jitterSigma ?? 0),
    apiOverheadMs: nonNegative("apiOverheadMs", options.apiOverheadMs ?? profile.api_overhead_ms),
    naturalOutputMedianTokens: nonNegative(
      "naturalOutputMedianTokens",
      options.naturalOutputMedianTokens ?? 200,
    ),
    naturalOutputSigma: nonNegative("naturalOutputSigma", options.naturalOutputSigma ?? 0.8),
  };
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`Engine option '${name}' must be a positive integer: current value is ${value}`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`Engine option '${name}' must be a non-negative number: current value is ${value}`);
  }
  return value;
}
