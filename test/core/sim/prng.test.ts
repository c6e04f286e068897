import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Prng, SplitMix64 } from '../../../src/core/sim/prng.js';
import { fcParams } from '../../support/seed.js';

/** Pearson chi-square statistic of observed counts against equal expected counts. */
function chiSquare(counts: readonly number[], total: number): number {
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + ((c - expected) ** 2) / expected, 0);
}

function draws(prng: Prng, n: number): number[] {
  return Array.from({ length: n }, () => prng.nextU32());
}

describe('SplitMix64 known answers (splitmix64.c, via rand_xoshiro splitmix64.rs)', () => {
  it('reproduces the first outputs of seed 1477776061723855037', () => {
    const sm = new SplitMix64(1477776061723855037n);
    const expected = [1985237415132408290n, 2979275885539914483n, 13511426838097143398n, 8488337342461049707n, 15141737807933549159n,
      17093170987380407015n, 16389528042912955399n, 13177319091862933652n, 10841969400225389492n, 17094824097954834098n];
    for (const e of expected) expect(sm.nextU64()).toBe(e);
  });
});

describe('Prng (xoshiro128**)', () => {
  it('matches the reference implementation from state {1, 2, 3, 4} (xoshiro128starstar.c v1.1)', () => {
    const prng = Prng.fromState([1, 2, 3, 4]);
    expect(draws(prng, 10)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
  });

  it('seeds through SplitMix64: state words are the low/high halves of its first two outputs', () => {
    const sm = new SplitMix64(42n);
    const a = sm.nextU64();
    const b = sm.nextU64();
    const words = [a & 0xffffffffn, a >> 32n, b & 0xffffffffn, b >> 32n].map(Number);
    expect(new Prng(42).state()).toEqual(words);
  });

  it('takes negative seeds as 64-bit two\'s complement and rejects unsafe ones', () => {
    const sm = new SplitMix64((1n << 64n) - 1n);
    const a = sm.nextU64();
    expect(new Prng(-1).state()[0]).toBe(Number(a & 0xffffffffn));
    expect(() => new Prng(0.5)).toThrow(RangeError);
    expect(() => new Prng(2 ** 53)).toThrow(RangeError);
  });

  it('is deterministic: equal seeds give equal streams, different seeds differ', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (seed) => {
      expect(draws(new Prng(seed), 20)).toEqual(draws(new Prng(seed), 20));
      expect(draws(new Prng(seed), 4)).not.toEqual(draws(new Prng(seed + 1), 4));
    }), fcParams('prng determinism', 500));
  });

  it('snapshots and resumes the exact stream', () => {
    fc.assert(fc.property(fc.integer(), fc.nat(50), (seed, skip) => {
      const prng = new Prng(seed);
      for (let i = 0; i < skip; i++) prng.nextGaussian();
      const copy = Prng.fromState(prng.state());
      expect([prng.nextFloat(), prng.nextInt(1000), prng.nextGaussian()]).toEqual([copy.nextFloat(), copy.nextInt(1000), copy.nextGaussian()]);
    }), fcParams('prng snapshot', 300));
  });

  it('rejects bad snapshots', () => {
    expect(() => Prng.fromState([0, 0, 0, 0])).toThrow(RangeError);
    expect(() => Prng.fromState([1, 2, 3])).toThrow(RangeError);
    expect(() => Prng.fromState([1, 2, 3, 2 ** 32])).toThrow(RangeError);
    expect(() => Prng.fromState([1, 2, 3, -1])).toThrow(RangeError);
  });

  it('keeps every helper in its documented range', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 53 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (seed, bound, min, span) => {
      const prng = new Prng(seed);
      for (let i = 0; i < 20; i++) {
        const u = prng.nextU32();
        expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
        const f = prng.nextFloat();
        expect(f >= 0 && f < 1).toBe(true);
        const n = prng.nextInt(bound);
        expect(Number.isInteger(n) && n >= 0 && n < bound).toBe(true);
        const max = min + span;
        const r = prng.nextRange(min, max);
        expect(r >= min && (max === min || r < max)).toBe(true);
        expect(Number.isFinite(prng.nextGaussian())).toBe(true);
      }
      expect(prng.nextBool(0)).toBe(false);
      expect(prng.nextBool(1)).toBe(true);
    }), fcParams('prng ranges', 300));
  });

  it('rejects bad arguments as programmer errors', () => {
    const prng = new Prng(1);
    expect(() => prng.nextInt(0)).toThrow();
    expect(() => prng.nextInt(1.5)).toThrow();
    expect(() => prng.nextInt(2 ** 53 + 2)).toThrow();
    expect(() => prng.nextRange(2, 1)).toThrow();
    expect(() => prng.nextBool(1.1)).toThrow();
    expect(() => prng.fork(0.5)).toThrow();
  });
});

describe('Prng distributions (fixed seeds: deterministic, not flaky)', () => {
  it('nextInt(10) passes a chi-square test (df 9, p = 0.001 critical 27.88)', () => {
    const prng = new Prng(20240601);
    const counts = new Array<number>(10).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[prng.nextInt(10)]! += 1;
    expect(chiSquare(counts, n)).toBeLessThan(27.88);
  });

  it('nextInt with a bound just over 2^31 is unbiased between halves (modulo bias would show)', () => {
    const prng = new Prng(7);
    const bound = 3 * 2 ** 30; // plain u32 % bound would put 2/3 of draws below 2^30 instead of 1/3
    let low = 0;
    const n = 60_000;
    for (let i = 0; i < n; i++) if (prng.nextInt(bound) < 2 ** 30) low++;
    expect(Math.abs(low / n - 1 / 3)).toBeLessThan(0.01);
  });

  it('nextFloat fills 20 bins evenly and every byte of nextU32 is uniform (chi-square)', () => {
    const prng = new Prng(99);
    const bins = new Array<number>(20).fill(0);
    const bytes = new Array<number>(256).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      bins[Math.floor(prng.nextFloat() * 20)]! += 1;
      bytes[prng.nextU32() >>> 24]! += 1;
    }
    expect(chiSquare(bins, n)).toBeLessThan(43.82); // df 19, p = 0.001
    expect(chiSquare(bytes, n)).toBeLessThan(330.5); // df 255, p = 0.001
  });

  it('nextGaussian has mean 0, variance 1 and normal tail mass', () => {
    const prng = new Prng(12345);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const x = prng.nextGaussian();
      sum += x;
      sumSq += x * x;
      if (Math.abs(x) > 2) beyond2++;
    }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.015); // 4.7 standard errors
    expect(Math.abs(sumSq / n - mean * mean - 1)).toBeLessThan(0.03);
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.004);
  });

  it('nextBool(p) hits p', () => {
    const prng = new Prng(5);
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (prng.nextBool(0.3)) hits++;
    expect(Math.abs(hits / 100_000 - 0.3)).toBeLessThan(0.006);
  });
});

describe('Prng.fork', () => {
  it('is deterministic and does not advance the parent', () => {
    const parent = new Prng(77);
    const before = parent.state();
    expect(draws(parent.fork(3), 8)).toEqual(draws(parent.fork(3), 8));
    expect(parent.state()).toEqual(before);
    expect(draws(new Prng(77).fork(3), 8)).toEqual(draws(parent.fork(3), 8));
  });

  it('gives distinct streams per key and per parent state', () => {
    const parent = new Prng(77);
    const heads = new Set<number>();
    for (let k = 0; k < 1000; k++) heads.add(parent.fork(k).nextU32());
    heads.add(new Prng(77).nextU32());
    expect(heads.size).toBe(1001);
    const advanced = new Prng(77);
    advanced.nextU32();
    expect(draws(advanced.fork(3), 4)).not.toEqual(draws(parent.fork(3), 4));
  });

  it('sub-streams are uncorrelated with the parent and with each other (fixed seed)', () => {
    const parent = new Prng(2024);
    const a = parent.fork(1);
    const b = parent.fork(2);
    const n = 50_000;
    const xs = Array.from({ length: n }, () => parent.nextFloat() - 0.5);
    const ys = Array.from({ length: n }, () => a.nextFloat() - 0.5);
    const zs = Array.from({ length: n }, () => b.nextFloat() - 0.5);
    const corr = (u: number[], v: number[]): number => u.reduce((s, x, i) => s + x * v[i]!, 0) / (n / 12);
    // |r| of independent uniforms has standard error 1/sqrt(n) = 0.0045; 0.02 is 4.5 sigma.
    expect(Math.abs(corr(xs, ys))).toBeLessThan(0.02);
    expect(Math.abs(corr(ys, zs))).toBeLessThan(0.02);
    expect(Math.abs(corr(xs, zs))).toBeLessThan(0.02);
  });
});
