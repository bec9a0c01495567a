/**
 * Engine profiles: a model on a GPU described as data (JSON files in `profiles/`), selected by name
 * or by a path to a JSON file of the same shape. A profile holds the step-time model's constants and
 * the vLLM defaults that depend on the GPU (KV blocks, max_num_seqs, max_num_batched_tokens).
 * @module
 */
import llama31_8bH100 from "./profiles/llama-3.1-8b-h100.json" with { type: "json" };
import qwen25_15bL4 from "./profiles/qwen2.5-1.5b-l4.json" with { type: "json" };
import dynamoPolynomial from "./profiles/dynamo-polynomial.json" with { type: "json" };

/** Roofline step model of engines.md §10.2 (all times in ms). */
export interface RooflineTiming {
  kind: "roofline";
  /** `T0`: fixed per-step cost (launches, scheduler, sampler). */
  step_overhead_ms: number;
  /** `T_w`: weight bytes / effective HBM bandwidth, the floor of the linear layers. */
  weight_read_ms: number;
  /** `a_lin`: GEMM compute per token in the forward pass. */
  linear_ms_per_token: number;
  /** `a_attn`: prefill attention per (query, key) pair. */
  attention_ms_per_pair: number;
  /** `b_kv`: decode attention per context token read. */
  kv_read_ms_per_token: number;
  /** `r`: per-request bookkeeping and sampling. */
  per_request_ms: number;
}

/**
 * Dynamo mocker's polynomial model: prefill `c0 + c1·T + c2·T²` over the pass's new prompt tokens T
 * (0 when T = 0) plus decode `d0 + d1·u + d2·u²`, u = Σ decode context / KV capacity (≤ 1).
 */
export interface PolynomialTiming {
  kind: "polynomial";
  prefill_coefficients: [number, number, number];
  decode_coefficients: [number, number, number];
  decode_floor_ms: number;
}

/** A model-on-GPU profile. */
export interface EngineProfile {
  name: string;
  description: string;
  /** Default served model name. */
  model: string;
  timing: RooflineTiming | PolynomialTiming;
  /** Frontend cost before a request reaches the scheduler (tokenization, HTTP); adds to client TTFT. */
  api_overhead_ms: number;
  num_gpu_blocks: number;
  block_size: number;
  max_num_seqs: number;
  max_num_batched_tokens: number;
  max_model_len: number;
}

const BUILTIN: Readonly<Record<string, unknown>> = {
  "llama-3.1-8b-h100": llama31_8bH100,
  "qwen2.5-1.5b-l4": qwen25_15bL4,
  "dynamo-polynomial": dynamoPolynomial,
};

/** Names of the profiles shipped in `lib/engine/profiles/`. */
export const PROFILE_NAMES: readonly string[] = Object.keys(BUILTIN);

/** The default profile of the routebench fleet (the Ray seed: Qwen2.5-1.5B on L4). */
export const DEFAULT_PROFILE = "qwen2.5-1.5b-l4";

/**
 * Loads a profile by built-in name, or from a JSON file when `nameOrPath` ends in `.json` or
 * contains a slash. Throws RangeError for an unknown name, TypeError for a malformed file.
 */
export function loadProfile(nameOrPath: string): EngineProfile {
  const builtin = BUILTIN[nameOrPath];
  if (builtin !== undefined) return validateProfile(structuredClone(builtin), `profile '${nameOrPath}'`);
  if (!nameOrPath.endsWith(".json") && !nameOrPath.includes("/")) {
    throw new RangeError(
      `Unknown engine profile '${nameOrPath}': expected one of ${
        PROFILE_NAMES.join(", ")
      } or a path to a .json file`,
    );
  }
  let text: string;
  try {
    text = Deno.readTextFileSync(nameOrPath);
  } catch (error) {
    throw new TypeError(
      `Cannot read profile file '${nameOrPath}': ${error instanceof Error ? error.message : error}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new TypeError(
      `Profile file '${nameOrPath}' is not valid JSON: ${error instanceof Error ? error.message : error}`,
    );
  }
  return validateProfile(data, `profile file '${nameOrPath}'`);
}

/** Checks that `data` is a well-formed {@linkcode EngineProfile}; `where` names it in errors. */
export function validateProfile(data: unknown, where: string): EngineProfile {
  const object = asObject(data, where);
  const timing = asObject(object.timing, `${where}: field 'timing'`);
  if (timing.kind === "roofline") {
    for (
      const key of [
        "step_overhead_ms",
        "weight_read_ms",
        "linear_ms_per_token",
        "attention_ms_per_pair",
        "kv_read_ms_per_token",
        "per_request_ms",
      ]
    ) {
      nonNegative(timing[key], `${where}: field 'timing.${key}'`);
    }
  } else if (timing.kind === "polynomial") {
    for (const key of ["prefill_coefficients", "decode_coefficients"]) {
      const value = timing[key];
      if (
        !Array.isArray(value) || value.length !== 3 ||
        !value.every((x) => typeof x === "number" && Number.isFinite(x))
      ) {
        throw new TypeError(`${where}: field 'timing.${key}' must be an array of 3 numbers`);
      }
    }
    nonNegative(timing.decode_floor_ms, `${where}: field 'timing.decode_floor_ms'`);
  } else {
    throw new TypeError(
      `${where}: field 'timing.kind' must be "roofline" or "polynomial": got ${JSON.stringify(timing.kind)}`,
    );
  }
  for (const key of ["name", "description", "model"]) {
    if (typeof object[key] !== "string") throw new TypeError(`${where}: field '${key}' must be a string`);
  }
  nonNegative(object.api_overhead_ms, `${where}: field 'api_overhead_ms'`);
  for (
    const key of ["num_gpu_blocks", "block_size", "max_num_seqs", "max_num_batched_tokens", "max_model_len"]
  ) {
    const value = object[key];
    if (!Number.isInteger(value) || (value as number) <= 0) {
      throw new TypeError(
        `${where}: field '${key}' must be a positive integer: got ${JSON.stringify(value)}`,
      );
    }
  }
  return object as unknown as EngineProfile;
}

function asObject(data: unknown, where: string): Record<string, unknown> {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new TypeError(`${where} must be a JSON object`);
  }
  return data as Record<string, unknown>;
}

function nonNegative(value: unknown, where: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${where} must be a non-negative number: got ${JSON.stringify(value)}`);
  }
}
