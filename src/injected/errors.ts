// Errors the page gets from MediaGate, of the classes the browser's own API would throw.
import { NativeError } from './native';

// Firefox 153 exposes no OverconstrainedError (its errors come from a hidden interface): never name the
// global bare, or the whole bundle would fail to load there.
const Overconstrained = (window as { OverconstrainedError?: typeof OverconstrainedError }).OverconstrainedError;

/** Firefox has no OverconstrainedError global (its own errors come from a hidden interface). */
export const hasOverconstrainedError = !!Overconstrained;

export function overconstrained(constraint: string, message: string): Error {
  if (Overconstrained) return new Overconstrained(constraint, message);
  // Plain assignments: a page setter on Error.prototype would only learn what the page gets anyway.
  const e = new NativeError(message) as Error & { constraint: string };
  e.name = 'OverconstrainedError';
  e.constraint = constraint;
  return e;
}
