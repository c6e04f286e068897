/**
 * Actuator command frame: one deflection per actuator, four actuators, sent by each channel
 * every minor frame and voted per actuator.
 *
 * Body (7 bytes at the medium's body offset):
 *   byte 0  bit 4 `engaged` (the channel believes it is in control), bits 7..5 reserved 0;
 *           bits 3..0 the P22 counter on classic CAN, 0 elsewhere (ignored by the body decoder)
 *   1..6    four int12 deflections, big-endian bit stream: actuator 0 in bits 47..36 of the
 *           48-bit word, actuator 1 in 35..24, actuator 2 in 23..12, actuator 3 in 11..0
 * Unit mrad: ±2047 mrad = ±117.3°, LSB 0.057°. Every control surface of the reference vehicle
 * moves within ±35°, so the range leaves margin for any surface while the resolution stays
 * below a servo's typical 0.1° dead band. Code −2048 is never sent (out_of_range).
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';
import { checkBodyBounds, INT12_LIMIT, isSignedCode, readInt12, writeInt12x4, type DecodeStatus, type FrameDecodeError } from './fixed-point.js';
import { FRAME_BODY_BYTES } from './ids.js';

export const ACTUATOR_COUNT = 4;
const ENGAGED_BIT = 0x10;
const RESERVED_BITS = 0xe0;

export interface ActuatorCommand {
  engaged: boolean;
  /** Deflection per actuator in mrad, each within ±2047; length ACTUATOR_COUNT. */
  readonly deflectionMrad: Int16Array;
}

export function createActuatorCommand(): ActuatorCommand {
  return { engaged: false, deflectionMrad: new Int16Array(ACTUATOR_COUNT) };
}

const DEFLECTION_FIELDS = ['deflectionMrad[0]', 'deflectionMrad[1]', 'deflectionMrad[2]', 'deflectionMrad[3]'] as const;

/** Writes the command body at `offset`; returns 7. Out-of-range values are programmer errors. */
export function encodeCommand(value: ActuatorCommand, bytes: Uint8Array, offset: number): number {
  const d = value.deflectionMrad;
  assert(d.length === ACTUATOR_COUNT, 'command needs exactly ACTUATOR_COUNT deflections');
  for (let slot = 0; slot < ACTUATOR_COUNT; slot++) {
    const deflection = d[slot] ?? 0;
    if (!isSignedCode(deflection, INT12_LIMIT)) assert(false, `deflection ${deflection} mrad outside ±2047`);
  }
  assert(offset >= 0 && offset + FRAME_BODY_BYTES <= bytes.length, 'command body does not fit');
  bytes[offset] = value.engaged ? ENGAGED_BIT : 0;
  writeInt12x4(bytes, offset + 1, d[0] ?? 0, d[1] ?? 0, d[2] ?? 0, d[3] ?? 0);
  return FRAME_BODY_BYTES;
}

function checkCommand(bytes: Uint8Array, offset: number, length: number): FrameDecodeError | null {
  const bounds = checkBodyBounds(bytes, offset, length, FRAME_BODY_BYTES);
  if (bounds !== null) return bounds;
  const flags = bytes[offset] ?? 0;
  if ((flags & RESERVED_BITS) !== 0) return { code: 'reserved_bits', field: 'flags', value: flags >>> 4 };
  for (let slot = 0; slot < ACTUATOR_COUNT; slot++) {
    const value = readInt12(bytes, offset + 1, slot);
    if (value < -INT12_LIMIT) return { code: 'out_of_range', field: DEFLECTION_FIELDS[slot] ?? 'deflectionMrad', value };
  }
  return null;
}

/** Hot-path decode into a caller-owned command; null on success, `out` untouched on error. */
export function decodeCommandInto(bytes: Uint8Array, offset: number, length: number, out: ActuatorCommand): DecodeStatus {
  assert(out.deflectionMrad.length === ACTUATOR_COUNT, 'command output has the wrong actuator count');
  const error = checkCommand(bytes, offset, length);
  if (error !== null) return error;
  out.engaged = ((bytes[offset] ?? 0) & ENGAGED_BIT) !== 0;
  for (let slot = 0; slot < ACTUATOR_COUNT; slot++) out.deflectionMrad[slot] = readInt12(bytes, offset + 1, slot);
  return null;
}

export function decodeCommand(bytes: Uint8Array, offset: number, length: number): Result<ActuatorCommand, FrameDecodeError> {
  const out = createActuatorCommand();
  const error = decodeCommandInto(bytes, offset, length, out);
  return error === null ? ok(out) : err(error);
}
