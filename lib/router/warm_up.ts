/**
 * Start-up warm-up of the router's code: synthetic requests through a private routing core and
 * strategy (same strategy and parameters) on a {@linkcode VirtualClock}, so the served router's
 * first decisions run optimized code instead of V8's interpreter (a cold predicted_latency decision
 * took ~0.9 ms against ~0.25 ms warm). The served router's strategy state, metrics and decision log
 * are untouched: nothing it routes is affected by what the warm-up routed.
 * @module
 */
import { VirtualClock } from "../core/clock.ts";
import { createRng } from "../core/rng.ts";
import type { RouterConfig } from "./config.ts";
import { RouterMetrics } from "./metrics.ts";
import { promptTextOf } from "./request_body.ts";
import { createStrategy } from "./registry.ts";
import { RouterCore } from "./router_core.ts";
import { createRouteRequest } from "./strategy.ts";
import { findUsage } from "./usage_sniffer.ts";
import { syntheticText } from "../core/tokens.ts";

/** Routes `requests` synthetic requests through a private core built from `config`, in virtual time. */
export function warmUpRouter(config: RouterConfig, requests = config.warmUpRequests): void {
  const clock = new VirtualClock();
  const strategy = createStrategy(config.strategy, config.strategyConfig, {
    clock,
    rng: createRng(config.seed).fork("warm-up"),
  });
  const core = new RouterCore({ strategy, backends: config.backends, clock, metrics: new RouterMetrics() });
  const rng = createRng(config.seed).fork("warm-up-prompts");
  const prefixes = Array.from({ length: 8 }, () => syntheticText(rng, rng.int(16, 4000)));
  const open: Array<{ finish: () => void; firstToken: () => void }> = [];
  for (let i = 0; i < requests; i++) {
    const prompt = `${prefixes[i % prefixes.length]} ${syntheticText(rng, rng.int(1, 4000))}`;
    const chat = i % 2 === 0;
    const body = JSON.parse(JSON.stringify(
      chat
        ? { model: "m", messages: [{ role: "user", content: prompt }], stream: true }
        : { model: "m", prompt },
    ));
    const text = promptTextOf(chat ? "chat" : "completions", body);
    if (!text.ok) throw new Error(`warm-up request rejected: ${text.message}`);
    const ticket = core.route(createRouteRequest(`warm-up-${i}`, text.text));
    if (ticket === undefined) break;
    const usage = findUsage(
      `data: {"usage":{"prompt_tokens":${ticket.request.tokens().length},"completion_tokens":8,` +
        `"prompt_tokens_details":{"cached_tokens":${16 * rng.int(0, 8)}}}}\n\ndata: [DONE]\n\n`,
    );
    open.push({
      firstToken: () => ticket.firstToken(),
      finish: () => ticket.finish({ ok: true, ...usage }),
    });
    // Keep a few dozen requests in flight, so load-aware scores differ between backends.
    clock.runUntil(clock.nowMs() + 3);
    if (open.length > 24) {
      const done = open.splice(rng.int(0, open.length - 1), 1)[0]!;
      done.firstToken();
      clock.runUntil(clock.nowMs() + 2);
      done.finish();
    }
  }
  for (const request of open) {
    request.firstToken();
    request.finish();
  }
  core.close();
}
