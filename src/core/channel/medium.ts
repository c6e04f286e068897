/**
 * The CAN medium a flight's nodes run on (docs/WIRE.md "Media and profiles"): classic CAN
 * (8-byte frames, P11/P22) or CAN FD (20-byte frames with BRS, P4). Every Triplex frame of a
 * flight — sensor, command, status and clock sync — uses the one medium of its bus. This module
 * gives the per-medium layout and the time a frame takes on the wire (a clock-sync receiver
 * subtracts it from the sender's stamp).
 */
import { assert } from '../assert.js';
import { exactClassicFrameBits, exactFdFrameBits } from '../frame/can-bits.js';
import { classicFrame, type CanFrame } from '../frame/can.js';
import { MEDIUM_LAYOUT, type MediumLayout } from '../frame/ids.js';

export type CanMedium = 'can' | 'can-fd';

/** The bit timing of a flight's bus: nominal rate, and the data-phase rate of BRS frames on CAN FD. */
export interface CanTiming {
  readonly medium: CanMedium;
  readonly bitRateBps: number;
  /** CAN FD only (required there): data-phase bit rate. */
  readonly dataBitRateBps?: number;
}

export function layoutOf(medium: CanMedium): MediumLayout {
  return MEDIUM_LAYOUT[medium];
}

/** A data frame of the medium: classic, or FD with BRS. `data` is kept, not copied. */
export function mediumFrame(medium: CanMedium, id: number, data: Uint8Array): CanFrame {
  if (medium === 'can') return classicFrame(id, data);
  return { id, extended: false, rtr: false, fd: true, brs: true, esi: false, error: false, data };
}

/** Wire time of a frame in µs (exact stuffing; IFS included), nominal bits at the nominal rate, FD data bits at the data rate. */
export function frameWireMicros(timing: CanTiming, frame: CanFrame): number {
  const bitMicros = 1e6 / timing.bitRateBps;
  if (!frame.fd) return exactClassicFrameBits(frame) * bitMicros;
  const dataRate = timing.dataBitRateBps ?? timing.bitRateBps;
  assert(dataRate >= timing.bitRateBps, 'CAN FD data bit rate below the nominal rate');
  const bits = exactFdFrameBits(frame);
  return bits.nominalBits * bitMicros + (bits.dataBits * 1e6) / dataRate;
}
