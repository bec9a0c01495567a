/**
 * `routingMatches`: how often the router's final choice was the backend its strategy first wanted
 * (Ray's count_routing_matches), as a table: per replica, decisions intended for it, decisions
 * finally routed to it, and how many of those were intended; plus a total row. A decision without
 * an `intended` field went where it was intended.
 * @module
 */
import { Figure } from "./figure.ts";
import { asRun, backendNamer, orderReplicas, type RunInput } from "./run_folder.ts";
import { strategyOf } from "./load_distribution.ts";

/** Options for {@linkcode routingMatches}. */
export interface RoutingMatchesOptions {
  title?: string;
}

/** A table of intended vs final routing decisions per replica. */
export function routingMatches(run: RunInput, options: RoutingMatchesOptions = {}): Figure {
  const data = asRun(run);
  if (data.decisions.length === 0) {
    throw new TypeError(`routingMatches: run '${data.id}' has no decisions.jsonl entries`);
  }
  const nameOf = backendNamer(data);
  const counts = new Map<string, { intended: number; final: number; matched: number }>();
  const entry = (replica: string) => {
    let value = counts.get(replica);
    if (!value) counts.set(replica, value = { intended: 0, final: 0, matched: 0 });
    return value;
  };
  const branches = new Map<string, number>();
  let matched = 0;
  for (const decision of data.decisions) {
    const chosen = nameOf(decision.chosen);
    const intended = nameOf(decision.intended ?? decision.chosen);
    entry(intended).intended++;
    entry(chosen).final++;
    if (chosen === intended) {
      entry(chosen).matched++;
      matched++;
    }
    branches.set(decision.branch, (branches.get(decision.branch) ?? 0) + 1);
  }
  const total = data.decisions.length;
  const percent = (part: number, whole: number) => whole === 0 ? "" : `${((part / whole) * 100).toFixed(1)}%`;
  const rows: Record<string, string | number>[] = orderReplicas(counts.keys()).map((replica) => {
    const c = counts.get(replica)!;
    return {
      replica,
      intended: c.intended,
      final: c.final,
      matched: c.matched,
      rerouted: c.final - c.matched,
      matchRate: percent(c.matched, c.final),
    };
  });
  rows.push({
    replica: "all",
    intended: total,
    final: total,
    matched,
    rerouted: total - matched,
    matchRate: percent(matched, total),
  });
  const branchText = [...branches.entries()].sort((a, b) => b[1] - a[1]).map(([b, n]) =>
    `${b} ${percent(n, total)}`
  ).join(", ");
  return new Figure({
    name: `routing_matches_${data.id}`,
    title: options.title ?? `Intended vs final routing decisions (${strategyOf(data)})`,
    subtitle: `Run ${data.id}: ${total.toLocaleString("en-US")} decisions, ${
      percent(matched, total)
    } routed where the strategy first intended.`,
    notes: [`Branches taken: ${branchText}.`],
    table: {
      columns: [
        { key: "replica", label: "Replica" },
        { key: "intended", label: "Intended", align: "right" },
        { key: "final", label: "Final", align: "right" },
        { key: "matched", label: "Matched", align: "right" },
        { key: "rerouted", label: "Rerouted to it", align: "right" },
        { key: "matchRate", label: "Match rate", align: "right" },
      ],
      rows,
    },
  }, rows);
}
