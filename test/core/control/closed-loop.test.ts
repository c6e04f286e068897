/**
 * The vehicle and the law together (one channel, three IMUs, mid-value select). Envelope
 * figures asserted here are the ones docs/VEHICLE.md quotes.
 */
import { describe, expect, test } from 'vitest';
import { Loop } from './loop-support.js';
import { STANDARD_MANOEUVRES, stepSchedule } from '../../../src/core/control/setpoint.js';
import { defaultGains } from '../../../src/core/control/gains.js';
import { aerosondeVehicle, DEFAULT_ACTUATOR, FLIGHT_ENVELOPE, NO_GUST } from '../../../src/core/plant/vehicle.js';
import { eulerFromQuaternion } from '../../../src/core/plant/quaternion.js';
import { STATE_QW } from '../../../src/core/plant/plant.js';
import { testSeed } from '../../support/seed.js';

const NOMINAL_ERROR_DEG_MAX = 2;

describe('closed loop under seeded gusts', () => {
  test('attitude hold stays within 2° for 60 s at 250 Hz and at 1 kHz', () => {
    const seed = testSeed('closed-loop hold');
    for (const rateHz of [250, 1000]) {
      const loop = new Loop({ seed, rateHz });
      loop.run(60);
      expect(loop.maxErrorDeg).toBeLessThan(NOMINAL_ERROR_DEG_MAX);
      expect(loop.maxRateRadPerS).toBeLessThan(FLIGHT_ENVELOPE.bodyRateRadPerSMax);
      expect(loop.lawFaults).toBe(0);
    }
  });

  test('the standard manoeuvre cycle is tracked within 2° for two periods', () => {
    const loop = new Loop({ seed: testSeed('closed-loop standard'), schedule: STANDARD_MANOEUVRES });
    loop.run(120);
    expect(loop.maxErrorDeg).toBeLessThan(NOMINAL_ERROR_DEG_MAX);
  });

  // A persisting one-sided fault makes the median of the other two biased by ≈ σ/√π of the
  // gyro noise, which the estimator cannot remove about yaw (docs/VEHICLE.md, "IMU model"):
  // the sensor monitor must isolate the unit. Over 15 s the drift stays inside the bound.
  test('one faulty IMU (stuck, dead, bias jump, noise burst) is outvoted for 15 s', () => {
    const seed = testSeed('closed-loop imu faults');
    const faults = [
      { kind: 'stuck' },
      { kind: 'dead' },
      { kind: 'bias_jump', gyroRadPerS: [0.3, -0.3, 0.3], accelMPerS2: [3, 3, 3] },
      { kind: 'noise_burst', factor: 50, durationMicros: 20_000_000 },
    ] as const;
    for (const fault of faults) {
      const loop = new Loop({ seed, schedule: STANDARD_MANOEUVRES });
      loop.run(4);
      loop.imus[1]!.injectFault(fault, loop.nowMicros);
      loop.run(15);
      expect(loop.maxErrorDeg, fault.kind).toBeLessThan(NOMINAL_ERROR_DEG_MAX);
    }
  });

  test('same seed → bit-identical trajectory; another seed → a different one', () => {
    const seed = testSeed('closed-loop determinism');
    const run = (s: number): number[] => {
      const loop = new Loop({ seed: s, schedule: STANDARD_MANOEUVRES });
      loop.run(10);
      return [...Array.from(loop.plant.state), ...Array.from(loop.memory.words)];
    };
    expect(run(seed)).toEqual(run(seed));
    expect(run(seed)).not.toEqual(run(seed + 1));
  });
});

/** Time after the step until the error last left a band of 5 % of the step; and the peak overshoot (deg). */
function stepResponse(axis: 0 | 1 | 2, stepDeg: number, rateHz: number, vehicle = aerosondeVehicle({ gust: NO_GUST }), antiWindupGain?: number) {
  const angles: [number, number, number] = [0, 0, 0];
  angles[axis] = stepDeg;
  const gains = defaultGains(vehicle);
  const loop = new Loop({
    seed: 1, rateHz, vehicle, schedule: stepSchedule(1, ...angles),
    gains: antiWindupGain === undefined ? gains : { ...gains, antiWindupGain, integratorMax: [1000, 1000, 1000] },
  });
  loop.run(1);
  const euler = new Float64Array(3);
  let settleS = 0;
  let overshootDeg = 0;
  const cycles = 6 * rateHz;
  for (let i = 0; i < cycles; i++) {
    loop.cycle();
    if (loop.errorDeg() > 0.05 * Math.abs(stepDeg)) settleS = (i + 1) / rateHz;
    eulerFromQuaternion(loop.plant.state, STATE_QW, euler);
    overshootDeg = Math.max(overshootDeg, Math.sign(stepDeg) * (euler[axis]! * 180 / Math.PI - stepDeg));
  }
  return { settleS, overshootDeg, finalErrorDeg: loop.errorDeg() };
}

describe('step response (no gusts)', () => {
  test('steps settle to 5 % within the documented times, with < 10 % overshoot', () => {
    const cases = [
      { axis: 0, stepDeg: 20, settleSMax: 0.6 },
      { axis: 1, stepDeg: 10, settleSMax: 0.7 },
      { axis: 2, stepDeg: 10, settleSMax: 0.9 },
    ] as const;
    for (const rateHz of [250, 1000]) {
      for (const c of cases) {
        const r = stepResponse(c.axis, c.stepDeg, rateHz);
        expect(r.settleS, `axis ${c.axis} at ${rateHz} Hz`).toBeGreaterThan(0.1);
        expect(r.settleS, `axis ${c.axis} at ${rateHz} Hz`).toBeLessThan(c.settleSMax);
        expect(r.overshootDeg).toBeLessThan(0.1 * c.stepDeg);
        expect(r.finalErrorDeg).toBeLessThan(0.1);
      }
    }
  });

  test('anti-windup limits the overshoot after the elevator saturates', () => {
    const weakElevator = aerosondeVehicle({ gust: NO_GUST, actuator: { ...DEFAULT_ACTUATOR, positionLimitDeg: [25, 25, 4, 25] } });
    const withAntiWindup = stepResponse(1, 15, 250, weakElevator, 8);
    const without = stepResponse(1, 15, 250, weakElevator, 0);
    expect(without.overshootDeg).toBeGreaterThan(3);
    expect(withAntiWindup.overshootDeg).toBeLessThan(0.5);
    expect(withAntiWindup.settleS).toBeLessThan(without.settleS);
  });
});
