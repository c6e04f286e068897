/**
 * IMU sensor frames: one frame of angular rate and one of acceleration per IMU sample (a
 * classic CAN frame with its 2-byte E2E header has room for three 16-bit values and a nibble).
 *
 * Body (7 bytes at the medium's body offset, big-endian):
 *   byte 0  bits 7..4 sensor status flags; bits 3..0 the P11 counter on classic CAN, 0 elsewhere
 *           (written by the E2E protect, ignored by the body decoder)
 *   1..2    x   int16, range ±32767
 *   3..4    y   int16
 *   5..6    z   int16
 * Rate frame: units mrad/s (±32.767 rad/s = ±1877 °/s, LSB 0.057 °/s).
 * Acceleration frame: units cm/s² (±327.67 m/s² = ±33.4 g, LSB ≈ 1 mg).
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';
import { checkBodyBounds, INT16_LIMIT, isSignedCode, isUnsignedCode, readI16BE, writeU16BE, type DecodeStatus, type FrameDecodeError } from './fixed-point.js';
import { FRAME_BODY_BYTES } from './ids.js';

/** The sensor flagged its own sample as unusable (self-test or internal check failed). */
export const SENSOR_STATUS_FAULT = 0x1;
/** At least one axis was clipped to ±32767. */
export const SENSOR_STATUS_SATURATED = 0x2;
/** The sample is usable but degraded (e.g. temperature compensation lost). */
export const SENSOR_STATUS_DEGRADED = 0x4;
/** Bit 3 of the status nibble is reserved and must be 0. */
export const SENSOR_STATUS_RESERVED = 0x8;

export interface ImuRate {
  sensorStatus: number;
  rateXMradPerS: number;
  rateYMradPerS: number;
  rateZMradPerS: number;
}

export interface ImuAccel {
  sensorStatus: number;
  accelXCmPerS2: number;
  accelYCmPerS2: number;
  accelZCmPerS2: number;
}

function encodeTriple(status: number, x: number, y: number, z: number, bytes: Uint8Array, offset: number): number {
  if (!isUnsignedCode(status, 0x7)) assert(false, `sensor status ${status} uses reserved bits`);
  assert(isSignedCode(x, INT16_LIMIT) && isSignedCode(y, INT16_LIMIT) && isSignedCode(z, INT16_LIMIT), 'sensor value outside ±32767');
  assert(offset >= 0 && offset + FRAME_BODY_BYTES <= bytes.length, 'sensor body does not fit');
  bytes[offset] = status << 4;
  writeU16BE(bytes, offset + 1, x);
  writeU16BE(bytes, offset + 3, y);
  writeU16BE(bytes, offset + 5, z);
  return FRAME_BODY_BYTES;
}

/** Validates a sensor body; returns null when every field is in range. */
function checkTriple(bytes: Uint8Array, offset: number, length: number, names: readonly [string, string, string]): FrameDecodeError | null {
  const bounds = checkBodyBounds(bytes, offset, length, FRAME_BODY_BYTES);
  if (bounds !== null) return bounds;
  const status = (bytes[offset] ?? 0) >>> 4;
  if ((status & SENSOR_STATUS_RESERVED) !== 0) return { code: 'reserved_bits', field: 'sensorStatus', value: status };
  for (let axis = 0; axis < 3; axis++) {
    const value = readI16BE(bytes, offset + 1 + axis * 2);
    if (value < -INT16_LIMIT) return { code: 'out_of_range', field: names[axis] ?? 'axis', value };
  }
  return null;
}

const RATE_FIELDS = ['rateXMradPerS', 'rateYMradPerS', 'rateZMradPerS'] as const;
const ACCEL_FIELDS = ['accelXCmPerS2', 'accelYCmPerS2', 'accelZCmPerS2'] as const;

/** Writes the rate body at `offset`; returns its length (7). Out-of-range values are programmer errors. */
export function encodeImuRate(value: ImuRate, bytes: Uint8Array, offset: number): number {
  return encodeTriple(value.sensorStatus, value.rateXMradPerS, value.rateYMradPerS, value.rateZMradPerS, bytes, offset);
}

export function encodeImuAccel(value: ImuAccel, bytes: Uint8Array, offset: number): number {
  return encodeTriple(value.sensorStatus, value.accelXCmPerS2, value.accelYCmPerS2, value.accelZCmPerS2, bytes, offset);
}

/** Hot-path decode into a caller-owned object; null on success. `out` is untouched on error. */
export function decodeImuRateInto(bytes: Uint8Array, offset: number, length: number, out: ImuRate): DecodeStatus {
  const error = checkTriple(bytes, offset, length, RATE_FIELDS);
  if (error !== null) return error;
  out.sensorStatus = (bytes[offset] ?? 0) >>> 4;
  out.rateXMradPerS = readI16BE(bytes, offset + 1);
  out.rateYMradPerS = readI16BE(bytes, offset + 3);
  out.rateZMradPerS = readI16BE(bytes, offset + 5);
  return null;
}

export function decodeImuAccelInto(bytes: Uint8Array, offset: number, length: number, out: ImuAccel): DecodeStatus {
  const error = checkTriple(bytes, offset, length, ACCEL_FIELDS);
  if (error !== null) return error;
  out.sensorStatus = (bytes[offset] ?? 0) >>> 4;
  out.accelXCmPerS2 = readI16BE(bytes, offset + 1);
  out.accelYCmPerS2 = readI16BE(bytes, offset + 3);
  out.accelZCmPerS2 = readI16BE(bytes, offset + 5);
  return null;
}

export function decodeImuRate(bytes: Uint8Array, offset: number, length: number): Result<ImuRate, FrameDecodeError> {
  const out: ImuRate = { sensorStatus: 0, rateXMradPerS: 0, rateYMradPerS: 0, rateZMradPerS: 0 };
  const error = decodeImuRateInto(bytes, offset, length, out);
  return error === null ? ok(out) : err(error);
}

export function decodeImuAccel(bytes: Uint8Array, offset: number, length: number): Result<ImuAccel, FrameDecodeError> {
  const out: ImuAccel = { sensorStatus: 0, accelXCmPerS2: 0, accelYCmPerS2: 0, accelZCmPerS2: 0 };
  const error = decodeImuAccelInto(bytes, offset, length, out);
  return error === null ? ok(out) : err(error);
}
