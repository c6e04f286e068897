/**
 * Wire scaling: the one place where the integers on the wire meet the units of the models.
 * Sensor frames (./sensor-frame.ts) carry body rates in mrad/s and specific forces in cm/s², each
 * a signed 16-bit code (±32767); command frames (./command-frame.ts) carry deflections in mrad, a
 * signed 12-bit code (±2047 mrad = ±117.3°). Encoders round to the nearest code (ties away from
 * zero for negative values, as Math.round) and saturate at the code's limit; decoders are exact
 * up to float rounding. The sensor outbox, the channels, the voter nodes and the equalizer all use
 * these, so a change of units is one edit here (and the frames' docs).
 */
import { INT12_LIMIT, INT16_LIMIT } from './fixed-point.js';

/** Wire units (mrad/s) per rad/s. */
export const RATE_CODES_PER_RAD_PER_S = 1000;
/** Wire units (cm/s²) per m/s². */
export const ACCEL_CODES_PER_M_PER_S2 = 100;
/** Wire units (mrad) per degree of deflection. */
export const COMMAND_CODES_PER_DEG = (Math.PI / 180) * 1000;
/** Degrees per wire unit (mrad) of deflection. */
export const DEG_PER_COMMAND_CODE = 180 / Math.PI / 1000;

function saturate(code: number, limit: number): number {
  return code > limit ? limit : code < -limit ? -limit : code;
}

/** Body rate (rad/s) → sensor-frame code (mrad/s), rounded and saturated at ±32767. */
export function rateCodeOf(radPerS: number): number {
  return saturate(Math.round(radPerS * RATE_CODES_PER_RAD_PER_S), INT16_LIMIT);
}

/** Sensor-frame code (mrad/s) → body rate (rad/s). */
export function rateOfCode(code: number): number {
  return code / RATE_CODES_PER_RAD_PER_S;
}

/** Specific force (m/s²) → sensor-frame code (cm/s²), rounded and saturated at ±32767. */
export function accelCodeOf(mPerS2: number): number {
  return saturate(Math.round(mPerS2 * ACCEL_CODES_PER_M_PER_S2), INT16_LIMIT);
}

/** Sensor-frame code (cm/s²) → specific force (m/s²). */
export function accelOfCode(code: number): number {
  return code / ACCEL_CODES_PER_M_PER_S2;
}

/** Deflection (deg) → command-frame code (mrad), rounded and saturated at ±2047. */
export function commandCodeOf(deg: number): number {
  return saturate(Math.round(deg * COMMAND_CODES_PER_DEG), INT12_LIMIT);
}

/** Command-frame code (mrad) → deflection (deg). */
export function commandDegOfCode(code: number): number {
  return code * DEG_PER_COMMAND_CODE;
}
