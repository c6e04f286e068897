/**
 * The seeded pseudo-random number generator of every simulation, fault plan and campaign
 * (DESIGN.md: "every simulated run is a pure function of its configuration and seed").
 *
 * Algorithm: xoshiro128** 1.1 by David Blackman and Sebastiano Vigna (2018), 128 bits of
 * state in four 32-bit words, period 2^128 − 1, public-domain reference implementation
 * https://prng.di.unimi.it/xoshiro128starstar.c. It is native to 32-bit integer arithmetic
 * (Math.imul, >>>), so it runs without BigInt and without allocation per call.
 *
 * Seeding: the seed goes through SplitMix64 (https://prng.di.unimi.it/splitmix64.c, the
 * seeding the xoshiro authors recommend); its first two 64-bit outputs, each split into low
 * then high 32-bit halves, are the state words s0..s3. SplitMix64 is a bijection of its
 * counter, so two consecutive outputs are never both zero: the all-zero state cannot arise.
 *
 * Known-answer tests (test/core/sim/prng.test.ts) use the vectors that the Rand project
 * (rust-random/rngs, rand_xoshiro, xoshiro128starstar.rs and splitmix64.rs) produced with
 * the reference C code: state {1, 2, 3, 4} → 11520, 0, 5927040, 70819200, 2031721883, …
 */
import { assert } from '../assert.js';

const MASK64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;
/** Salt that separates fork keys from seeds (arbitrary odd constant, fixed forever). */
const FORK_SALT = 0x5851f42d4c957f2dn;
const TWO_POW_26 = 67_108_864;
const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 9_007_199_254_740_992;
/** Rejection sampling rejects with probability < 1/2 per draw; 64 rejections in a row is p < 2^-64. */
const REJECTION_DRAWS_MAX = 64;

/** The SplitMix64 output function (the MurmurHash3 finaliser variant of splitmix64.c). */
export function mix64(value: bigint): bigint {
  let z = value & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** SplitMix64 as in splitmix64.c. Used for seeding only (BigInt, not on any hot path). */
export class SplitMix64 {
  private x: bigint;

  constructor(seed: bigint) {
    this.x = seed & MASK64;
  }

  nextU64(): bigint {
    this.x = (this.x + GOLDEN_GAMMA) & MASK64;
    return mix64(this.x);
  }
}

function lowWord(value: bigint): number {
  return Number(value & 0xffffffffn);
}

function highWord(value: bigint): number {
  return Number((value >> 32n) & 0xffffffffn);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * xoshiro128** with helpers for the distributions the simulation needs. One instance is one
 * deterministic stream; use `fork(n)` for independent sub-streams (one per sensor, per
 * channel, per campaign run) so that adding draws to one consumer never shifts another.
 */
export class Prng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /**
   * @param seed any safe integer (negative seeds are taken as 64-bit two's complement), so a
   * printed uint32 seed, a run index or a hash fits. Equal seeds give equal streams forever.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`PRNG seed must be a safe integer, got ${seed}`);
    this.seedFrom64(BigInt(seed));
  }

  /** Restores a snapshot taken with `state()`: four uint32 words, not all zero. */
  static fromState(words: readonly number[]): Prng {
    if (words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new RangeError('PRNG state must be four uint32 words');
    }
    const [s0 = 0, s1 = 0, s2 = 0, s3 = 0] = words;
    if ((s0 | s1 | s2 | s3) === 0) throw new RangeError('PRNG state must not be all zero');
    const prng = new Prng(0);
    prng.s0 = s0 | 0;
    prng.s1 = s1 | 0;
    prng.s2 = s2 | 0;
    prng.s3 = s3 | 0;
    return prng;
  }

  /** The four state words as uint32 (a snapshot; `Prng.fromState` resumes the stream exactly). */
  state(): readonly number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Next 32-bit output of xoshiro128**, as an unsigned integer in [0, 2^32). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits (two draws: 27 high bits and 26 low bits). */
  nextFloat(): number {
    return this.nextU53() / TWO_POW_53;
  }

  /**
   * Uniform integer in [0, maxExclusive), unbiased (rejection sampling). `maxExclusive` is an
   * integer from 1 to 2^53; up to 2^32 it costs one draw (rarely more), above that two.
   */
  nextInt(maxExclusive: number): number {
    if (!(Number.isInteger(maxExclusive) && maxExclusive >= 1 && maxExclusive <= TWO_POW_53)) assert(false, `nextInt bound must be an integer in [1, 2^53], got ${maxExclusive}`);
    const wide = maxExclusive > TWO_POW_32;
    const range = wide ? TWO_POW_53 : TWO_POW_32;
    const limit = range - (range % maxExclusive);
    for (let draw = 0; draw < REJECTION_DRAWS_MAX; draw++) {
      const r = wide ? this.nextU53() : this.nextU32();
      if (r < limit) return r % maxExclusive;
    }
    assert(false, 'nextInt: rejection sampling did not terminate (broken generator)');
  }

  /** Uniform float in [min, max); `min === max` returns `min`. */
  nextRange(min: number, max: number): number {
    if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) assert(false, `nextRange needs finite min <= max, got ${min}, ${max}`);
    const value = min + (max - min) * this.nextFloat();
    return value < max ? value : min; // rounding can land on max when the span is huge
  }

  /**
   * Standard normal N(0, 1) by the Box–Muller transform, one value per call from exactly four
   * 32-bit draws (the sine partner is discarded, so snapshots need no cached value and every
   * call consumes the same amount of the stream).
   */
  nextGaussian(): number {
    const u1 = 1 - this.nextFloat(); // (0, 1]: log is finite
    const u2 = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** True with probability `p` (p = 0 never, p = 1 always). One float draw. */
  nextBool(p: number): boolean {
    if (!(p >= 0 && p <= 1)) assert(false, `nextBool probability must be in [0, 1], got ${p}`);
    return this.nextFloat() < p;
  }

  /**
   * A deterministic, statistically independent sub-stream keyed by `stream` (any safe
   * integer). The child is seeded through SplitMix64 from a hash of this generator's current
   * state and `stream`; the parent is not advanced, so `fork(k)` at the same point always
   * returns the same child, and different `k` give unrelated streams.
   */
  fork(stream: number): Prng {
    if (!Number.isSafeInteger(stream)) assert(false, `fork stream must be a safe integer, got ${stream}`);
    const low = (BigInt(this.s1 >>> 0) << 32n) | BigInt(this.s0 >>> 0);
    const high = (BigInt(this.s3 >>> 0) << 32n) | BigInt(this.s2 >>> 0);
    const key = mix64(low ^ mix64(high ^ mix64((BigInt(stream) + FORK_SALT) & MASK64)));
    const child = new Prng(0);
    child.seedFrom64(key);
    return child;
  }

  private nextU53(): number {
    const high = this.nextU32() >>> 5;
    const low = this.nextU32() >>> 6;
    return high * TWO_POW_26 + low;
  }

  private seedFrom64(seed: bigint): void {
    const splitMix = new SplitMix64(seed);
    const first = splitMix.nextU64();
    const second = splitMix.nextU64();
    this.s0 = lowWord(first) | 0;
    this.s1 = highWord(first) | 0;
    this.s2 = lowWord(second) | 0;
    this.s3 = highWord(second) | 0;
    assert((this.s0 | this.s1 | this.s2 | this.s3) !== 0, 'SplitMix64 produced an all-zero state');
  }
}
