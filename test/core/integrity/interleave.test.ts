import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Interleaver, paddedWordCount } from '../../../src/core/integrity/interleave.js';
import { fcParams } from '../../support/seed.js';

describe('Interleaver', () => {
  it('factor 1 is the plain layout', () => {
    const il = new Interleaver(39, 1, 4);
    expect(il.physicalBits).toBe(156);
    expect([il.wordOf(0), il.bitOf(0), il.wordOf(38), il.bitOf(38), il.wordOf(39), il.bitOf(39)]).toEqual([0, 0, 0, 38, 1, 0]);
  });

  it('interleaves bit by bit within a group of k words', () => {
    const il = new Interleaver(72, 4, 8);
    // group 0: p0 → w0 b0, p1 → w1 b0, p2 → w2 b0, p3 → w3 b0, p4 → w0 b1 ...
    expect([0, 1, 2, 3, 4].map((p) => [il.wordOf(p), il.bitOf(p)])).toEqual([[0, 0], [1, 0], [2, 0], [3, 0], [0, 1]]);
    expect([il.wordOf(288), il.bitOf(288)]).toEqual([4, 0]); // first bit of group 1
  });

  it('physicalOf is the inverse of (wordOf, bitOf) and the map is a bijection', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 5 }), fc.constantFrom(39, 72), (k, groups, n) => {
      const il = new Interleaver(n, k, k * groups);
      const seen = new Set<number>();
      for (let p = 0; p < il.physicalBits; p++) {
        const w = il.wordOf(p);
        const b = il.bitOf(p);
        expect(il.physicalOf(w, b)).toBe(p);
        seen.add(w * n + b);
      }
      expect(seen.size).toBe(il.physicalBits);
    }), fcParams('interleave bijection', 40));
  });

  it('puts any k adjacent physical bits in k different words', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(39, 72), fc.nat(), (k, groups, n, seed) => {
      const il = new Interleaver(n, k, k * groups);
      const start = seed % (il.physicalBits - k + 1);
      const words = new Set<number>();
      for (let p = start; p < start + k; p++) words.add(il.wordOf(p));
      expect(words.size).toBe(k);
    }), fcParams('interleave burst spread', 2000));
  });

  it('pads the word count to a multiple of the factor', () => {
    expect(paddedWordCount(0, 8, 4)).toBe(0);
    expect(paddedWordCount(1, 8, 4)).toBe(4);
    expect(paddedWordCount(33, 8, 4)).toBe(8);
    expect(paddedWordCount(32, 4, 1)).toBe(8);
    expect(() => new Interleaver(72, 3, 4)).toThrow(/multiple/);
  });
});
