import { describe, expect, it } from 'vitest';
import {
  CONSOLIDATION_ALARM_NO_DATA,
  CONSOLIDATION_ALARM_PAIR_DISAGREE,
  CONSOLIDATION_ALARM_SINGLE_SOURCE,
  CONSOLIDATION_ALARM_SOURCE_FAILED,
  CONSOLIDATION_ALARM_SOURCE_MISSING,
  CONSOLIDATION_EVENT_SOURCE_FAILED,
  CONSOLIDATION_EVENT_SOURCE_REINTEGRATED,
  CONSOLIDATION_USED_MASK,
  defaultConsolidatorConfig,
  SensorConsolidator,
  type ConsolidatorConfig,
} from '../../../src/core/vote/consolidate.js';
import { thresholdFromNoise } from '../../../src/core/vote/select.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { testSeed } from '../../support/seed.js';

const PERIOD_MICROS = 4_000;
const SIGMA = 0.01;
const QUANTUM = 0.001;
const THRESHOLD = thresholdFromNoise(SIGMA, QUANTUM); // ≈ 0.0859

function config(sourceCount: number, overrides: Partial<ConsolidatorConfig> = {}): ConsolidatorConfig {
  return { ...defaultConsolidatorConfig(sourceCount, [THRESHOLD, THRESHOLD]), ...overrides };
}

/** Feeds one cycle: `samples[s]` = values, or null for a source that sent nothing. */
function cycle(c: SensorConsolidator, now: number, samples: readonly (readonly number[] | null)[]): number {
  samples.forEach((values, s) => { if (values !== null) c.setSample(s, values, now, true); });
  return c.consolidate(now);
}

describe('SensorConsolidator selection', () => {
  it('3 sources: median per axis, all used, no alarm', () => {
    const c = new SensorConsolidator(config(3));
    const status = cycle(c, 0, [[1, 10], [3, -5], [2, 7]]);
    expect([...c.output]).toEqual([2, 7]);
    expect(status & CONSOLIDATION_USED_MASK).toBe(0b111);
    expect(status & ~CONSOLIDATION_USED_MASK).toBe(0);
  });

  it('3 sources: a wild value on one source does not reach the output', () => {
    const c = new SensorConsolidator(config(3));
    cycle(c, 0, [[1, 1], [1e9, -1e9], [1.02, 0.98]]);
    expect(c.output[0]).toBe(1.02);
    expect(c.output[1]).toBe(0.98);
  });

  it('4 sources: mean of the middle two', () => {
    const c = new SensorConsolidator(config(4));
    cycle(c, 0, [[1, 0], [2, 0], [4, 0], [100, 0]]);
    expect(c.output[0]).toBe(3);
  });

  it('2 agreeing sources: their mean', () => {
    const c = new SensorConsolidator(config(2));
    const status = cycle(c, 0, [[1, 2], [1.04, 2.02]]);
    expect(c.output[0]).toBeCloseTo(1.02, 12);
    expect(c.output[1]).toBeCloseTo(2.01, 12);
    expect(status & CONSOLIDATION_ALARM_PAIR_DISAGREE).toBe(0);
  });

  it('2 disagreeing sources: the one nearer the last value, with an alarm; the mean when there is no last value', () => {
    const c = new SensorConsolidator(config(2));
    let status = cycle(c, 0, [[1, 0], [3, 0]]);
    expect(c.output[0]).toBe(2);
    expect(status & CONSOLIDATION_ALARM_PAIR_DISAGREE).not.toBe(0);
    cycle(c, PERIOD_MICROS, [[1, 0], [1, 0]]);
    status = cycle(c, 2 * PERIOD_MICROS, [[1.01, 0], [5, 0]]);
    expect(c.output[0]).toBe(1.01);
    expect(status & CONSOLIDATION_ALARM_PAIR_DISAGREE).not.toBe(0);
  });

  it('1 source: used, single-source alarm', () => {
    const c = new SensorConsolidator(config(3));
    const status = cycle(c, 0, [null, [4, 5], null]);
    expect([...c.output]).toEqual([4, 5]);
    expect(status & CONSOLIDATION_ALARM_SINGLE_SOURCE).not.toBe(0);
    expect(status & CONSOLIDATION_ALARM_SOURCE_MISSING).not.toBe(0);
    expect(status & CONSOLIDATION_USED_MASK).toBe(0b010);
  });

  it('0 sources: holds the last value, no-data alarm', () => {
    const c = new SensorConsolidator(config(3));
    cycle(c, 0, [[1, 2], [1, 2], [1, 2]]);
    const status = c.consolidate(7_000);
    expect([...c.output]).toEqual([1, 2]);
    expect(status & CONSOLIDATION_ALARM_NO_DATA).not.toBe(0);
    expect(status & CONSOLIDATION_USED_MASK).toBe(0);
    expect(c.lastDataMicros).toBe(0);
  });

  it('freshness: age exactly at the timeout is fresh, beyond it or in the future is not', () => {
    const c = new SensorConsolidator(config(3));
    c.setSample(0, [1, 1], 0, true);
    c.setSample(1, [2, 2], 1, true);
    c.setSample(2, [3, 3], 7_000, true);
    const status = c.consolidate(6_000);
    expect(status & CONSOLIDATION_USED_MASK).toBe(0b011);
  });

  it('invalid flag or a non-finite value makes a sample unusable', () => {
    const c = new SensorConsolidator(config(3));
    c.setSample(0, [1, 1], 0, false);
    c.setSample(1, [2, Number.NaN], 0, true);
    c.setSample(2, [3, 3], 0, true);
    const status = c.consolidate(0);
    expect(status & CONSOLIDATION_USED_MASK).toBe(0b100);
    expect([...c.output]).toEqual([3, 3]);
  });

  it('rejects bad configurations', () => {
    expect(() => new SensorConsolidator(config(5))).toThrow(/sourceCount/);
    expect(() => new SensorConsolidator(config(3, { thresholds: [1] }))).toThrow(/threshold/);
    expect(() => new SensorConsolidator(config(3, { failTrip: 0 }))).toThrow(/failTrip/);
  });
});

/** Seeded scenario: truth ramps, three noisy quantised sensors; `fault` corrupts one source. */
function runScenario(seed: number, fault: (s: number, k: number, truth: number, value: number) => number, cycles: number, onCycle?: (k: number, status: number, c: SensorConsolidator) => void): SensorConsolidator {
  const prng = new Prng(seed);
  const c = new SensorConsolidator(config(3));
  const values = [0, 0];
  for (let k = 0; k < cycles; k++) {
    const truth = 0.5 * Math.sin(k / 200) + k * 0.001;
    for (let s = 0; s < 3; s++) {
      for (let a = 0; a < 2; a++) values[a] = Math.round((truth + a + SIGMA * prng.nextGaussian()) / QUANTUM) * QUANTUM;
      values[0] = fault(s, k, truth, values[0]!);
      c.setSample(s, values, k * PERIOD_MICROS, true);
    }
    const status = c.consolidate(k * PERIOD_MICROS);
    onCycle?.(k, status, c);
  }
  return c;
}

describe('SensorConsolidator source monitor', () => {
  const seed = testSeed('consolidate monitor');
  const trip = config(3).failTrip;

  it('fails a biased source exactly failTrip cycles after onset, and no healthy source ever', () => {
    for (let run = 0; run < 20; run++) {
      const faulty = run % 3;
      const onset = 300 + run * 7;
      let failedAt = -1;
      const c = runScenario(seed + run, (s, k, _t, v) => (s === faulty && k >= onset ? v + 3 * THRESHOLD : v), 1_000, (k, status) => {
        if ((status & CONSOLIDATION_EVENT_SOURCE_FAILED) !== 0 && failedAt < 0) failedAt = k;
      });
      expect(failedAt, `run ${run}`).toBe(onset + trip - 1);
      expect(c.failedMask).toBe(1 << faulty);
      expect(c.sourceState(faulty)).toBe('failed');
    }
  });

  it('fails a stuck source within failTrip cycles once the truth has moved beyond threshold + 6σ', () => {
    for (let run = 0; run < 20; run++) {
      const faulty = run % 3;
      const onset = 400 + run * 5;
      let stuckValue = Number.NaN;
      let clearAt = -1;
      let failedAt = -1;
      runScenario(seed + 50 + run, (s, k, truth, v) => {
        if (s !== faulty || k < onset) return v;
        if (Number.isNaN(stuckValue)) stuckValue = v;
        if (clearAt < 0 && Math.abs(truth - stuckValue) > THRESHOLD + 6 * SIGMA) clearAt = k;
        return stuckValue;
      }, 2_000, (k, status, c) => {
        if (failedAt < 0 && (status & CONSOLIDATION_EVENT_SOURCE_FAILED) !== 0) {
          failedAt = k;
          expect(c.failedMask).toBe(1 << faulty);
        }
      });
      expect(clearAt, `run ${run}`).toBeGreaterThan(0);
      expect(failedAt, `run ${run}`).toBeGreaterThan(onset);
      expect(failedAt, `run ${run}`).toBeLessThanOrEqual(clearAt + trip - 1);
    }
  });

  it('never fails a healthy source over long noisy runs', () => {
    for (let run = 0; run < 10; run++) {
      runScenario(seed + 100 + run, (_s, _k, _t, v) => v, 5_000, (k, status) => {
        if ((status & CONSOLIDATION_ALARM_SOURCE_FAILED) !== 0) expect.fail(`run ${run}: a healthy source failed at cycle ${k}`);
      });
    }
  });

  it('reintegrates a source after reintegrationCycles agreeing cycles, and fails it for good after failuresMax failures', () => {
    const cfg = config(3);
    let events = 0;
    let reintegratedAt = -1;
    const biasWindows = [[100, 200], [700, 800], [1300, 1400]] as const;
    const c = runScenario(seed + 200, (s, k, _t, v) => (s === 1 && biasWindows.some(([from, to]) => k >= from && k < to) ? v + 1 : v), 2_000, (k, status) => {
      if ((status & CONSOLIDATION_EVENT_SOURCE_FAILED) !== 0) events++;
      if ((status & CONSOLIDATION_EVENT_SOURCE_REINTEGRATED) !== 0 && reintegratedAt < 0) reintegratedAt = k;
    });
    expect(reintegratedAt).toBe(200 + cfg.reintegrationCycles - 1);
    expect(events).toBe(3);
    expect(c.sourceState(1)).toBe('failed_permanent');
  });
});
