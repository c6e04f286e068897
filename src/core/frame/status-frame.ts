/**
 * Channel status frame: health, scrubber counters and clock offset of one channel, sent
 * periodically (slower than the control frames) for the monitors and the console.
 *
 * Body (7 bytes at the medium's body offset, big-endian):
 *   byte 0  bits 7..4 health code (table below); bits 3..0 the P11 counter on classic CAN,
 *           0 elsewhere (ignored by the body decoder)
 *   1..2    scrubCorrectedCount       uint16, single-bit errors corrected, modulo 2^16
 *   3       scrubUncorrectableCount   uint8, double-bit errors detected, modulo 2^8
 *   4       scrubPassCount            uint8, completed scrub passes over the image, modulo 2^8
 *   5..6    clockOffsetMicros         int16, local clock minus synchronised time, µs, ±32767
 * The counters wrap: a receiver differences consecutive values modulo 2^n (a sender that
 * counts more than 2^n − 1 events between two status frames is out of specification).
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';
import { checkBodyBounds, INT16_LIMIT, isSignedCode, isUnsignedCode, UINT16_MAX, UINT8_MAX, readI16BE, readU16BE, writeU16BE, type DecodeStatus, type FrameDecodeError } from './fixed-point.js';
import { FRAME_BODY_BYTES } from './ids.js';

/** Wire codes 0..4 in this order; 5..15 are out_of_range. */
export const CHANNEL_HEALTH_CODES = ['healthy', 'suspect', 'isolated', 'reintegrating', 'failed'] as const;
export type ChannelHealth = (typeof CHANNEL_HEALTH_CODES)[number];

export interface ChannelStatus {
  health: ChannelHealth;
  scrubCorrectedCount: number;
  scrubUncorrectableCount: number;
  scrubPassCount: number;
  clockOffsetMicros: number;
}

export function createChannelStatus(): ChannelStatus {
  return { health: 'healthy', scrubCorrectedCount: 0, scrubUncorrectableCount: 0, scrubPassCount: 0, clockOffsetMicros: 0 };
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Writes the status body at `offset`; returns 7. Counters may be any non-negative integer and
 * are sent modulo 2^16 / 2^8; the clock offset must already be within ±32767 µs.
 */
export function encodeChannelStatus(value: ChannelStatus, bytes: Uint8Array, offset: number): number {
  const health = CHANNEL_HEALTH_CODES.indexOf(value.health);
  assert(health >= 0, 'unknown channel health');
  assert(isCount(value.scrubCorrectedCount) && isCount(value.scrubUncorrectableCount) && isCount(value.scrubPassCount), 'scrub counters must be non-negative integers');
  if (!isSignedCode(value.clockOffsetMicros, INT16_LIMIT)) assert(false, `clock offset ${value.clockOffsetMicros} µs outside ±32767`);
  assert(offset >= 0 && offset + FRAME_BODY_BYTES <= bytes.length, 'status body does not fit');
  bytes[offset] = health << 4;
  writeU16BE(bytes, offset + 1, value.scrubCorrectedCount % (UINT16_MAX + 1));
  bytes[offset + 3] = value.scrubUncorrectableCount % (UINT8_MAX + 1);
  bytes[offset + 4] = value.scrubPassCount % (UINT8_MAX + 1);
  writeU16BE(bytes, offset + 5, value.clockOffsetMicros);
  return FRAME_BODY_BYTES;
}

/** Hot-path decode into a caller-owned object; null on success, `out` untouched on error. */
export function decodeChannelStatusInto(bytes: Uint8Array, offset: number, length: number, out: ChannelStatus): DecodeStatus {
  const bounds = checkBodyBounds(bytes, offset, length, FRAME_BODY_BYTES);
  if (bounds !== null) return bounds;
  const healthCode = (bytes[offset] ?? 0) >>> 4;
  const health = CHANNEL_HEALTH_CODES[healthCode];
  if (health === undefined) return { code: 'out_of_range', field: 'health', value: healthCode };
  const clockOffsetMicros = readI16BE(bytes, offset + 5);
  if (!isSignedCode(clockOffsetMicros, INT16_LIMIT)) return { code: 'out_of_range', field: 'clockOffsetMicros', value: clockOffsetMicros };
  out.health = health;
  out.scrubCorrectedCount = readU16BE(bytes, offset + 1);
  out.scrubUncorrectableCount = (bytes[offset + 3] ?? 0);
  out.scrubPassCount = (bytes[offset + 4] ?? 0);
  out.clockOffsetMicros = clockOffsetMicros;
  assert(isUnsignedCode(out.scrubCorrectedCount, UINT16_MAX), 'decoded counter out of range');
  return null;
}

export function decodeChannelStatus(bytes: Uint8Array, offset: number, length: number): Result<ChannelStatus, FrameDecodeError> {
  const out = createChannelStatus();
  const error = decodeChannelStatusInto(bytes, offset, length, out);
  return error === null ? ok(out) : err(error);
}
