/**
 * SyncGuard's lone-peer guard and clock acquisition (src/core/channel/sync-guard.ts): a lone peer
 * reading beyond the jump bound is not followed — unless this channel was down and is
 * re-acquiring its clock, when following the peers is the only way back (issue 13).
 */
import { describe, expect, it } from 'vitest';
import { ClockSync, defaultClockSyncConfig, jumpThresholdMicros } from '../../../src/core/vote/clock-sync.js';
import { SyncGuard } from '../../../src/core/channel/sync-guard.js';

const cfg = defaultClockSyncConfig(3);
const limit = jumpThresholdMicros(cfg);

/** One round in which only peer 1 is heard, `offset` µs ahead of this clock. */
function loneRound(guard: SyncGuard, sync: ClockSync, offset: number): number {
  guard.noteReading(1, offset);
  sync.setReading(1, offset, offset);
  return guard.resync(sync);
}

describe('SyncGuard', () => {
  it('must fail without acquisition: a lone reading 240 µs away is refused, round after round', () => {
    const guard = new SyncGuard(3, 1, limit);
    const sync = new ClockSync(cfg, 0);
    for (let k = 0; k < 5; k++) expect(loneRound(guard, sync, 240)).toBe(0);
    expect(guard.loneRefused).toBe(5);
  });

  it('after reacquire(), follows the lone reading until back within the bound, then guards again', () => {
    const guard = new SyncGuard(3, 1, limit);
    const sync = new ClockSync(cfg, 0);
    guard.reacquire();
    let offset = 240;
    const applied: number[] = [];
    for (let k = 0; k < 6 && guard.isAcquiring; k++) {
      const adjustment = loneRound(guard, sync, offset);
      applied.push(adjustment);
      offset -= adjustment;
    }
    expect(applied[0]).toBe(120); // the midpoint of {own 0, peer 240}
    expect(guard.isAcquiring).toBe(false);
    expect(Math.abs(offset)).toBeLessThanOrEqual(limit);
    expect(guard.loneRefused).toBe(0);
    expect(loneRound(guard, sync, 10 * limit)).toBe(0); // guarding again
    expect(guard.loneRefused).toBe(1);
  });

  it('reacquire() discards readings heard before the channel went down', () => {
    const guard = new SyncGuard(3, 1, limit);
    const sync = new ClockSync(cfg, 0);
    guard.noteReading(1, 5);
    guard.noteReading(2, 6);
    guard.reacquire();
    sync.forgetReadings();
    // A round with nothing heard since: no correction, and acquisition goes on.
    expect(guard.resync(sync)).toBe(0);
    expect(guard.isAcquiring).toBe(true);
  });
});

describe('SyncGuard: a runaway verdict on a clock that keeps time', () => {
  /** Rounds where peer 2 (flagged runaway) reads `offset` µs from the midpoint; peer 1 is in sync. */
  function rounds(guard: SyncGuard, sync: ClockSync, count: number, offset: (k: number) => number): void {
    for (let k = 0; k < count; k++) {
      guard.noteReading(1, 1);
      sync.setReading(1, 1, 1);
      guard.noteReading(2, offset(k));
      sync.setReading(2, offset(k), offset(k));
      guard.resync(sync);
    }
  }

  /** A sync whose peer 2 is judged runaway: its raw difference ramps at 2,000 ppm, its logical one stays in. */
  function flagged(): { guard: SyncGuard; sync: ClockSync } {
    const guard = new SyncGuard(3, 1, limit);
    const sync = new ClockSync(cfg, 0);
    for (let k = 0; k <= cfg.driftWindowRounds + 1 && sync.peerFault(2) === 'none'; k++) {
      guard.noteReading(1, 1);
      sync.setReading(1, 1, 1);
      guard.noteReading(2, 20);
      sync.setReading(2, 20, k * 2000e-6 * cfg.resyncPeriodMicros);
      guard.resync(sync);
    }
    expect(sync.peerFault(2)).toBe('runaway');
    return { guard, sync };
  }

  it('is withdrawn after 10 rounds within the bound, and its raw rate is no longer judged', () => {
    const { guard, sync } = flagged();
    rounds(guard, sync, 10, () => 30);
    expect(sync.peerFault(2)).toBe('none');
    expect(sync.rateIsExcused(2)).toBe(true);
    rounds(guard, sync, 3 * cfg.driftWindowRounds, () => 30);
    expect(sync.peerFault(2)).toBe('none');
  });

  it('must fail: a clock that does not keep within the bound stays judged', () => {
    const { guard, sync } = flagged();
    rounds(guard, sync, 30, (k) => (k % 3 === 0 ? 2 * limit : 30));
    expect(sync.peerFault(2)).toBe('runaway');
    expect(sync.rateIsExcused(2)).toBe(false);
  });

  it('an excused clock that then leaves the bound is judged a jump and loses its excuse', () => {
    const { guard, sync } = flagged();
    rounds(guard, sync, 10, () => 30);
    rounds(guard, sync, 1, () => 5 * limit);
    expect(sync.peerFault(2)).toBe('jump');
    expect(sync.rateIsExcused(2)).toBe(false);
  });
});
