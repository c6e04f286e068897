/**
 * Fast-forward (docs/CAMPAIGNS.md, "Fast-forward"): a row started from the golden checkpoint
 * before its first fault must end byte-identical to the same row flown from t = 0. The
 * comparison is shown able to fail: a checkpoint of another seed restored into a row gives
 * another result.
 */
import { describe, expect, it } from 'vitest';
import { CampaignRunner } from '../../src/campaign/runner.js';
import { loadModel } from '../../src/campaign/models.js';
import { evenCounts, TARGETS } from '../../src/core/campaign/plan.js';
import { NO_FAULTS, type TimedFault } from '../../src/core/fault/profile.js';
import { loadFlightRig } from '../../src/io/loaders.js';
import { createFlight, type Flight } from '../../src/sim/flight.js';
import { SnapshotMismatch } from '../../src/sim/snapshot.js';
import { testSeed } from '../support/seed.js';

const ROWS = 512;

function flight(seed: number, events: readonly TimedFault[]): Flight {
  const rig = loadFlightRig(undefined);
  if (!rig.ok) throw new Error(rig.error);
  const created = createFlight({ seed, durationS: 2, rateHz: 250, profile: { ...NO_FAULTS, events }, rig: rig.value, twin: 'none' });
  if (!created.ok) throw new Error(created.error);
  return created.value;
}

describe('campaign fast-forward', () => {
  it(`${ROWS} random rows over every target end byte-identical to their flights from t = 0`, async () => {
    const seed = testSeed('fast-forward rows');
    const { shape } = await loadModel('emulated');
    const runner = await CampaignRunner.load({ seed, durationS: 2, rateHz: 250, model: 'emulated', profile: null, counts: evenCounts(TARGETS, ROWS), sizing: { mode: 'fixed', injections: ROWS }, shape, twinSeeds: 8 });
    let forwarded = 0;
    const differing: number[] = [];
    const targets = new Set<string>();
    for (let row = 0; row < ROWS; row++) {
      const fast = runner.run(row);
      const full = runner.run(row, 0, false);
      expect(full.skippedS).toBe(0);
      if (fast.skippedS > 0) { forwarded++; targets.add(fast.line.fault.target); }
      if (JSON.stringify(fast.line) !== JSON.stringify(full.line)) differing.push(row);
    }
    expect(differing).toEqual([]);
    // Not vacuous: most rows did start from a checkpoint, on nearly every target.
    expect(forwarded).toBeGreaterThan(ROWS / 2);
    expect(targets.size).toBeGreaterThanOrEqual(TARGETS.length - 1);
  }, 600_000);

  it('must-fail: a checkpoint of another seed restored into a row changes its result', () => {
    const fault: TimedFault = { atMicros: 1_500_000, fault: { kind: 'memory-flip', channel: 'A', word: 3, bit: 5 } };
    const reference = flight(11, [fault]).run();
    const golden = flight(11, []);
    golden.runCycles(250);
    const same = flight(11, [fault]);
    same.restoreFrom(golden.snapshot());
    expect(JSON.stringify(same.run())).toBe(JSON.stringify(reference));
    const other = flight(12, []);
    other.runCycles(250);
    const wrong = flight(11, [fault]);
    wrong.restoreFrom(other.snapshot());
    expect(JSON.stringify(wrong.run())).not.toBe(JSON.stringify(reference));
  });

  it('refuses a flight that has already run, and a planned fault before the checkpoint', () => {
    const golden = flight(5, []);
    golden.runCycles(250);
    const snap = golden.snapshot();
    const ran = flight(5, []);
    ran.runCycles(1);
    expect(() => { ran.restoreFrom(snap); }).toThrow(SnapshotMismatch);
    const early = flight(5, [{ atMicros: 100_000, fault: { kind: 'memory-flip', channel: 'B', word: 2, bit: 1 } }]);
    expect(() => { early.restoreFrom(snap); }).toThrow(SnapshotMismatch);
  });

  it('leaves the checkpoint untouched: one snapshot serves many rows', () => {
    const golden = flight(9, []);
    golden.runCycles(250);
    const snap = golden.snapshot();
    const fault: TimedFault = { atMicros: 1_200_000, fault: { kind: 'register-flip', channel: 'C', register: 'ATT_ERR_X', bit: 30 } };
    const first = flight(9, [fault]);
    first.restoreFrom(snap);
    const a = JSON.stringify(first.run());
    const second = flight(9, [fault]);
    second.restoreFrom(snap);
    expect(JSON.stringify(second.run())).toBe(a);
    expect(a).toBe(JSON.stringify(flight(9, [fault]).run()));
  });
});
