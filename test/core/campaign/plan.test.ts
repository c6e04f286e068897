import { describe, expect, it } from 'vitest';
import { CampaignPlan, evenCounts, faultAtLocation, faultSpaceSize, leveugleCounts, locationCount, rowSeed, TARGETS, timeSlotCount, INJECTION_WINDOW_FROM, INJECTION_WINDOW_UNTIL } from '../../../src/core/campaign/plan.js';
import { SYNTHETIC_FAULT_SPACE as SHAPE } from '../../../src/campaign/models.js';
import { testSeed } from '../../support/seed.js';

describe('fault space', () => {
  it('enumerates distinct faults at every location of every target', () => {
    for (const target of TARGETS) {
      const count = locationCount(target, SHAPE);
      const seen = new Set<string>();
      for (let i = 0; i < count; i++) seen.add(JSON.stringify(faultAtLocation(target, SHAPE, i)));
      expect(seen.size, target).toBe(count);
    }
    expect(locationCount('memory', SHAPE)).toBe(3 * 37 * 72);
    expect(locationCount('registers', SHAPE)).toBe(3 * 19 * 3 * 32);
    expect(() => faultAtLocation('memory', SHAPE, locationCount('memory', SHAPE))).toThrow();
  });

  it('counts time slots in the injection window', () => {
    expect(timeSlotCount(10, 250)).toBe(2500 * (INJECTION_WINDOW_UNTIL - INJECTION_WINDOW_FROM));
    expect(faultSpaceSize('clock', SHAPE, 10, 250)).toBe(24 * 1250);
  });
});

describe('campaign plan', () => {
  const seed = testSeed('campaign plan');
  const plan = new CampaignPlan({ seed, durationS: 10, rateHz: 250, counts: evenCounts(TARGETS, 1000) }, SHAPE);

  it('makes each row a pure function of (seed, row)', () => {
    const again = new CampaignPlan({ seed, durationS: 10, rateHz: 250, counts: evenCounts(TARGETS, 1000) }, SHAPE);
    for (const row of [0, 1, 17, 999]) expect(again.row(row)).toEqual(plan.row(row));
    expect(rowSeed(seed, 5)).not.toBe(rowSeed(seed, 6));
    expect(rowSeed(seed, 5)).not.toBe(rowSeed(seed + 1, 5));
  });

  it('interleaves targets to their counts, every prefix close to its share', () => {
    const counts = new Map<string, number>();
    for (let row = 0; row < plan.total; row++) {
      const t = plan.target(row);
      counts.set(t, (counts.get(t) ?? 0) + 1);
      if (row % 97 === 0) for (const target of TARGETS) expect(Math.abs((counts.get(target) ?? 0) - (row + 1) / TARGETS.length)).toBeLessThanOrEqual(1);
    }
    // 1000 rows over 16 targets: 62 each, the first 8 targets one more.
    expect([...counts.values()].sort()).toEqual([...new Array<number>(8).fill(62), ...new Array<number>(8).fill(63)]);
  });

  it('puts every fault inside the injection window', () => {
    for (let row = 0; row < plan.total; row++) {
      const at = plan.row(row).fault.atMicros;
      expect(at).toBeGreaterThanOrEqual(1_000_000);
      expect(at).toBeLessThan(6_000_000);
    }
  });

  it('sizes each target by Leveugle', () => {
    const counts = leveugleCounts(['memory', 'clock'], SHAPE, 10, 250, 0.01, 0.95);
    expect(counts[0]?.injections).toBe(Math.ceil(faultSpaceSize('memory', SHAPE, 10, 250) / (1 + 0.0001 * (faultSpaceSize('memory', SHAPE, 10, 250) - 1) / (1.959964 ** 2 / 4)) - 1e-6));
    expect(counts[1]?.injections).toBeLessThan(9604);
  });
});
