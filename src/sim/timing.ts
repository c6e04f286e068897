/**
 * The timing of one minor frame, in one place (docs/FLIGHT.md "Timing"): the period, the
 * slots of every node inside it, the clock-sync round and the status period. The flight loop
 * (src/sim/flight.ts), the channels' configuration (src/sim/assembly.ts) and the frame
 * schedule that `triplex bus-load` certifies (src/sim/schedule.ts) all read it from here.
 *
 * Minor frame k (period P, true time): the plant steps and the IMUs send at kP; each channel
 * computes at its logical kP + P/4; every resync round each channel sends its clock stamps at
 * logical kP + S + i·P/12 (S = P/2 on classic CAN; 3P/4 on CAN FD, after the vote, because at
 * 1 kHz the sensor and command burst fills the bus until about 0.55 P); the voter votes at its
 * logical kP + round(3P/4).
 */
import type { CanMedium } from '../core/channel/medium.js';
import { assert } from '../core/assert.js';
import { defaultClockSyncConfig, type ClockSyncConfig } from '../core/vote/clock-sync.js';

/** Clock-sync round R: every channel sends its stamps once per round. */
export const RESYNC_PERIOD_MICROS = 100_000;
/** Rounds over which the clock monitor measures a peer's drift rate (W). */
export const DRIFT_WINDOW_ROUNDS = 10;
/** Channel status frames: one per channel every this long. */
export const STATUS_PERIOD_MICROS = 20_000;

export interface FlightTiming {
  readonly periodMicros: number;
  readonly cycleCount: number;
  /** Channel compute slot (logical µs after kP). */
  readonly computeSlotMicros: number;
  /** First clock-sync slot (logical µs after kP); channel i sends at `syncSlotOfChannel(timing, i)`. */
  readonly syncSlotMicros: number;
  /** Vote slot (logical µs after kP). */
  readonly voteSlotMicros: number;
  /** Minor frames per clock-sync round (R / P). */
  readonly syncEveryCycles: number;
  /** Minor frames per status frame. */
  readonly statusEveryCycles: number;
  readonly clockSync: ClockSyncConfig;
}

/** Clock-sync frames of the channels are spaced P / SYNC_SLOT_DIVISIONS apart. */
export const SYNC_SLOT_DIVISIONS = 12;

/** Logical µs after kP at which channel `i` sends its clock stamps. */
export function syncSlotOfChannel(timing: FlightTiming, i: number): number {
  return timing.syncSlotMicros + (i * timing.periodMicros) / SYNC_SLOT_DIVISIONS;
}

export function flightClockSyncConfig(channelCount: number): ClockSyncConfig {
  return { ...defaultClockSyncConfig(channelCount), resyncPeriodMicros: RESYNC_PERIOD_MICROS, driftWindowRounds: DRIFT_WINDOW_ROUNDS };
}

/** Period of a rate: whole microseconds. */
export function periodMicrosOf(rateHz: number): number {
  return Math.round(1e6 / rateHz);
}

export function flightTiming(rateHz: number, durationS: number, medium: CanMedium, channelCount: number): FlightTiming {
  assert(rateHz > 0 && durationS > 0, 'flight timing: positive rate and duration');
  const periodMicros = periodMicrosOf(rateHz);
  const clockSync = flightClockSyncConfig(channelCount);
  return {
    periodMicros,
    cycleCount: Math.round((durationS * 1e6) / periodMicros),
    computeSlotMicros: periodMicros / 4,
    syncSlotMicros: medium === 'can-fd' ? (3 * periodMicros) / 4 : periodMicros / 2,
    voteSlotMicros: Math.round((3 * periodMicros) / 4),
    syncEveryCycles: Math.max(1, Math.round(clockSync.resyncPeriodMicros / periodMicros)),
    statusEveryCycles: Math.max(1, Math.round(STATUS_PERIOD_MICROS / periodMicros)),
    clockSync,
  };
}
