/**
 * Statistical fault injection: how many injections a campaign needs, and how sure a rate is.
 *
 * Sample size (Leveugle, Hubert, Cotte, Ammari, Ghaffari: "Statistical fault injection:
 * quantified error and confidence", DATE 2009, eq. 4):
 *
 *     n = N / (1 + e² (N − 1) / (t² p (1 − p)))
 *
 * with N the size of the fault space (every location × every time slot), e the margin of
 * error, t the cut-off point of the standard normal for the confidence level (1.96 for 95 %)
 * and p the proportion estimated (0.5 is the worst case, the largest n). As N → ∞ this tends
 * to t² p (1 − p) / e², e.g. 9,604 for e = 1 %, 95 %.
 *
 * Intervals are Wilson score intervals (Wilson 1927), which stay inside [0, 1] and have a
 * useful upper bound when a count is zero (where the normal approximation gives [0, 0]).
 */
import { assert } from '../assert.js';

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error below
 * 1.15e-9 over (0, 1)). Enough for cut-off points of confidence levels.
 */
export function normalQuantile(probability: number): number {
  assert(probability > 0 && probability < 1, `normalQuantile needs 0 < p < 1, got ${probability}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const poly = (k: readonly number[], x: number): number => k.reduce((sum, coefficient) => sum * x + coefficient, 0);
  const low = 0.02425;
  if (probability < low) {
    const q = Math.sqrt(-2 * Math.log(probability));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (probability > 1 - low) return -normalQuantile(1 - probability);
  const q = probability - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** The two-sided cut-off point t for a confidence level, e.g. 0.95 → 1.95996. */
export function confidenceCutoff(confidence: number): number {
  assert(confidence > 0 && confidence < 1, `confidence must be in (0, 1), got ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

/**
 * Leveugle et al.'s sample size for a fault space of `populationSize` faults, rounded up.
 * `populationSize` may be Infinity (the limit t² p (1 − p) / e²).
 */
export function leveugleSampleSize(populationSize: number, marginOfError: number, confidence: number, proportion = 0.5): number {
  assert(populationSize >= 1, `fault space size must be at least 1, got ${populationSize}`);
  assert(marginOfError > 0 && marginOfError < 1, `margin of error must be in (0, 1), got ${marginOfError}`);
  assert(proportion > 0 && proportion < 1, `proportion must be in (0, 1), got ${proportion}`);
  const t = confidenceCutoff(confidence);
  const infinite = (t * t * proportion * (1 - proportion)) / (marginOfError * marginOfError);
  if (!Number.isFinite(populationSize)) return Math.ceil(infinite - 1e-9);
  const n = populationSize / (1 + (marginOfError * marginOfError * (populationSize - 1)) / (t * t * proportion * (1 - proportion)));
  // A tolerance so that 9604.000000001 (float noise) is 9604, not 9605.
  return Math.min(populationSize, Math.ceil(n - 1e-9));
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** Wilson score interval for `successes` out of `trials` at `confidence` (two-sided). */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): Interval {
  assert(Number.isInteger(successes) && Number.isInteger(trials) && successes >= 0 && successes <= trials, `bad counts ${successes}/${trials}`);
  if (trials === 0) return { low: 0, high: 1 };
  const z = confidenceCutoff(confidence);
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === trials ? 1 : Math.min(1, centre + half) };
}
