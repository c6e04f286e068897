import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  attitudeErrorDeg, eulerFromQuaternion, quaternionAngleDeg, quaternionFromEuler, specificForceBody, RAD_PER_DEG,
} from '../../../src/core/plant/quaternion.js';
import { fcParams } from '../../support/seed.js';

describe('quaternion helpers', () => {
  test('Euler → quaternion → Euler round-trips away from gimbal lock', () => {
    const q = new Float64Array(4);
    const e = new Float64Array(3);
    fc.assert(fc.property(
      fc.double({ min: -3.1, max: 3.1, noNaN: true }), fc.double({ min: -1.5, max: 1.5, noNaN: true }), fc.double({ min: -3.1, max: 3.1, noNaN: true }),
      (roll, pitch, yaw) => {
        quaternionFromEuler(roll, pitch, yaw, q);
        expect(Math.hypot(q[0]!, q[1]!, q[2]!, q[3]!)).toBeCloseTo(1, 12);
        eulerFromQuaternion(q, 0, e);
        expect(e[0]).toBeCloseTo(roll, 8);
        expect(e[1]).toBeCloseTo(pitch, 8);
        expect(e[2]).toBeCloseTo(yaw, 8);
      },
    ), fcParams('quaternion euler round trip', 2000));
  });

  test('attitude error is the single-rotation angle, sign-invariant', () => {
    const q = new Float64Array(4);
    const scratch = new Float64Array(4);
    quaternionFromEuler(10 * RAD_PER_DEG, 0, 0, q);
    expect(attitudeErrorDeg(q, 0, 0, 0, 0, scratch)).toBeCloseTo(10, 10);
    expect(attitudeErrorDeg(q, 0, 10 * RAD_PER_DEG, 0, 0, scratch)).toBeLessThan(1e-6);
    for (let i = 0; i < 4; i++) q[i] = -q[i]!;
    expect(attitudeErrorDeg(q, 0, 0, 0, 0, scratch)).toBeCloseTo(10, 10);
    const level = Float64Array.of(1, 0, 0, 0);
    quaternionFromEuler(0, 0, 170 * RAD_PER_DEG, q);
    expect(quaternionAngleDeg(level, 0, q, 0)).toBeCloseTo(170, 8);
    expect(attitudeErrorDeg(q, 0, 0, 0, -170 * RAD_PER_DEG, scratch)).toBeCloseTo(20, 8);
  });

  test('specific force of a body at rest is −g along body "down", rotated by the attitude', () => {
    const q = new Float64Array(4);
    const f = new Float64Array(3);
    quaternionFromEuler(0, 0, 1.2, q);
    specificForceBody(q, 0, 9.8, f, 0);
    expect(Math.abs(f[0]!) + Math.abs(f[1]!)).toBeLessThan(1e-12);
    expect(f[2]).toBeCloseTo(-9.8, 12);
    quaternionFromEuler(30 * RAD_PER_DEG, 10 * RAD_PER_DEG, 0, q);
    specificForceBody(q, 0, 9.8, f, 0);
    expect(f[0]).toBeCloseTo(9.8 * Math.sin(10 * RAD_PER_DEG), 10);
    expect(f[1]).toBeCloseTo(-9.8 * Math.cos(10 * RAD_PER_DEG) * Math.sin(30 * RAD_PER_DEG), 10);
    expect(f[2]).toBeCloseTo(-9.8 * Math.cos(10 * RAD_PER_DEG) * Math.cos(30 * RAD_PER_DEG), 10);
  });
});
