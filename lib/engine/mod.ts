/**
 * The mock engine: a vLLM V1-faithful scheduler, paged KV cache with prefix caching, step-time model
 * and OpenAI-compatible HTTP server, needing no GPU.
 * @module
 */
export { type EngineConfig, type EngineOptions, resolveEngineConfig } from "./config.ts";
export {
  DEFAULT_PROFILE,
  type EngineProfile,
  loadProfile,
  PROFILE_NAMES,
  validateProfile,
} from "./profile.ts";
export { EngineCore, type EngineDeps, type EngineSnapshot, type StepRecord } from "./engine_core.ts";
export {
  EngineRequest,
  type EngineRequestInput,
  EOS_TOKEN_ID,
  type FinishReason,
  type FinishResult,
  type RequestSink,
} from "./request.ts";
export {
  addDecode,
  addPrefill,
  createTimingModel,
  emptyStepShape,
  type StepShape,
  type TimingModel,
} from "./timing_model.ts";
export { type KvClearedEvent, type KvEvent, type KvRemovedEvent, type KvStoredEvent } from "./kv_events.ts";
export {
  type ChatContentPart,
  chatPromptText,
  type ChatTemplateMessage,
  messageContentText,
} from "./chat_template.ts";
export { EngineMetrics } from "./metrics.ts";
export { EMIT_AHEAD_MS, type EngineServer, type EngineServerOptions, serveEngine } from "./server.ts";
export { DEFAULT_WARM_UP_REQUESTS, warmUpEngine, type WarmUpReport } from "./warm_up.ts";
