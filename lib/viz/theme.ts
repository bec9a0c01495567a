/**
 * The look shared by every routebench figure: strategy order and colours (the same strategy has the
 * same colour in every plot), replica colours (distinct for up to 10 replicas), metric labels with
 * units, and the sizes figures are drawn at.
 * @module
 */

/** Strategies in the order plots list them (baselines first, then the cache-aware family). */
export const STRATEGY_ORDER: readonly string[] = [
  "round_robin",
  "random",
  "pow2",
  "least_request",
  "prefix_aware",
  "cache_aware",
  "kv_aware",
  "predicted_latency",
];

/** One fixed colour per known strategy (Tableau 10 hues, chosen so the 8 stay distinct). */
export const STRATEGY_COLORS: Readonly<Record<string, string>> = {
  round_robin: "#7f7f7f",
  random: "#9c755f",
  pow2: "#4e79a7",
  least_request: "#76b7b2",
  prefix_aware: "#f28e2b",
  cache_aware: "#e15759",
  kv_aware: "#59a14f",
  predicted_latency: "#b07aa1",
};

/** Colours for names that are not known strategies (labels, deployments); picked by a stable hash. */
const EXTRA_COLORS: readonly string[] = [
  "#edc948",
  "#ff9da7",
  "#17becf",
  "#bcbd22",
  "#1f77b4",
  "#d62728",
  "#9467bd",
  "#8c564b",
];

/** Replica (engine/backend) colours: Tableau 10, distinct for 10 replicas, repeating after that. */
export const REPLICA_COLORS: readonly string[] = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

/** Colour of "all replicas" summary lines (averages, overall rates). */
export const AGGREGATE_COLOR = "#222222";
/** Colour of threshold lines (neutral, so no replica colour is mistaken for it). */
export const THRESHOLD_COLOR = "#000000";
/** Colour of target lines. */
export const TARGET_COLOR = "#777777";

/** Figure geometry and typography, in px. */
export const LAYOUT = {
  width: 760,
  panelHeight: 360,
  fontFamily: "DejaVu Sans, system-ui, sans-serif",
  fontSize: 12,
  titleSize: 16,
  subtitleSize: 12,
  noteSize: 11,
  gap: 16,
  margin: 16,
} as const;

/** The colour of a strategy; unknown names get a stable colour from a spare palette. */
export function strategyColor(name: string): string {
  const known = STRATEGY_COLORS[name];
  if (known !== undefined) return known;
  const base = name.split(" · ")[0]!;
  const ofBase = STRATEGY_COLORS[base];
  if (ofBase !== undefined) return ofBase;
  return EXTRA_COLORS[stableHash(name) % EXTRA_COLORS.length]!;
}

/** The colour of the i-th replica (0-based). */
export function replicaColor(index: number): string {
  return REPLICA_COLORS[((index % REPLICA_COLORS.length) + REPLICA_COLORS.length) % REPLICA_COLORS.length]!;
}

/**
 * Sorts series names: known strategies in {@linkcode STRATEGY_ORDER}, then the rest alphabetically.
 * A name "strategy · label" sorts with its strategy.
 */
export function orderSeries(names: Iterable<string>): string[] {
  const rank = (name: string): number => {
    const index = STRATEGY_ORDER.indexOf(name.split(" · ")[0]!);
    return index < 0 ? STRATEGY_ORDER.length : index;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Colours for a list of series names. Series of one strategy with different labels
 * ("pow2 · a", "pow2 · b") get shades of the strategy's colour so they stay recognisable.
 */
export function seriesColors(names: readonly string[]): string[] {
  const byBase = new Map<string, string[]>();
  for (const name of names) {
    const base = name.split(" · ")[0]!;
    byBase.set(base, [...(byBase.get(base) ?? []), name]);
  }
  return names.map((name) => {
    const base = name.split(" · ")[0]!;
    const siblings = byBase.get(base)!;
    const color = strategyColor(name.includes(" · ") && STRATEGY_COLORS[base] ? base : name);
    if (siblings.length < 2) return color;
    const k = siblings.indexOf(name) / (siblings.length - 1);
    return mix(color, k < 0.5 ? "#000000" : "#ffffff", Math.abs(k - 0.5) * 0.9);
  });
}

/** Units and readable names of common metric columns and series. */
const METRIC_LABELS: Readonly<Record<string, string>> = {
  duration_s: "Duration (s)",
  completed: "Completed requests",
  request_throughput_per_s: "Request throughput (req/s)",
  input_throughput_tokens_per_s: "Input throughput (tok/s)",
  output_throughput_tokens_per_s: "Output throughput (tok/s)",
  total_throughput_tokens_per_s: "Total throughput (tok/s)",
  request_goodput_per_s: "Goodput (req/s)",
  max_output_tokens_per_s: "Peak output throughput (tok/s)",
  mean_concurrency_requests: "Mean concurrency (requests)",
  max_concurrency: "Max concurrency (requests)",
  cache_hit_rate: "Cache hit rate (fraction of prompt tokens)",
  prefix_cache_hit_rate: "Prefix cache hit rate (fraction)",
  client_cpu_percent: "Client CPU (%)",
  total_cached_tokens: "Cached tokens",
  prompt_tokens: "Prompt tokens",
  generation_tokens: "Generation tokens",
  request_success: "Successful requests",
};

const STAT_WORDS: Readonly<Record<string, string>> = {
  mean: "Mean",
  median: "Median",
  std: "Std dev of",
  p50: "P50",
  p90: "P90",
  p95: "P95",
  p99: "P99",
};

const QUANTITY_WORDS: Readonly<Record<string, string>> = {
  ttft: "TTFT",
  tpot: "TPOT",
  itl: "ITL",
  e2e_latency: "E2E latency",
  e2e: "E2E latency",
  queue_time: "queue time",
  prefill_time: "prefill time",
  decode_time: "decode time",
  inference_time: "inference time",
  send_lag: "send lag",
  event_loop_lag: "event-loop lag",
};

/** A readable axis title with units for a CSV column, e.g. `mean_ttft_ms` → "Mean TTFT (ms)". */
export function metricLabel(metric: string): string {
  const known = METRIC_LABELS[metric];
  if (known !== undefined) return known;
  const ms = /^(mean|median|std|p50|p90|p95|p99)_(.+)_ms$/.exec(metric);
  if (ms) {
    const quantity = QUANTITY_WORDS[ms[2]!] ?? ms[2]!.replaceAll("_", " ");
    return `${STAT_WORDS[ms[1]!]} ${quantity} (ms)`;
  }
  const tail = /^(.+)_(p50|p99)_ms$/.exec(metric);
  if (tail) {
    return `${STAT_WORDS[tail[2]!]} ${(QUANTITY_WORDS[tail[1]!] ?? tail[1]!).replaceAll("_", " ")} (ms)`;
  }
  if (metric.endsWith("_ms")) return `${metric.slice(0, -3).replaceAll("_", " ")} (ms)`;
  if (metric.endsWith("_s")) return `${metric.slice(0, -2).replaceAll("_", " ")} (s)`;
  if (metric.endsWith("_throughput")) return `${metric.replaceAll("_", " ")} (per s)`;
  return metric.replaceAll("_", " ");
}

/** True when a smaller value of the metric is better (latencies, durations, lags). */
export function lowerIsBetter(metric: string): boolean {
  return /(_ms|_s|^duration|lag|failed|time)$/.test(metric) || /ttft|tpot|itl|latency/.test(metric);
}

/** Mixes two #rrggbb colours; `amount` 0 gives `a`, 1 gives `b`. */
export function mix(a: string, b: string, amount: number): string {
  const pa = parseHex(a);
  const pb = parseHex(b);
  const channel = (i: number) => Math.round(pa[i]! + (pb[i]! - pa[i]!) * amount);
  return `#${[0, 1, 2].map((i) => channel(i).toString(16).padStart(2, "0")).join("")}`;
}

function parseHex(color: string): number[] {
  const hex = color.replace("#", "");
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function stableHash(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}
