/**
 * The `generated-shared-prefix` workload (sglang gsp): `numGroups` system prompts, each shared by
 * `promptsPerGroup` questions; request text = system + "\n\n" + question. Lengths use sglang's
 * sampler with `rangeRatio` (default 1 = fixed). With `groupDistribution: "zipf"` the total stays
 * groups × prompts but group k (0 hottest) gets a share ∝ (k+1)^-alpha.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import { countTokens } from "../core/tokens.ts";
import { sglangLength, TextCorpus } from "./synthetic_text.ts";
import type { Workload, WorkloadRequest } from "./types.ts";

/** Parameters of the `generated-shared-prefix` workload (sglang `--gsp-*`). */
export interface GeneratedSharedPrefixParams {
  /** @default 64 */
  numGroups?: number;
  /** @default 16 */
  promptsPerGroup?: number;
  /** @default 2048 */
  systemPromptLen?: number;
  /** @default 128 */
  questionLen?: number;
  /** @default 256 */
  outputLen?: number;
  /** @default 1 */
  rangeRatio?: number;
  /** @default "uniform" */
  groupDistribution?: "uniform" | "zipf";
  /** @default 1 */
  zipfAlpha?: number;
  /** Keep group order instead of shuffling. @default false */
  ordered?: boolean;
}

/** Builds the `generated-shared-prefix` workload. */
export function generatedSharedPrefixWorkload(params: GeneratedSharedPrefixParams, rng: Rng): Workload {
  const groups = params.numGroups ?? 64;
  const perGroup = params.promptsPerGroup ?? 16;
  const ratio = params.rangeRatio ?? 1;
  if (!(Number.isInteger(groups) && groups >= 1 && Number.isInteger(perGroup) && perGroup >= 1)) {
    throw new RangeError(
      `Cannot build 'generated-shared-prefix': numGroups and promptsPerGroup must be positive integers`,
    );
  }
  const corpus = new TextCorpus(rng.fork("corpus"));
  const lengths = rng.fork("lengths");
  const text = rng.fork("text");
  const counts = groupCounts(groups, perGroup, params.groupDistribution ?? "uniform", params.zipfAlpha ?? 1);
  const requests: WorkloadRequest[] = [];
  for (let g = 0; g < groups; g++) {
    const system = corpus.uniqueText(
      text,
      `g${g}`,
      sglangLength(lengths, params.systemPromptLen ?? 2048, ratio),
    );
    for (let p = 0; p < counts[g]!; p++) {
      const question = corpus.uniqueText(
        text,
        `q${p}`,
        sglangLength(lengths, params.questionLen ?? 128, ratio),
      );
      const prompt = `${system}\n\n${question}`;
      requests.push({
        id: `gsp-${g}-${p}`,
        prompt,
        promptTokens: countTokens(prompt),
        outputTokens: sglangLength(lengths, params.outputLen ?? 256, ratio),
        sessionId: `group-${g}`,
      });
    }
  }
  if (!params.ordered) rng.fork("order").shuffle(requests);
  return { requests };
}

/** Requests per group: equal, or Zipf shares of groups × perGroup (largest remainders). */
export function groupCounts(
  groups: number,
  perGroup: number,
  distribution: "uniform" | "zipf",
  alpha: number,
): number[] {
  if (distribution === "uniform") return new Array<number>(groups).fill(perGroup);
  const total = groups * perGroup;
  const weights = Array.from({ length: groups }, (_, k) => Math.pow(k + 1, -alpha));
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, k) => [x - Math.floor(x), k] as const).sort((a, b) =>
    b[0] - a[0] || a[1] - b[1]
  );
  for (let i = 0; left > 0; i++, left--) counts[order[i % groups]![1]]!++;
  return counts;
}
