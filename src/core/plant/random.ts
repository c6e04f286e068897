/**
 * What the plant and sensor models need from the seeded PRNG (src/core/sim/prng.ts `Prng`
 * satisfies it structurally). Normal deviates are drawn from it with the Ziggurat method
 * (./gaussian.ts), which is several times cheaper than Box–Muller on the per-cycle path. Each
 * model owns one stream, forked from the run's root PRNG with its stream id (src/core/sim/streams.ts,
 * the one table of stream ids), so adding draws in one model never shifts another model's sequence.
 */
export interface RandomStream {
  /** Uniform integer in [0, 2^32). */
  nextU32(): number;
  /** Uniform in [0, 1). */
  nextFloat(): number;
}
