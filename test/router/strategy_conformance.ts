/**
 * The shared contract every routing strategy must meet (STYLE.md §10 item 20), run by each
 * strategy's test file: it picks only from the given workers, copes with a single worker and with
 * a worker removed mid-run, repeats its choices for the same seed, and its hooks stay balanced
 * (every routed request finishes, load returns to zero) under random completions, failures and
 * first tokens. Method: a RouterCore on a VirtualClock, a seeded shared-prefix workload.
 */
import assert from "node:assert/strict";
import { VirtualClock } from "../../lib/core/clock.ts";
import { createRng, type Rng } from "../../lib/core/rng.ts";
import { RouterCore } from "../../lib/router/router_core.ts";
import {
  createRouteRequest,
  type RouteRequest,
  type RoutingStrategy,
  type StrategyDeps,
  type WorkerView,
} from "../../lib/router/strategy.ts";

/** What a strategy test passes to {@linkcode runStrategyConformance}. */
export interface ConformanceOptions {
  /** Name used in test titles. */
  name: string;
  create(deps: StrategyDeps): RoutingStrategy;
  /** Cases to skip, each with a reason. */
  skip?: { test: string; reason: string }[];
}

const WORKERS = ["http://w0", "http://w1", "http://w2", "http://w3"];

/** A seeded workload of conversations that share system prompts and grow turn by turn. */
export function sharedPrefixRequests(rng: Rng, count: number): RouteRequest[] {
  const systems = ["You are a helpful assistant. ".repeat(8), "Answer briefly and cite sources. ".repeat(6)];
  const conversations: string[] = [];
  const requests: RouteRequest[] = [];
  for (let i = 0; i < count; i++) {
    if (conversations.length < 6 || rng.float() < 0.2) {
      conversations.push(rng.pick(systems) + `user ${i}: hello.`);
    }
    const index = rng.int(0, conversations.length - 1);
    conversations[index] += ` turn ${i} asks about topic ${rng.int(0, 50)} in some detail.`;
    requests.push(createRouteRequest(`r${i}`, conversations[index]!));
  }
  return requests;
}

function views(ids: readonly string[], load: (id: string) => number = () => 0): WorkerView[] {
  return ids.map((id) => ({ id, inFlight: load(id), routedTotal: 0 }));
}

/** Registers the conformance tests for one strategy. */
export function runStrategyConformance(options: ConformanceOptions): void {
  const skipped = new Map((options.skip ?? []).map((entry) => [entry.test, entry.reason]));
  const test = (title: string, fn: () => void): void => {
    const reason = skipped.get(title);
    Deno.test({
      name: `${options.name} conformance: ${title}${reason ? ` (skipped: ${reason})` : ""}`,
      ignore: reason !== undefined,
      fn,
    });
  };
  const deps = (seed = 1): StrategyDeps => ({ clock: new VirtualClock(), rng: createRng(seed) });

  test("select() returns one of the given workers, with a branch and sane figures", () => {
    const strategy = options.create(deps());
    const rng = createRng(2);
    for (const request of sharedPrefixRequests(rng, 200)) {
      const subset = WORKERS.filter(() => rng.float() < 0.7);
      const workers = views(subset.length > 0 ? subset : [WORKERS[0]!], () => rng.int(0, 20));
      const selection = strategy.select(request, workers);
      assert.ok(workers.some((worker) => worker.id === selection.worker), `chose ${selection.worker}`);
      assert.ok(selection.branch.length > 0);
      if (selection.matchRate !== undefined) assert.ok(selection.matchRate >= 0 && selection.matchRate <= 1);
      for (const candidate of selection.candidates ?? []) {
        assert.ok(workers.some((worker) => worker.id === candidate.backend));
      }
      strategy.onRouted?.(request, selection.worker);
      strategy.onFinished?.(request, selection.worker, { ok: true });
    }
    strategy.dispose?.();
  });

  test("select() handles a single worker", () => {
    const strategy = options.create(deps());
    for (const request of sharedPrefixRequests(createRng(3), 20)) {
      assert.equal(strategy.select(request, views(["http://only"])).worker, "http://only");
      strategy.onRouted?.(request, "http://only");
      strategy.onFinished?.(request, "http://only", { ok: true });
    }
    strategy.dispose?.();
  });

  test("a worker removed mid-run is never chosen again and its in-flight requests still finish", () => {
    const strategy = options.create(deps());
    const requests = sharedPrefixRequests(createRng(4), 60);
    const open: [RouteRequest, string][] = [];
    for (const request of requests.slice(0, 30)) {
      const worker = strategy.select(request, views(WORKERS)).worker;
      strategy.onRouted?.(request, worker);
      open.push([request, worker]);
    }
    strategy.onWorkerRemoved?.("http://w1");
    const remaining = WORKERS.filter((id) => id !== "http://w1");
    for (const request of requests.slice(30)) {
      const worker = strategy.select(request, views(remaining)).worker;
      assert.notEqual(worker, "http://w1");
      strategy.onRouted?.(request, worker);
      open.push([request, worker]);
    }
    for (const [request, worker] of open) strategy.onFinished?.(request, worker, { ok: true });
    strategy.onWorkerAdded?.("http://w1");
    const back = strategy.select(requests[0]!, views(WORKERS)).worker;
    assert.ok(WORKERS.includes(back));
    strategy.dispose?.();
  });

  test("the same seed repeats the same choices", () => {
    const run = (): string[] => {
      const result = simulate(options.create(deps(9)), 9, 150);
      return result.choices;
    };
    assert.deepEqual(run(), run());
  });

  test("hooks stay balanced: load returns to zero after successes, failures and aborts", () => {
    const strategy = options.create(deps(5));
    const result = simulate(strategy, 5, 300);
    assert.equal(result.inFlightAfter, 0);
    assert.equal(result.finished, 300);
  });
}

/**
 * Drives `strategy` through a RouterCore on a virtual clock: requests arrive every 5 ms, get a
 * first token after 10–60 ms and finish 20–200 ms later; 10% fail before their first token.
 */
export function simulate(strategy: RoutingStrategy, seed: number, count: number): {
  choices: string[];
  inFlightAfter: number;
  finished: number;
} {
  const clock = new VirtualClock();
  const rng = createRng(seed).fork("simulate");
  const core = new RouterCore({ strategy, backends: WORKERS, clock });
  const choices: string[] = [];
  let finished = 0;
  sharedPrefixRequests(rng, count).forEach((request, i) => {
    clock.setTimer(i * 5, () => {
      const ticket = core.route(request)!;
      choices.push(ticket.backend);
      if (rng.float() < 0.1) {
        clock.setTimer(clock.nowMs() + rng.int(1, 30), () => {
          ticket.finish({ ok: false, errorKind: rng.pick(["upstream_error", "client_abort", "timeout"]) });
          finished++;
        });
        return;
      }
      const firstMs = clock.nowMs() + rng.int(10, 60);
      clock.setTimer(firstMs, () => ticket.firstToken());
      clock.setTimer(firstMs + rng.int(20, 200), () => {
        ticket.finish({ ok: true, promptTokens: request.tokens().length, cachedTokens: rng.int(0, 16) });
        finished++;
      });
    });
  });
  while (clock.runNext()) {
    if (clock.nowMs() > 60_000) break; // strategies' periodic timers keep the queue non-empty
  }
  const inFlightAfter = [...core.inFlight().values()].reduce((a, b) => a + b, 0);
  core.close();
  return { choices, inFlightAfter, finished };
}
