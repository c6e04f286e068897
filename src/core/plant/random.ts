/**
 * What the plant and sensor models need from the seeded PRNG (src/core/sim/prng.ts `Prng`
 * satisfies it structurally). Normal deviates are drawn from it with the Ziggurat method
 * (./gaussian.ts), which is several times cheaper than Box–Muller on the per-cycle path. Each model owns one stream, forked from the run's root PRNG with
 * the stream ids below, so adding draws in one model never shifts another model's sequence.
 */
export interface RandomStream {
  /** Uniform integer in [0, 2^32). */
  nextU32(): number;
  /** Uniform in [0, 1). */
  nextFloat(): number;
}

/** Stream id for the plant's gust generator: `root.fork(PLANT_GUST_STREAM)`. */
export const PLANT_GUST_STREAM = 100;
/** Stream id of IMU i (0, 1, 2): `root.fork(IMU_STREAM_BASE + i)`. */
export const IMU_STREAM_BASE = 101;
