/**
 * Teardown on SIGINT/SIGTERM: every fleet that is up is stopped (children's process groups killed)
 * before the process exits, so Ctrl-C never leaves servers behind. Scripts opt in with
 * {@linkcode installSignalTeardown}; notebooks don't (a kernel interrupt must not kill the kernel),
 * and rely on the children's parent watchdog instead.
 * @module
 */

/** Something that can be stopped on a signal. */
export interface Stoppable {
  stop(): Promise<void>;
}

const live = new Set<Stoppable>();
let installed = false;
let stopping = false;
const callbacks: Array<(signal: Deno.Signal) => void> = [];

/** Tracks `item` until {@linkcode untrack} is called for it. */
export function track(item: Stoppable): void {
  live.add(item);
}

/** Stops tracking `item`. */
export function untrack(item: Stoppable): void {
  live.delete(item);
}

/**
 * On SIGINT or SIGTERM: calls `onSignal` callbacks, stops every tracked fleet, then exits with 130
 * (SIGINT) or 143 (SIGTERM). A second signal while stopping exits at once.
 */
export function installSignalTeardown(onSignal?: (signal: Deno.Signal) => void): void {
  if (onSignal) callbacks.push(onSignal);
  if (installed) return;
  installed = true;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => void handle(signal));
  }
}

async function handle(signal: Deno.Signal): Promise<void> {
  const code = signal === "SIGINT" ? 130 : 143;
  if (stopping) Deno.exit(code);
  stopping = true;
  for (const callback of callbacks) callback(signal);
  await Promise.allSettled([...live].map((item) => item.stop()));
  Deno.exit(code);
}
