import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../../src/core/assert.js';
import { ACTUATOR_COUNT, createActuatorCommand, decodeCommand, decodeCommandInto, encodeCommand } from '../../../src/core/frame/command-frame.js';
import { INT12_LIMIT, INT16_LIMIT, quantize, readInt12, writeInt12x4 } from '../../../src/core/frame/fixed-point.js';
import { CAN_ID_BASE, CAN_ID_RANGES, canIdOf, CHANNEL_IDS, CHANNEL_IDS_MAX, dataIdListOf, FRAME_BODY_BYTES, IMU_NUMBERS, IMU_NUMBERS_MAX, MEDIUM_LAYOUT } from '../../../src/core/frame/ids.js';
import { decodeImuAccel, decodeImuRate, decodeImuRateInto, encodeImuAccel, encodeImuRate, type ImuRate } from '../../../src/core/frame/sensor-frame.js';
import { CHANNEL_HEALTH_CODES, decodeChannelStatus, encodeChannelStatus } from '../../../src/core/frame/status-frame.js';
import { fcParams } from '../../support/seed.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const int16 = fc.integer({ min: -INT16_LIMIT, max: INT16_LIMIT });
const int12 = fc.integer({ min: -INT12_LIMIT, max: INT12_LIMIT });

describe('CAN identifiers (docs/WIRE.md)', () => {
  it('assigns the documented identifiers', () => {
    expect(CHANNEL_IDS.map((c) => canIdOf('command', c))).toEqual([0x101, 0x102, 0x103]);
    expect(IMU_NUMBERS.map((i) => canIdOf('imu-rate', i))).toEqual([0x121, 0x122, 0x123]);
    expect(IMU_NUMBERS.map((i) => canIdOf('imu-accel', i))).toEqual([0x131, 0x132, 0x133]);
    expect(CHANNEL_IDS.map((c) => canIdOf('channel-status', c))).toEqual([0x201, 0x202, 0x203]);
    expect(CHANNEL_IDS.map((c) => canIdOf('clock-sync', c))).toEqual([0x081, 0x082, 0x083]);
  });

  it('assigns channel D and IMU 4 (four-channel configuration) base + 4, each its own', () => {
    expect(CHANNEL_IDS_MAX.map((c) => canIdOf('command', c))).toEqual([0x101, 0x102, 0x103, 0x104]);
    expect(CHANNEL_IDS_MAX.map((c) => canIdOf('channel-status', c))).toEqual([0x201, 0x202, 0x203, 0x204]);
    expect(CHANNEL_IDS_MAX.map((c) => canIdOf('clock-sync', c))).toEqual([0x081, 0x082, 0x083, 0x084]);
    expect(IMU_NUMBERS_MAX.map((i) => canIdOf('imu-rate', i))).toEqual([0x121, 0x122, 0x123, 0x124]);
    expect(IMU_NUMBERS_MAX.map((i) => canIdOf('imu-accel', i))).toEqual([0x131, 0x132, 0x133, 0x134]);
  });

  it('orders priorities clock sync < commands < sensors < status < rig, with no overlap', () => {
    const bases = [CAN_ID_BASE['clock-sync'], CAN_ID_BASE.command, CAN_ID_BASE['imu-rate'], CAN_ID_BASE['imu-accel'], CAN_ID_BASE['channel-status'], CAN_ID_RANGES.rigConsole.first];
    expect([...bases].sort((a, b) => a - b)).toEqual(bases);
    expect(CAN_ID_RANGES.reservedUrgent.last).toBeLessThan(CAN_ID_BASE['clock-sync']);
  });

  it('rejects a kind sent by the wrong kind of sender (programmer error)', () => {
    expect(() => canIdOf('command', 1)).toThrow(AssertionError);
    expect(() => canIdOf('imu-rate', 'A')).toThrow(AssertionError);
  });

  it('gives every command stream a DataIDList that differs from every other at every counter', () => {
    const lists = CHANNEL_IDS_MAX.map((c) => dataIdListOf(canIdOf('command', c)));
    for (const [i, a] of lists.entries()) {
      for (const b of lists.slice(i + 1)) for (let counter = 0; counter < 16; counter++) expect(a[counter]).not.toBe(b[counter]);
    }
  });

  it('fits each medium: 8-byte classic frame, 20-byte FD frame, 10-byte serial frame', () => {
    expect(MEDIUM_LAYOUT.can.bodyOffsetBytes + FRAME_BODY_BYTES).toBe(8);
    expect(MEDIUM_LAYOUT['can-fd'].bodyOffsetBytes + FRAME_BODY_BYTES + 1).toBe(20);
    expect(MEDIUM_LAYOUT.serial.bodyOffsetBytes + FRAME_BODY_BYTES).toBe(10);
  });
});

describe('fixed point', () => {
  it('quantises with rounding half away from zero and saturation', () => {
    expect(quantize(1.23456, 0.001, INT16_LIMIT)).toBe(1235);
    expect(quantize(-0.0005, 0.001, INT16_LIMIT)).toBe(-1);
    expect(quantize(1e9, 0.001, INT16_LIMIT)).toBe(INT16_LIMIT);
    expect(quantize(-1e9, 0.001, INT12_LIMIT)).toBe(-INT12_LIMIT);
    expect(() => quantize(Number.NaN, 0.001, INT16_LIMIT)).toThrow(AssertionError);
  });

  it('packs four int12 big-endian (known bytes) and round-trips them', () => {
    const bytes = new Uint8Array(6);
    writeInt12x4(bytes, 0, 0x123, -1, 0x7ff, -0x7ff);
    expect(hex(bytes)).toBe('123fff7ff801');
    fc.assert(fc.property(int12, int12, int12, int12, (a, b, c, d) => {
      writeInt12x4(bytes, 0, a, b, c, d);
      expect([0, 1, 2, 3].map((slot) => readInt12(bytes, 0, slot))).toEqual([a, b, c, d]);
    }), fcParams('int12 round trip', 1000));
  });
});

describe('sensor frames', () => {
  it('lays out the rate body byte by byte', () => {
    const bytes = new Uint8Array(8);
    encodeImuRate({ sensorStatus: 0x5, rateXMradPerS: 1, rateYMradPerS: -2, rateZMradPerS: 0x1234 }, bytes, 1);
    expect(hex(bytes)).toBe('00500001fffe1234');
  });

  it('round-trips rate and acceleration at any offset', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 7 }), int16, int16, int16, fc.integer({ min: 0, max: 12 }), (sensorStatus, x, y, z, offset) => {
      const bytes = new Uint8Array(offset + FRAME_BODY_BYTES + 3).fill(0xa5);
      expect(encodeImuRate({ sensorStatus, rateXMradPerS: x, rateYMradPerS: y, rateZMradPerS: z }, bytes, offset)).toBe(FRAME_BODY_BYTES);
      expect(decodeImuRate(bytes, offset, FRAME_BODY_BYTES)).toEqual({ ok: true, value: { sensorStatus, rateXMradPerS: x, rateYMradPerS: y, rateZMradPerS: z } });
      encodeImuAccel({ sensorStatus, accelXCmPerS2: x, accelYCmPerS2: y, accelZCmPerS2: z }, bytes, offset);
      expect(decodeImuAccel(bytes, offset, FRAME_BODY_BYTES)).toEqual({ ok: true, value: { sensorStatus, accelXCmPerS2: x, accelYCmPerS2: y, accelZCmPerS2: z } });
      expect(bytes[offset + FRAME_BODY_BYTES]).toBe(0xa5);
    }), fcParams('sensor round trip', 1000));
  });

  it('ignores the counter nibble and rejects reserved bits, −32768 and wrong lengths with typed errors', () => {
    const bytes = new Uint8Array(FRAME_BODY_BYTES);
    encodeImuRate({ sensorStatus: 1, rateXMradPerS: 0, rateYMradPerS: 0, rateZMradPerS: 0 }, bytes, 0);
    bytes[0]! |= 0x0e;
    expect(decodeImuRate(bytes, 0, 7).ok).toBe(true);
    bytes[0] = 0x80;
    expect(decodeImuRate(bytes, 0, 7)).toEqual({ ok: false, error: { code: 'reserved_bits', field: 'sensorStatus', value: 8 } });
    bytes.set([0x00, 0x00, 0x00, 0x80, 0x00]);
    expect(decodeImuAccel(bytes, 0, 7)).toEqual({ ok: false, error: { code: 'out_of_range', field: 'accelYCmPerS2', value: -32768 } });
    expect(decodeImuRate(bytes, 0, 6)).toEqual({ ok: false, error: { code: 'length_mismatch', expectedBytes: 7, actualBytes: 6 } });
    expect(decodeImuRate(bytes, 3, 7)).toEqual({ ok: false, error: { code: 'length_mismatch', expectedBytes: 7, actualBytes: 4 } });
  });

  it('works on subarrays with a byte offset and when alternating between buffers', () => {
    const big = new Uint8Array(32);
    const frame = big.subarray(5, 13);
    const other = new Uint8Array(8);
    encodeImuRate({ sensorStatus: 2, rateXMradPerS: -5, rateYMradPerS: 6, rateZMradPerS: -7 }, frame, 1);
    encodeImuRate({ sensorStatus: 1, rateXMradPerS: 1, rateYMradPerS: 1, rateZMradPerS: 1 }, other, 1);
    expect(hex(big.subarray(5, 13))).toBe('0020fffb0006fff9');
    expect(decodeImuRate(big.subarray(6, 13), 0, 7)).toEqual({ ok: true, value: { sensorStatus: 2, rateXMradPerS: -5, rateYMradPerS: 6, rateZMradPerS: -7 } });
    expect(decodeImuRate(other, 1, 7).ok && decodeImuRate(frame, 1, 7)).toEqual({ ok: true, value: { sensorStatus: 2, rateXMradPerS: -5, rateYMradPerS: 6, rateZMradPerS: -7 } });
    expect(decodeImuRate(big.subarray(6, 12), 0, 7).ok).toBe(false);
  });

  it('decodeInto leaves the output untouched on error', () => {
    const out: ImuRate = { sensorStatus: 2, rateXMradPerS: 9, rateYMradPerS: 9, rateZMradPerS: 9 };
    expect(decodeImuRateInto(new Uint8Array(3), 0, 3, out)?.code).toBe('length_mismatch');
    expect(out).toEqual({ sensorStatus: 2, rateXMradPerS: 9, rateYMradPerS: 9, rateZMradPerS: 9 });
  });

  it('refuses to encode out-of-range values (programmer error)', () => {
    expect(() => encodeImuRate({ sensorStatus: 8, rateXMradPerS: 0, rateYMradPerS: 0, rateZMradPerS: 0 }, new Uint8Array(7), 0)).toThrow(AssertionError);
    expect(() => encodeImuRate({ sensorStatus: 0, rateXMradPerS: -32768, rateYMradPerS: 0, rateZMradPerS: 0 }, new Uint8Array(7), 0)).toThrow(AssertionError);
    expect(() => encodeImuRate({ sensorStatus: 0, rateXMradPerS: 0, rateYMradPerS: 0, rateZMradPerS: 0 }, new Uint8Array(7), 1)).toThrow(AssertionError);
  });
});

describe('command frame', () => {
  it('lays out the body byte by byte', () => {
    const command = createActuatorCommand();
    command.engaged = true;
    command.deflectionMrad.set([0x123, -1, 2047, -2047]);
    const bytes = new Uint8Array(8);
    encodeCommand(command, bytes, 1);
    expect(hex(bytes)).toBe('0010123fff7ff801');
  });

  it('round-trips every engaged flag and deflection', () => {
    fc.assert(fc.property(fc.boolean(), fc.array(int12, { minLength: ACTUATOR_COUNT, maxLength: ACTUATOR_COUNT }), (engaged, deflections) => {
      const command = createActuatorCommand();
      command.engaged = engaged;
      command.deflectionMrad.set(deflections);
      const bytes = new Uint8Array(FRAME_BODY_BYTES);
      encodeCommand(command, bytes, 0);
      const decoded = decodeCommand(bytes, 0, FRAME_BODY_BYTES);
      expect(decoded.ok && decoded.value.engaged).toBe(engaged);
      expect(decoded.ok && Array.from(decoded.value.deflectionMrad)).toEqual(deflections);
    }), fcParams('command round trip', 1000));
  });

  it('rejects −2048, reserved flag bits and wrong lengths; decodeInto fills a preallocated command', () => {
    expect(decodeCommand(Uint8Array.of(0, 0x80, 0, 0, 0, 0, 0), 0, 7)).toEqual({ ok: false, error: { code: 'out_of_range', field: 'deflectionMrad[0]', value: -2048 } });
    expect(decodeCommand(Uint8Array.of(0, 0, 0, 0, 0, 0x08, 0), 0, 7)).toEqual({ ok: false, error: { code: 'out_of_range', field: 'deflectionMrad[3]', value: -2048 } });
    expect(decodeCommand(Uint8Array.of(0x20, 0, 0, 0, 0, 0, 0), 0, 7)).toEqual({ ok: false, error: { code: 'reserved_bits', field: 'flags', value: 2 } });
    expect(decodeCommand(new Uint8Array(8), 0, 8).ok).toBe(false);
    const out = createActuatorCommand();
    expect(decodeCommandInto(Uint8Array.of(0x1f, 0, 0x10, 0x02, 0, 0, 0), 0, 7, out)).toBeNull();
    expect([out.engaged, ...out.deflectionMrad]).toEqual([true, 1, 2, 0, 0]);
  });
});

describe('channel status frame', () => {
  it('lays out the body byte by byte, counters sent modulo their width', () => {
    const bytes = new Uint8Array(7);
    encodeChannelStatus({ health: 'isolated', scrubCorrectedCount: 0x1_0102, scrubUncorrectableCount: 0x103, scrubPassCount: 4, clockOffsetMicros: -2 }, bytes, 0);
    expect(hex(bytes)).toBe('2001020304fffe');
  });

  it('round-trips every health code and field', () => {
    fc.assert(fc.property(fc.constantFrom(...CHANNEL_HEALTH_CODES), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), int16, (health, corrected, uncorrectable, passes, clock) => {
      const value = { health, scrubCorrectedCount: corrected, scrubUncorrectableCount: uncorrectable, scrubPassCount: passes, clockOffsetMicros: clock };
      const bytes = new Uint8Array(FRAME_BODY_BYTES);
      encodeChannelStatus(value, bytes, 0);
      expect(decodeChannelStatus(bytes, 0, FRAME_BODY_BYTES)).toEqual({ ok: true, value });
    }), fcParams('status round trip', 1000));
  });

  it('rejects unknown health codes and clock offset −32768', () => {
    expect(decodeChannelStatus(Uint8Array.of(0x50, 0, 0, 0, 0, 0, 0), 0, 7)).toEqual({ ok: false, error: { code: 'out_of_range', field: 'health', value: 5 } });
    expect(decodeChannelStatus(Uint8Array.of(0x00, 0, 0, 0, 0, 0x80, 0), 0, 7)).toEqual({ ok: false, error: { code: 'out_of_range', field: 'clockOffsetMicros', value: -32768 } });
  });
});
