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
export { lognormalInt, syntheticText } from "./synthetic_text.ts";
export { type ArrivalOptions, arrivalTimesMs } from "./arrivals.ts";
