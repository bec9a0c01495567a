/**
 * Workloads: seeded generators of requests (conversation pieces, ShareGPT, synthetic prefix
 * workloads, trace replay), arrival schedules, and the datagen trace tools.
 * @module
 */
export {
  type ChatMessage,
  renderMessages,
  SkipCounter,
  type Workload,
  type WorkloadRequest,
  type WorkloadSkipped,
} from "./types.ts";
export { createWorkload, WORKLOAD_NAMES, type WorkloadSpec } from "./create_workload.ts";
export { type ConversationsParams, conversationsWorkload } from "./conversations.ts";
export {
  loadShareGpt,
  parseShareGpt,
  type ShareGptConversations,
  type ShareGptParams,
  shareGptWorkload,
} from "./sharegpt.ts";
export { type ConversationTurn, type PieceRef, pieceRequest, samplePieces } from "./conversation_pieces.ts";
export { lognormalInt, sglangLength, syntheticText, TextCorpus } from "./synthetic_text.ts";
export { type ArrivalOptions, arrivalTimesMs } from "./arrivals.ts";
export { type RandomParams, randomWorkload } from "./random.ts";
export {
  type GeneratedSharedPrefixParams,
  generatedSharedPrefixWorkload,
  groupCounts,
} from "./generated_shared_prefix.ts";
export { type PrefixRatioParams, prefixRatioWorkload } from "./prefix_ratio.ts";
export { BlockTexts, type MooncakeParams, mooncakeWorkload, mooncakeWorkloadFromRows } from "./mooncake.ts";
export {
  formatMooncakeTrace,
  loadMooncakeTrace,
  parseMooncakeTrace,
  type TraceRow,
} from "./mooncake_trace.ts";
export { type CsvTraceParams, type CsvTraceRow, csvTraceWorkload, parseCsvTrace } from "./csv_trace.ts";
export { analyzeTrace, type LengthStats, type TraceAnalysis } from "./trace_analyze.ts";
export { type SynthesizeOptions, synthesizeTrace } from "./trace_synthesize.ts";
export { poisson, type SinOptions, sinTrace } from "./trace_sin.ts";
