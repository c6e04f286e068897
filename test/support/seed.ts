/**
 * Seeds for randomised tests. Every randomised test prints its seed (STYLE.md habit 10) so a
 * failure can be replayed alone: TRIPLEX_SEED=<seed> npx vitest run <file>.
 */
import fc from 'fast-check';

export function testSeed(label: string): number {
  const fromEnv = process.env.TRIPLEX_SEED;
  const seed = fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : (Date.now() ^ (process.pid << 16)) >>> 0;
  process.stdout.write(`[seed] ${label}: ${seed} (replay with TRIPLEX_SEED=${seed})\n`);
  return seed;
}

/** Number of cases for fuzz properties: 100,000 in `npm test`, more under `npm run fuzz`. */
export function fuzzRuns(): number {
  const fromEnv = process.env.TRIPLEX_FUZZ_RUNS;
  return fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : 100_000;
}

/** fast-check parameters with a printed seed. */
export function fcParams(label: string, numRuns?: number): fc.Parameters<unknown> {
  const seed = testSeed(label);
  return numRuns === undefined ? { seed } : { seed, numRuns };
}
