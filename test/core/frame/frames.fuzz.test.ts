/**
 * Fuzz of every frame body decoder: random bytes, offsets and lengths (in and out of bounds),
 * and mutations of valid bodies. Never throws; errors are typed; whatever decodes re-encodes to
 * the same bytes (the decoders accept exactly the canonical encodings, up to the ignored
 * counter nibble).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActuatorCommand, decodeCommand, encodeCommand } from '../../../src/core/frame/command-frame.js';
import type { FrameDecodeError } from '../../../src/core/frame/fixed-point.js';
import { FRAME_BODY_BYTES } from '../../../src/core/frame/ids.js';
import { decodeImuAccel, decodeImuRate, encodeImuAccel, encodeImuRate } from '../../../src/core/frame/sensor-frame.js';
import { decodeChannelStatus, encodeChannelStatus } from '../../../src/core/frame/status-frame.js';
import type { Result } from '../../../src/core/result.js';
import { fcParams, fuzzRuns } from '../../support/seed.js';

type Decoder = (bytes: Uint8Array, offset: number, length: number) => Result<unknown, FrameDecodeError>;
type Reencoder = (value: never, bytes: Uint8Array, offset: number) => number;

const DECODERS: readonly { name: string; decode: Decoder; encode: Reencoder }[] = [
  { name: 'imu rate', decode: decodeImuRate, encode: encodeImuRate },
  { name: 'imu accel', decode: decodeImuAccel, encode: encodeImuAccel },
  { name: 'command', decode: decodeCommand, encode: encodeCommand },
  { name: 'channel status', decode: decodeChannelStatus, encode: encodeChannelStatus },
];

const ERROR_CODES = new Set(['length_mismatch', 'out_of_range', 'reserved_bits']);

function assertDecodes(decode: Decoder, encode: Reencoder, bytes: Uint8Array, offset: number, length: number): void {
  const result = decode(bytes, offset, length);
  if (!result.ok) {
    expect(ERROR_CODES.has(result.error.code)).toBe(true);
    return;
  }
  const again = new Uint8Array(FRAME_BODY_BYTES);
  encode(result.value as never, again, 0);
  const canonical = bytes.slice(offset, offset + FRAME_BODY_BYTES);
  canonical[0]! &= 0xf0;
  expect(Buffer.from(again).equals(Buffer.from(canonical))).toBe(true);
}

describe.each(DECODERS)('$name decoder fuzz', ({ name, decode, encode }) => {
  it('random bytes at random offsets and lengths: never throws, typed error or canonical value', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 24 }), fc.integer({ min: -2, max: 26 }), fc.integer({ min: -2, max: 26 }), (bytes, offset, length) => {
      assertDecodes(decode, encode, bytes, offset, length);
    }), fcParams(`${name} random fuzz`, fuzzRuns()));
  });

  it('mutations of a valid body: never throws, typed error or canonical value', () => {
    const valid = new Uint8Array(FRAME_BODY_BYTES);
    const command = createActuatorCommand();
    command.deflectionMrad.set([100, -200, 300, -400]);
    if (name === 'command') encodeCommand(command, valid, 0);
    else if (name === 'channel status') encodeChannelStatus({ health: 'healthy', scrubCorrectedCount: 7, scrubUncorrectableCount: 0, scrubPassCount: 1, clockOffsetMicros: 3 }, valid, 0);
    else encodeImuRate({ sensorStatus: 0, rateXMradPerS: 10, rateYMradPerS: -20, rateZMradPerS: 30 }, valid, 0);
    const mutation = fc.array(fc.tuple(fc.integer({ min: 0, max: FRAME_BODY_BYTES - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(mutation, (edits) => {
      const bytes = Uint8Array.from(valid);
      for (const [index, value] of edits) bytes[index] = value;
      assertDecodes(decode, encode, bytes, 0, FRAME_BODY_BYTES);
    }), fcParams(`${name} mutation fuzz`, Math.ceil(fuzzRuns() / 4)));
  });
});
