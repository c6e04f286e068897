/**
 * Fast-forward and early convergence (docs/CAMPAIGNS.md): a row started from the golden
 * checkpoint before its first fault, and one also ended at the checkpoint where its state
 * equals the golden flight's, must both end byte-identical to the same row flown from t = 0 to
 * the end. The comparisons are shown able to fail: a checkpoint of another seed restored into
 * a row, or a converged row ended from another seed's golden flight, gives another result.
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
  it(`${ROWS} random rows over every target end byte-identical to their flights from t = 0 to the end`, async () => {
    const seed = testSeed('fast-forward rows');
    const { shape } = await loadModel('emulated');
    const runner = await CampaignRunner.load({ seed, durationS: 2, rateHz: 250, model: 'emulated', profile: null, counts: evenCounts(TARGETS, ROWS), sizing: { mode: 'fixed', injections: ROWS }, shape, twinSeeds: 8 });
    let forwarded = 0;
    let earlyEnded = 0;
    const differing: string[] = [];
    const targets = new Set<string>();
    for (let row = 0; row < ROWS; row++) {
      const full = runner.run(row, 0, false, false);
      const forward = runner.run(row, 0, true, false);
      const both = runner.run(row, 0, true, true);
      expect(full.skippedS + full.earlyEndedS + forward.earlyEndedS).toBe(0);
      if (forward.skippedS > 0) { forwarded++; targets.add(forward.line.fault.target); }
      if (both.earlyEndedS > 0) earlyEnded++;
      const reference = JSON.stringify(full.line);
      if (JSON.stringify(forward.line) !== reference) differing.push(`${row} (fast-forward)`);
      if (JSON.stringify(both.line) !== reference) differing.push(`${row} (early convergence after ${both.earlyEndedS} s)`);
    }
    expect(differing).toEqual([]);
    // Not vacuous: most rows did start from a checkpoint, on nearly every target, and rows did end early.
    expect(forwarded).toBeGreaterThan(ROWS / 2);
    expect(targets.size).toBeGreaterThanOrEqual(TARGETS.length - 1);
    expect(earlyEnded).toBeGreaterThan(ROWS / 32);
    process.stdout.write(`[fast-forward] ${forwarded} of ${ROWS} rows fast-forwarded, ${earlyEnded} ended early\n`);
  }, 900_000);

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

  it('must-fail: early convergence only holds against the row\'s own golden flight', () => {
    const fault: TimedFault = { atMicros: 600_000, fault: { kind: 'memory-flip', channel: 'B', word: 4, bit: 9 } };
    const reference = JSON.stringify(flight(21, [fault]).run());
    /** The golden flight of `seed` at 1.5 s (cycle 375), the oracle's maxima after it, and its end. */
    const golden = (seed: number): { at: ReturnType<Flight['snapshot']>; fingerprint: string; rest: ReturnType<Flight['takeOracleInterval']>; end: ReturnType<Flight['snapshot']> } => {
      const g = flight(seed, []);
      g.runCycles(375);
      const at = g.snapshot();
      const fingerprint = g.convergenceFingerprint();
      g.takeOracleInterval();
      g.runCycles(125);
      return { at, fingerprint, rest: g.takeOracleInterval(), end: g.snapshot() };
    };
    const own = golden(21);
    const other = golden(22);
    const converged = (): Flight => {
      const f = flight(21, [fault]);
      f.runCycles(375);
      expect(f.judgeSettled).toBe(true);
      expect(f.plantMatches(own.at)).toBe(true);
      return f;
    };
    const f = converged();
    expect(f.convergenceFingerprint()).toBe(own.fingerprint);
    f.finishAsConverged(own.at, own.end, own.rest);
    expect(JSON.stringify(f.result())).toBe(reference);
    // Another seed's golden flight: the fingerprint tells them apart, and ending from it is wrong.
    const g = converged();
    expect(g.convergenceFingerprint()).not.toBe(other.fingerprint);
    expect(g.plantMatches(other.at)).toBe(false);
    g.finishAsConverged(own.at, other.end, other.rest);
    expect(JSON.stringify(g.result())).not.toBe(reference);
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
