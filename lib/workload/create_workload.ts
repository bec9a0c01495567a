/**
 * The workload registry: a spec tagged by `name` → a seeded generator. Every workload is
 * deterministic for a given spec and Rng.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import { type ConversationsParams, conversationsWorkload } from "./conversations.ts";
import { loadShareGpt, type ShareGptParams, shareGptWorkload } from "./sharegpt.ts";
import type { Workload } from "./types.ts";
import { type CsvTraceParams, csvTraceWorkload } from "./csv_trace.ts";
import {
  type GeneratedSharedPrefixParams,
  generatedSharedPrefixWorkload,
} from "./generated_shared_prefix.ts";
import { type MooncakeParams, mooncakeWorkload } from "./mooncake.ts";
import { type PrefixRatioParams, prefixRatioWorkload } from "./prefix_ratio.ts";
import { type RandomParams, randomWorkload } from "./random.ts";

/** A workload spec: `{ name, ...params }`. */
export type WorkloadSpec =
  | ({ name: "conversations" } & ConversationsParams)
  | ({ name: "sharegpt" } & ShareGptParams)
  | ({ name: "generated-shared-prefix" } & GeneratedSharedPrefixParams)
  | ({ name: "prefix-ratio" } & PrefixRatioParams)
  | ({ name: "random" } & RandomParams)
  | ({ name: "mooncake" } & MooncakeParams)
  | ({ name: "csv-trace" } & CsvTraceParams);

/** Names {@linkcode createWorkload} accepts. */
export const WORKLOAD_NAMES: readonly WorkloadSpec["name"][] = [
  "conversations",
  "sharegpt",
  "generated-shared-prefix",
  "prefix-ratio",
  "random",
  "mooncake",
  "csv-trace",
];

/** Workloads that read their requests from a file named by `path`. */
const FILE_WORKLOADS: ReadonlySet<string> = new Set(["sharegpt", "mooncake", "csv-trace"]);

/** Builds the workload a spec names. Throws TypeError for an unknown name, RangeError for bad params. */
export function createWorkload(spec: WorkloadSpec, rng: Rng): Workload {
  if (FILE_WORKLOADS.has(spec.name) && typeof (spec as { path?: unknown }).path !== "string") {
    throw new TypeError(`The '${spec.name}' workload reads a file: set 'path' (--dataset-path FILE)`);
  }
  switch (spec.name) {
    case "conversations":
      return conversationsWorkload(spec, rng.fork("conversations"));
    case "sharegpt":
      return shareGptWorkload(loadShareGpt(spec.path), spec, rng.fork("sharegpt"));
    case "generated-shared-prefix":
      return generatedSharedPrefixWorkload(spec, rng.fork("generated-shared-prefix"));
    case "prefix-ratio":
      return prefixRatioWorkload(spec, rng.fork("prefix-ratio"));
    case "random":
      return randomWorkload(spec, rng.fork("random"));
    case "mooncake":
      return mooncakeWorkload(spec);
    case "csv-trace":
      return csvTraceWorkload(spec, rng.fork("csv-trace"));
    default: {
      const name = (spec as { name: unknown }).name;
      throw new TypeError(`Unknown workload '${String(name)}': expected one of ${WORKLOAD_NAMES.join(", ")}`);
    }
  }
}
