/**
 * Errors a user caused (bad flags, bad input files). The CLI prints the message as one line
 * on stderr and exits 2; no stack trace. Anything else is a bug and keeps its stack.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes are a contract (DESIGN.md): 0 success, 1 a check found a failure, 2 bad usage or input. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
