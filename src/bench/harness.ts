/**
 * Benchmark harness for `npm run bench`. Benchmarks are not tests: they print figures and
 * never fail on speed. Each suite registers cases; `--json` prints one JSON object per line
 * with at least `name`, `impl`, and the suite's figures (e.g. `mbPerS`, `nsPerOp`).
 */
export interface BenchResult {
  readonly name: string;
  readonly impl: string;
  readonly [figure: string]: string | number | boolean;
}

export interface BenchSuite {
  readonly name: string;
  run(report: (result: BenchResult) => void, options: BenchOptions): Promise<void> | void;
}

export interface BenchOptions {
  /** Scale factor for iteration counts (`--quick` sets 0.1). */
  readonly scale: number;
}

/** Runs `fn` repeatedly until at least `minMillis` of wall time has passed; returns ns per call (best of `rounds`). */
export function timeIt(fn: () => void, minMillis = 300, rounds = 5): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    let elapsedNs = 0n;
    while (elapsedNs < BigInt(minMillis) * 1_000_000n) {
      fn();
      calls++;
      elapsedNs = process.hrtime.bigint() - start;
    }
    best = Math.min(best, Number(elapsedNs) / calls);
  }
  return best;
}

/** Megabytes (10^6 bytes) per second for `bytes` processed in `nsPerCall`. */
export function mbPerS(bytes: number, nsPerCall: number): number {
  return Math.round((bytes / nsPerCall) * 1000 * 100) / 100;
}
