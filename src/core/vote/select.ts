/**
 * Leaf helpers shared by the sensor consolidator and the actuator voter: mid-value select over
 * a handful of values and the up/down persistence counter of a disagreement monitor.
 * Both are allocation-free; callers own the scratch arrays. See docs/REDUNDANCY.md.
 */
import { assert } from '../assert.js';

/** Most sources or channels any selector handles (quadruplex). */
export const SELECT_COUNT_MAX = 4;

/**
 * Sorts `values[0..count)` in place, ascending (insertion sort: at most 6 swaps for 4 values,
 * no allocation, no comparator closure). Values must be finite.
 */
export function sortSmall(values: Float64Array, count: number): void {
  if (!(count >= 0 && count <= SELECT_COUNT_MAX && count <= values.length)) assert(false, `sortSmall: bad count ${count}`);
  for (let i = 1; i < count; i++) {
    const v = values[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (values[j] ?? 0) > v) {
      values[j + 1] = values[j] ?? 0;
      j--;
    }
    values[j + 1] = v;
  }
}

/**
 * Mid-value select of `values[0..count)`, count 1..4; reorders `values`.
 * - 3 → the median.
 * - 4 → the mean of the two middle values. With one arbitrary faulty value among four, both
 *   middle values lie within the range of the three healthy ones, so their mean does too, and
 *   it uses two healthy values instead of one (half the noise variance of picking one).
 * - 2 → the mean (callers apply their own two-source rule first; see consolidate/voter).
 * - 1 → the value itself.
 */
export function midValueSelect(values: Float64Array, count: number): number {
  if (!(count >= 1 && count <= SELECT_COUNT_MAX)) assert(false, `midValueSelect: bad count ${count}`);
  sortSmall(values, count);
  const lower = values[(count - 1) >> 1] ?? 0;
  const upper = values[count >> 1] ?? 0;
  return (lower + upper) / 2;
}

/**
 * Up/down persistence counter (the "disagreement monitor"): +1 on a miscompare, −decay on an
 * agreement (saturating at 0), tripped when the count reaches `trip`. `decay = trip` is the
 * classic "trip consecutive miscompares" rule; `decay = 1` also catches an intermittent fault
 * that miscompares in more than half of the cycles. Returns the new count.
 */
export function persistenceStep(count: number, miscompare: boolean, trip: number, decay: number): number {
  assert(trip >= 1 && decay >= 1, 'persistenceStep: trip and decay must be >= 1');
  if (miscompare) return count + 1 > trip ? trip : count + 1;
  return count - decay < 0 ? 0 : count - decay;
}

/**
 * A comparison threshold from sensor physics (docs/REDUNDANCY.md, "Thresholds"): two healthy
 * sources measuring the same quantity differ by noise with standard deviation σ·√2 and by up to
 * one quantisation step. `k` standard deviations (default 6: per-sample false exceedance
 * ≈ 2·10⁻⁹ for Gaussian noise) plus one quantum.
 */
export function thresholdFromNoise(noiseSigma: number, quantum: number, k = 6): number {
  assert(noiseSigma >= 0 && quantum >= 0 && k > 0, 'thresholdFromNoise: negative input');
  return k * noiseSigma * Math.SQRT2 + quantum;
}
