/**
 * Internal invariants. A failed invariant is a bug in routebench, never a user error: it is not
 * meant to be caught. User input is validated at the boundary with TypeError/RangeError instead.
 * @module
 */

/** Thrown when an internal invariant does not hold. */
export class InvariantError extends Error {
  override name = "InvariantError";
}

/** Throws {@linkcode InvariantError} with `message` unless `condition` holds. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}
