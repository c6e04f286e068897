/**
 * Two guards around a participant's ClockSync (docs/FLIGHT.md, "Clock sync"), shared by the
 * channels and the voter node:
 *
 * - Late-frame guard. A sync frame carries the sender's time when it was queued; the receiver
 *   adds the frame's exact transmission time. If the frame had to wait in the sender's queue
 *   (the bus was busy: a babbling node, another frame), the stamp is late by that wait and the
 *   reading looks like a clock that jumped back. A receiver sees every frame on the bus, so it
 *   knows when the bus last went idle: a sync frame whose start of frame follows the end of the
 *   previous frame back to back (within `BACK_TO_BACK_BITS`) may have waited, and its reading is
 *   dropped for this round (ClockSync treats it as a silent peer). On an idle bus — the normal
 *   case at the sync slots — every reading is kept, so a real jump is still seen.
 * - Verdict release. A jump verdict is withdrawn after `CLOCK_CLEAR_ROUNDS` rounds in which
 *   the peer's reading is back within the jump bound of the midpoint, so the ensemble regains
 *   its third (or fourth) clock. A runaway verdict is withdrawn the same way, and the peer's raw
 *   rate excused (`ClockSync.excuseRate`): its oscillator is off, but its own corrections keep
 *   its time within the bound (a 500 ppm clock moves 50 µs per 100-ms round), and time is what
 *   the frame schedule needs. One that cannot keep up (beyond ≈ 1,600 ppm here) never has the
 *   good rounds, and a jump verdict ends an excuse. Without
 *   the release a channel that once saw a jump would synchronise with one peer only for the rest
 *   of the flight, and a later fault on that peer would drag it along.
 * - Lone-peer guard. With a single usable peer reading (the others silent, dropped as late, or
 *   flagged) the fault-tolerant midpoint degenerates to the mean of two clocks, and a faulty
 *   peer would drag this clock half-way along. Two correct clocks are within the jump bound of
 *   each other, so a lone reading beyond it is not followed: the round applies no correction
 *   (one round of free running costs at most 2ρR of skew).
 * - Clock acquisition. A channel that was down (crashed and restarted, hung, reset) cannot trust
 *   its own clock: while it was down the ensemble moved on (up to 2ρ·downtime: 500 µs after 5 s at
 *   100 ppm), and its own misplaced frames can delay a peer's sync frame behind them, so one of
 *   its two readings is dropped as late every round and the lone-peer guard refuses the other —
 *   it would never re-synchronise (issue 13: `kill B`, 5 s, `revive B` never came back). After
 *   `reacquire()` the lone-peer guard is off until a round's correction is within the jump bound:
 *   clock first, then (the voter's state transfer) state. The channel is not voting meanwhile.
 *
 * Allocation-free per frame and per round.
 */
import type { ClockSync } from '../vote/clock-sync.js';

export const CLOCK_CLEAR_ROUNDS = 10;
/** Bits between the previous frame's delivery and this frame's start that still count as back to back (IFS 3 + margin). */
export const BACK_TO_BACK_BITS = 6;

export class SyncGuard {
  /** Readings dropped because the frame may have waited behind another. */
  droppedLate = 0;
  /** Rounds in which a lone peer reading beyond the jump bound was not followed. */
  loneRefused = 0;
  /** Times the channel started clock acquisition (after being down). */
  acquisitions = 0;
  private acquiring = false;
  private readonly lastDiff: Float64Array;
  private readonly hasDiff: Uint8Array;
  private readonly goodRounds: Int32Array;
  private busyUntilMicros = -1e15;

  constructor(private readonly peerCount: number, private readonly bitMicros: number, private readonly jumpLimitMicros: number) {
    this.lastDiff = new Float64Array(peerCount);
    this.hasDiff = new Uint8Array(peerCount);
    this.goodRounds = new Int32Array(peerCount);
  }

  /** Every received frame (true delivery time) and every own transmission end estimate: the bus was busy until then. */
  busUntil(trueMicros: number): void {
    if (trueMicros > this.busyUntilMicros) this.busyUntilMicros = trueMicros;
  }

  /**
   * A sync frame delivered at `deliveredMicros` that took `durationMicros` on the wire: true when
   * its reading can be trusted (the bus was idle when it started). Call before `busUntil` for it.
   */
  startedOnIdleBus(deliveredMicros: number, durationMicros: number): boolean {
    const sof = deliveredMicros - durationMicros;
    const ok = sof - this.busyUntilMicros > BACK_TO_BACK_BITS * this.bitMicros;
    if (!ok) this.droppedLate++;
    return ok;
  }

  /** The logical reading of `peer` this round (after the guard accepted it). */
  noteReading(peer: number, logicalDiffMicros: number): void {
    if (peer < 0 || peer >= this.peerCount) return;
    this.lastDiff[peer] = logicalDiffMicros;
    this.hasDiff[peer] = 1;
  }

  /**
   * Ends a round: `sync.resync()` under the lone-peer guard, then the jump-verdict release.
   * Returns the correction to apply to the clock.
   */
  resync(sync: ClockSync): number {
    let usable = 0;
    let lone = 0;
    for (let q = 0; q < this.peerCount; q++) {
      if (this.hasDiff[q] !== 1 || sync.peerFault(q) !== 'none') continue;
      usable++;
      lone = this.lastDiff[q] ?? 0;
    }
    const midpoint = sync.resync();
    const adjustment = !this.acquiring && usable === 1 && Math.abs(lone) > this.jumpLimitMicros ? 0 : midpoint;
    if (adjustment !== midpoint) this.loneRefused++;
    if (this.acquiring && usable > 0 && Math.abs(midpoint) <= this.jumpLimitMicros) this.acquiring = false;
    this.afterResync(sync, midpoint);
    return adjustment;
  }

  /** The channel was down: follow the peers (even a lone one) until back within the jump bound. */
  reacquire(): void {
    this.acquiring = true;
    this.acquisitions++;
    this.hasDiff.fill(0);
  }

  get isAcquiring(): boolean {
    return this.acquiring;
  }

  /** After `sync.resync()` returned `adjustment`: counts good rounds of jump-flagged peers and releases them. */
  afterResync(sync: ClockSync, adjustment: number): void {
    for (let q = 0; q < this.peerCount; q++) {
      const fault = sync.peerFault(q);
      if (fault === 'none') { this.goodRounds[q] = 0; continue; }
      const good = this.hasDiff[q] === 1 && Math.abs((this.lastDiff[q] ?? 0) - adjustment) <= this.jumpLimitMicros;
      this.goodRounds[q] = good ? (this.goodRounds[q] ?? 0) + 1 : 0;
      if ((this.goodRounds[q] ?? 0) >= CLOCK_CLEAR_ROUNDS) {
        if (fault === 'runaway') sync.excuseRate(q);
        else sync.clearPeerFault(q);
        this.goodRounds[q] = 0;
      }
    }
    this.hasDiff.fill(0);
  }
}
