/**
 * Assertions for programmer errors (STYLE.md habit 5). They stay on in production: a broken
 * invariant in flight software must stop the component loudly, not compute on.
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: boolean, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Exhaustive switch helper: the compiler proves this is unreachable. */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${String(value)}`);
}
