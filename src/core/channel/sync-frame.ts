/**
 * Clock-synchronisation frame (CAN ID 0x080 + channel number, protected with E2E Profile 11
 * like the status frame). Body (7 bytes at the medium's body offset, big-endian):
 *   byte 0  bits 3..0 the P11 counter on classic CAN; bits 7..4 reserved 0
 *   1..3    logical (synchronised) time of the sender when it queued the frame, µs mod 2^24
 *   4..6    raw oscillator time of the sender at the same instant, µs mod 2^24
 * 2^24 µs is 16.8 s: a receiver turns each stamp into a signed difference with its own clock
 * (wrapped to ±8.4 s), which is far beyond any difference a correct clock can have.
 */
import { assert } from '../assert.js';
import { FRAME_BODY_BYTES } from '../frame/ids.js';

export const SYNC_STAMP_MODULO = 1 << 24;
const HALF = SYNC_STAMP_MODULO / 2;

function u24(value: number): number {
  const v = Math.floor(value) % SYNC_STAMP_MODULO;
  return v < 0 ? v + SYNC_STAMP_MODULO : v;
}

/** Writes the sync body at `offset`; returns 7. */
export function encodeSyncStamps(logicalMicros: number, rawMicros: number, bytes: Uint8Array, offset: number): number {
  assert(Number.isFinite(logicalMicros) && Number.isFinite(rawMicros), 'sync stamps must be finite');
  assert(offset >= 0 && offset + FRAME_BODY_BYTES <= bytes.length, 'sync body does not fit');
  const l = u24(logicalMicros);
  const r = u24(rawMicros);
  bytes[offset] = 0;
  bytes[offset + 1] = l >>> 16;
  bytes[offset + 2] = (l >>> 8) & 0xff;
  bytes[offset + 3] = l & 0xff;
  bytes[offset + 4] = r >>> 16;
  bytes[offset + 5] = (r >>> 8) & 0xff;
  bytes[offset + 6] = r & 0xff;
  return FRAME_BODY_BYTES;
}

/** Reads the 24-bit stamp at `offset + 1` (logical) or `offset + 4` (raw). Never throws. */
export function readStamp24(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 16) | ((bytes[at + 1] ?? 0) << 8) | (bytes[at + 2] ?? 0);
}

/** Signed difference `stamp − ownMicros` (mod 2^24), in (−2^23, 2^23]. */
export function stampDifference(stamp24: number, ownMicros: number): number {
  let d = (stamp24 - u24(ownMicros)) % SYNC_STAMP_MODULO;
  if (d > HALF) d -= SYNC_STAMP_MODULO;
  if (d <= -HALF) d += SYNC_STAMP_MODULO;
  return d + (Math.floor(ownMicros) - ownMicros);
}
