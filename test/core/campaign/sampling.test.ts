import { describe, expect, it } from 'vitest';
import { confidenceCutoff, leveugleSampleSize, normalQuantile, wilsonInterval } from '../../../src/core/campaign/sampling.js';

describe('normal quantile', () => {
  it('matches tabulated cut-off points', () => {
    expect(confidenceCutoff(0.95)).toBeCloseTo(1.959964, 5);
    expect(confidenceCutoff(0.99)).toBeCloseTo(2.575829, 5);
    expect(confidenceCutoff(0.998)).toBeCloseTo(3.090232, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });
});

describe('Leveugle et al. (DATE 2009) sample size', () => {
  it('tends to t² p(1-p) / e² for an infinite fault space', () => {
    expect(leveugleSampleSize(Number.POSITIVE_INFINITY, 0.01, 0.95)).toBe(9604);
    expect(leveugleSampleSize(Number.POSITIVE_INFINITY, 0.05, 0.95)).toBe(385);
    expect(leveugleSampleSize(1e15, 0.01, 0.95)).toBe(9604);
    expect(leveugleSampleSize(Number.POSITIVE_INFINITY, 0.01, 0.99)).toBe(16588);
  });

  it('applies the finite population correction', () => {
    expect(leveugleSampleSize(10_000, 0.05, 0.95)).toBe(370);
    expect(leveugleSampleSize(1_000_000, 0.01, 0.95)).toBe(9513);
    expect(leveugleSampleSize(100, 0.01, 0.95)).toBe(99);
    expect(leveugleSampleSize(1, 0.01, 0.95)).toBe(1);
  });

  it('is non-decreasing in N and never exceeds N', () => {
    let previous = 0;
    for (let n = 1; n < 200_000; n = Math.ceil(n * 1.3)) {
      const size = leveugleSampleSize(n, 0.02, 0.95);
      expect(size).toBeGreaterThanOrEqual(previous);
      expect(size).toBeLessThanOrEqual(n);
      previous = size;
    }
  });
});

describe('Wilson interval', () => {
  it('matches known values', () => {
    const half = wilsonInterval(5, 10);
    expect(half.low).toBeCloseTo(0.2366, 4);
    expect(half.high).toBeCloseTo(0.7634, 4);
    const one = wilsonInterval(1, 10);
    expect(one.low).toBeCloseTo(0.0179, 4);
    expect(one.high).toBeCloseTo(0.4042, 4);
    const big = wilsonInterval(81, 263);
    expect(big.low).toBeCloseTo(0.2553, 3);
    expect(big.high).toBeCloseTo(0.3662, 3);
  });

  it('gives a useful upper bound for a zero count and stays in [0, 1]', () => {
    expect(wilsonInterval(0, 10)).toEqual({ low: 0, high: expect.closeTo(0.2775, 4) as number });
    expect(wilsonInterval(0, 1000).high).toBeCloseTo(0.00383, 5);
    expect(wilsonInterval(10, 10).high).toBe(1);
    expect(wilsonInterval(10, 10).low).toBeCloseTo(0.7225, 4);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});
