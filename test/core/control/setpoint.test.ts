import { describe, expect, test } from 'vitest';
import {
  HOLD_LEVEL, SCHEDULES, setpointAt, STANDARD_MANOEUVRES, stepSchedule, validateSchedule,
} from '../../../src/core/control/setpoint.js';
import { RAD_PER_DEG } from '../../../src/core/plant/quaternion.js';

const out = new Float64Array(6);

describe('setpoint schedules', () => {
  test('hold is level for ever; a step jumps at its time', () => {
    setpointAt(HOLD_LEVEL, 123_456_789, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    const step = stepSchedule(1, 0, 10, 0);
    setpointAt(step, 999_999, out);
    expect(out[1]).toBe(0);
    setpointAt(step, 1_000_000, out);
    expect(out[1]).toBeCloseTo(10 * RAD_PER_DEG, 12);
    expect(out[4]).toBe(0);
  });

  test('the standard cycle is valid, continuous, periodic, and its feedforward is the derivative', () => {
    for (const schedule of Object.values(SCHEDULES)) validateSchedule(schedule);
    const previous = new Float64Array(6);
    const dtMicros = 1000;
    setpointAt(STANDARD_MANOEUVRES, 0, previous);
    for (let t = dtMicros; t <= 120_000_000; t += dtMicros) {
      setpointAt(STANDARD_MANOEUVRES, t, out);
      for (let k = 0; k < 3; k++) expect(Math.abs(out[k]! - previous[k]!)).toBeLessThan(0.001);
      // Single-axis segments: body rate equals the Euler rate of the moving axis (roll/pitch/yaw at level).
      const rollDot = (out[0]! - previous[0]!) / (dtMicros * 1e-6);
      const pitchDot = (out[1]! - previous[1]!) / (dtMicros * 1e-6);
      const yawDot = (out[2]! - previous[2]!) / (dtMicros * 1e-6);
      const p = rollDot - yawDot * Math.sin(out[1]!);
      const q = pitchDot * Math.cos(out[0]!) + yawDot * Math.sin(out[0]!) * Math.cos(out[1]!);
      const r = -pitchDot * Math.sin(out[0]!) + yawDot * Math.cos(out[0]!) * Math.cos(out[1]!);
      expect(out[3]).toBeCloseTo(p, 2);
      expect(out[4]).toBeCloseTo(q, 2);
      expect(out[5]).toBeCloseTo(r, 2);
      previous.set(out);
    }
    setpointAt(STANDARD_MANOEUVRES, 9_000_000, out);
    const first = Array.from(out);
    setpointAt(STANDARD_MANOEUVRES, 69_000_000, out);
    expect(Array.from(out)).toEqual(first);
    expect(first[0]).toBeCloseTo(30 * RAD_PER_DEG, 12);
  });

  test('overlapping segments are rejected', () => {
    expect(() => { validateSchedule({ name: 'bad', periodS: 0, segments: [{ startS: 1, transitionS: 2, rollDeg: 1, pitchDeg: 0, yawDeg: 0 }, { startS: 2, transitionS: 0, rollDeg: 0, pitchDeg: 0, yawDeg: 0 }] }); }).toThrow();
  });
});
