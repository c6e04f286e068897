import { expect, test } from 'vitest';
import { Prng } from '../../../src/core/sim/prng.js';
import { ziggurat } from '../../../src/core/plant/gaussian.js';
import { testSeed } from '../../support/seed.js';

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

test('Ziggurat deviates are standard normal (moments, tails, Kolmogorov–Smirnov)', () => {
  const prng = new Prng(testSeed('ziggurat normality'));
  const n = 400_000;
  const values = new Float64Array(n);
  let sum = 0;
  let sumSq = 0;
  let sumQuad = 0;
  let beyond3 = 0;
  for (let i = 0; i < n; i++) {
    const x = ziggurat(prng);
    values[i] = x;
    sum += x;
    sumSq += x * x;
    sumQuad += x ** 4;
    if (Math.abs(x) > 3) beyond3++;
  }
  expect(Math.abs(sum / n)).toBeLessThan(0.01);
  expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.01);
  expect(Math.abs(sumQuad / n - 3)).toBeLessThan(0.08);
  // P(|x| > 3) = 0.0027; expected count 1080, σ ≈ 33.
  expect(Math.abs(beyond3 - 0.0027 * n)).toBeLessThan(150);
  values.sort();
  let d = 0;
  for (let i = 0; i < n; i += 97) d = Math.max(d, Math.abs(normalCdf(values[i]!) - (i + 0.5) / n));
  // KS critical value at α = 0.001 is 1.95/√n ≈ 0.0031.
  expect(d).toBeLessThan(0.0031);
});
