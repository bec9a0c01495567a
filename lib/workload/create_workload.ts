/**
 * The workload registry: a spec tagged by `name` → a seeded generator. Every workload is
 * deterministic for a given spec and Rng.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import { type ConversationsParams, conversationsWorkload } from "./conversations.ts";
import { loadShareGpt, type ShareGptParams, shareGptWorkload } from "./sharegpt.ts";
import type { Workload } from "./types.ts";

/** A workload spec: `{ name, ...params }`. */
export type WorkloadSpec =
  | ({ name: "conversations" } & ConversationsParams)
  | ({ name: "sharegpt" } & ShareGptParams);

/** Names {@linkcode createWorkload} accepts. */
export const WORKLOAD_NAMES: readonly WorkloadSpec["name"][] = ["conversations", "sharegpt"];

/** Builds the workload a spec names. Throws TypeError for an unknown name, RangeError for bad params. */
export function createWorkload(spec: WorkloadSpec, rng: Rng): Workload {
  switch (spec.name) {
    case "conversations":
      return conversationsWorkload(spec, rng.fork("conversations"));
    case "sharegpt":
      return shareGptWorkload(loadShareGpt(spec.path), spec, rng.fork("sharegpt"));
    default: {
      const name = (spec as { name: unknown }).name;
      throw new TypeError(`Unknown workload '${String(name)}': expected one of ${WORKLOAD_NAMES.join(", ")}`);
    }
  }
}
