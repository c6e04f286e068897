/**
 * Wire scaling (src/core/frame/scaling.ts): the units a user reads in docs/WIRE.md are the units
 * on the wire, encoders saturate instead of wrapping, and a decoded code re-encodes to itself.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  accelCodeOf, accelOfCode, commandCodeOf, commandDegOfCode, rateCodeOf, rateOfCode,
} from '../../../src/core/frame/scaling.js';
import { encodeCommand, decodeCommandInto, createActuatorCommand } from '../../../src/core/frame/command-frame.js';
import { FRAME_BODY_BYTES } from '../../../src/core/frame/ids.js';
import { fcParams } from '../../support/seed.js';

describe('wire scaling', () => {
  it('uses the documented units: mrad/s, cm/s², mrad', () => {
    expect(rateCodeOf(1)).toBe(1000);
    expect(rateOfCode(-250)).toBe(-0.25);
    expect(accelCodeOf(-9.80665)).toBe(-981);
    expect(accelOfCode(981)).toBeCloseTo(9.81, 12);
    expect(commandCodeOf(1)).toBe(17); // 1° = 17.45 mrad
    expect(commandCodeOf(-1)).toBe(-17);
    expect(commandDegOfCode(1000)).toBeCloseTo(57.29578, 5);
  });

  it('saturates at the code limits instead of wrapping (a wrapped code would flip the sign on the wire)', () => {
    expect(rateCodeOf(40)).toBe(32767);
    expect(rateCodeOf(-40)).toBe(-32767);
    expect(accelCodeOf(400)).toBe(32767);
    expect(accelCodeOf(-400)).toBe(-32767);
    expect(commandCodeOf(200)).toBe(2047);
    expect(commandCodeOf(-200)).toBe(-2047);
  });

  it('re-encodes every decoded code to itself, and rounds to within half a code', () => {
    fc.assert(fc.property(fc.integer({ min: -32767, max: 32767 }), fc.integer({ min: -2047, max: 2047 }), fc.double({ min: -30, max: 30, noNaN: true }), (code, command, x) => {
      expect(rateCodeOf(rateOfCode(code))).toBe(code);
      expect(accelCodeOf(accelOfCode(code))).toBe(code);
      expect(commandCodeOf(commandDegOfCode(command))).toBe(command);
      expect(Math.abs(rateOfCode(rateCodeOf(x)) - x)).toBeLessThanOrEqual(0.0005 + 1e-12);
    }), fcParams('wire scaling round trip'));
  });

  it('produces codes the command frame accepts at the limits', () => {
    const c = createActuatorCommand();
    c.engaged = true;
    for (let i = 0; i < 4; i++) c.deflectionMrad[i] = commandCodeOf(i % 2 === 0 ? 1e6 : -1e6);
    const buf = new Uint8Array(FRAME_BODY_BYTES);
    encodeCommand(c, buf, 0);
    const back = createActuatorCommand();
    expect(decodeCommandInto(buf, 0, FRAME_BODY_BYTES, back)).toBeNull();
    expect(Array.from(back.deflectionMrad)).toEqual([2047, -2047, 2047, -2047]);
  });
});
