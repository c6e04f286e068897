import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { midValueSelect, persistenceStep, sortSmall, thresholdFromNoise } from '../../../src/core/vote/select.js';
import { fcParams } from '../../support/seed.js';

describe('mid-value select', () => {
  it('median of 3, mean of the middle two of 4, mean of 2, identity of 1', () => {
    expect(midValueSelect(Float64Array.of(3, -1, 2), 3)).toBe(2);
    expect(midValueSelect(Float64Array.of(9, 1, 2, 4), 4)).toBe(3);
    expect(midValueSelect(Float64Array.of(1, 2), 2)).toBe(1.5);
    expect(midValueSelect(Float64Array.of(-7), 1)).toBe(-7);
    expect(() => midValueSelect(new Float64Array(5), 5)).toThrow(/bad count/);
  });

  it('sorts any 0..4 finite values and stays within the range of all but one arbitrary value', () => {
    const values = fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 3, maxLength: 4 });
    fc.assert(fc.property(values, fc.double({ min: -1e300, max: 1e300, noNaN: true }), fc.nat(3), (healthy, wild, slot) => {
      const all = [...healthy];
      all[slot % all.length] = wild;
      const honest = healthy.filter((_, i) => i !== slot % healthy.length);
      const sorted = Float64Array.from(all);
      sortSmall(sorted, sorted.length);
      expect([...sorted]).toEqual([...all].sort((a, b) => a - b));
      const mid = midValueSelect(Float64Array.from(all), all.length);
      expect(mid).toBeGreaterThanOrEqual(Math.min(...honest));
      expect(mid).toBeLessThanOrEqual(Math.max(...honest));
    }), fcParams('mid-value select property', 5_000));
  });
});

describe('persistence counter', () => {
  it('counts up on miscompare, saturates at trip, decays on agreement', () => {
    let n = 0;
    for (let i = 0; i < 7; i++) n = persistenceStep(n, true, 5, 1);
    expect(n).toBe(5);
    n = persistenceStep(n, false, 5, 1);
    expect(n).toBe(4);
    expect(persistenceStep(3, false, 5, 5)).toBe(0);
    expect(persistenceStep(0, false, 5, 1)).toBe(0);
  });
});

describe('thresholdFromNoise', () => {
  it('is k·σ·√2 plus one quantum', () => {
    expect(thresholdFromNoise(0.01, 0.001)).toBeCloseTo(6 * 0.01 * Math.SQRT2 + 0.001, 12);
    expect(thresholdFromNoise(1, 0, 3)).toBeCloseTo(3 * Math.SQRT2, 12);
  });
});
