/**
 * Fixed-point scaled integers and the pieces every frame codec shares: the decode error union,
 * the body bounds check, and 12-bit packing.
 *
 * A wire value is a signed integer count of the unit its field name ends in
 * (`rateXMradPerS` is milliradians per second). Ranges are symmetric: the most negative code of
 * each width (−32768 for int16, −2048 for int12) is never sent, so negation never overflows and
 * a decoder can reject it as `out_of_range` (a frame full of 0x80 bytes is not a valid value).
 */
import { assert } from '../assert.js';

export const INT16_LIMIT = 32_767;
export const INT12_LIMIT = 2_047;
export const UINT8_MAX = 255;
export const UINT16_MAX = 65_535;

export type FrameDecodeError =
  /** The bytes offered for the body are not exactly the body length (or run past the array). */
  | { readonly code: 'length_mismatch'; readonly expectedBytes: number; readonly actualBytes: number }
  /** A field holds a code outside its documented range. */
  | { readonly code: 'out_of_range'; readonly field: string; readonly value: number }
  /** Reserved bits are not zero. */
  | { readonly code: 'reserved_bits'; readonly field: string; readonly value: number };

/** Decoders that fill a caller's object return null on success, else the error. */
export type DecodeStatus = FrameDecodeError | null;

/**
 * The length check at the head of every decoder: `length` bytes from `offset` must be exactly
 * `expectedBytes` and must lie inside `bytes`.
 */
export function checkBodyBounds(bytes: Uint8Array, offset: number, length: number, expectedBytes: number): FrameDecodeError | null {
  const inside = Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= bytes.length;
  if (inside && length === expectedBytes) return null;
  return { code: 'length_mismatch', expectedBytes, actualBytes: inside ? length : Math.max(0, Math.min(length, bytes.length - offset)) };
}

/** Big-endian 16-bit store of `value` (its low 16 bits, as DataView.setInt16/setUint16) at `bytes[index]`. */
export function writeU16BE(bytes: Uint8Array, index: number, value: number): void {
  bytes[index] = (value >> 8) & 0xff;
  bytes[index + 1] = value & 0xff;
}

/** Big-endian signed 16-bit load at `bytes[index]` (as DataView.getInt16). */
export function readI16BE(bytes: Uint8Array, index: number): number {
  return ((((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)) << 16) >> 16;
}

/** Big-endian unsigned 16-bit load at `bytes[index]` (as DataView.getUint16). */
export function readU16BE(bytes: Uint8Array, index: number): number {
  return ((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0);
}

/**
 * Quantises a physical value to a signed code: round half away from zero, then saturate to
 * ±limit. The sensor and control models use it before encoding; NaN is a programmer error.
 */
export function quantize(value: number, lsb: number, limit: number): number {
  assert(!Number.isNaN(value) && lsb > 0 && Number.isInteger(limit) && limit > 0, 'quantize: bad arguments');
  const scaled = value / lsb;
  const rounded = scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
  return Math.max(-limit, Math.min(limit, rounded));
}

/** True when `value` is an integer in [−limit, limit]. */
export function isSignedCode(value: number, limit: number): boolean {
  return Number.isInteger(value) && value >= -limit && value <= limit;
}

/** True when `value` is an integer in [0, max]. */
export function isUnsignedCode(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

/**
 * Writes four int12 codes big-endian into 6 bytes at `index`: value 0 in bits 47..36 of the
 * 48-bit big-endian word, value 1 in 35..24, value 2 in 23..12, value 3 in 11..0.
 */
export function writeInt12x4(bytes: Uint8Array, index: number, a: number, b: number, c: number, d: number): void {
  const ua = a & 0xfff;
  const ub = b & 0xfff;
  const uc = c & 0xfff;
  const ud = d & 0xfff;
  bytes[index] = ua >>> 4;
  bytes[index + 1] = ((ua & 0x0f) << 4) | (ub >>> 8);
  bytes[index + 2] = ub & 0xff;
  bytes[index + 3] = uc >>> 4;
  bytes[index + 4] = ((uc & 0x0f) << 4) | (ud >>> 8);
  bytes[index + 5] = ud & 0xff;
}

/** Reads int12 number `slot` (0..3) of the 6 bytes at `index`, sign-extended. */
export function readInt12(bytes: Uint8Array, index: number, slot: number): number {
  const pair = index + (slot >>> 1) * 3;
  const b0 = bytes[pair] ?? 0;
  const b1 = bytes[pair + 1] ?? 0;
  const b2 = bytes[pair + 2] ?? 0;
  const raw = (slot & 1) === 0 ? (b0 << 4) | (b1 >>> 4) : ((b1 & 0x0f) << 8) | b2;
  return (raw << 20) >> 20;
}
