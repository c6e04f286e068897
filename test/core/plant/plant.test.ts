import { describe, expect, test } from 'vitest';
import { Prng } from '../../../src/core/sim/prng.js';
import { Plant, STATE_ACTUATOR, STATE_LENGTH, STATE_P, STATE_QW } from '../../../src/core/plant/plant.js';
import { aerosondeVehicle, DEFAULT_ACTUATOR, DEFAULT_GUST, NO_GUST, type VehicleParams } from '../../../src/core/plant/vehicle.js';
import { testSeed } from '../../support/seed.js';

const ZERO = new Float64Array(4);
/** Torque-free rigid body: no damping, no gusts (actuators held at zero). */
const freeBody: VehicleParams = aerosondeVehicle({ dampingNmPerRadPerS: [0, 0, 0, 0, 0, 0, 0, 0, 0], gust: NO_GUST });

function tumble(dtS: number, seconds: number, normalise: boolean): Float64Array {
  const plant = new Plant(freeBody, new Prng(1), { normalise });
  plant.setAttitude(0.2, -0.1, 0.4);
  plant.setRates(1.0, -0.5, 2.0);
  const steps = Math.round(seconds / dtS);
  for (let i = 0; i < steps; i++) plant.step(ZERO, dtS);
  return Float64Array.from(plant.state);
}

function distance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < STATE_ACTUATOR; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}

describe('plant RK4 integration', () => {
  test('global error falls about 16× when the step halves (fourth order)', () => {
    const reference = tumble(0.0005, 1, false);
    const coarse = distance(tumble(0.02, 1, false), reference);
    const fine = distance(tumble(0.01, 1, false), reference);
    const finer = distance(tumble(0.005, 1, false), reference);
    expect(coarse / fine).toBeGreaterThan(13);
    expect(coarse / fine).toBeLessThan(19);
    expect(fine / finer).toBeGreaterThan(13);
    expect(fine / finer).toBeLessThan(19);
  });

  test('torque-free tumbling conserves kinetic energy, |H| and the quaternion norm', () => {
    const plant = new Plant(freeBody, new Prng(2));
    plant.setRates(1.0, -0.5, 2.0);
    const energy = plant.kineticEnergyJ();
    const momentum = plant.angularMomentumNorm();
    for (let i = 0; i < 10_000; i++) {
      plant.step(ZERO, 0.001);
      const s = plant.state;
      expect(Math.abs(Math.hypot(s[0]!, s[1]!, s[2]!, s[3]!) - 1)).toBeLessThan(1e-12);
    }
    expect(Math.abs(plant.kineticEnergyJ() - energy) / energy).toBeLessThan(1e-9);
    expect(Math.abs(plant.angularMomentumNorm() - momentum) / momentum).toBeLessThan(1e-9);
  });

  test('steady rotation about the principal pitch axis matches the closed form', () => {
    const plant = new Plant(freeBody, new Prng(3));
    plant.setRates(0, 0.7, 0);
    for (let i = 0; i < 2000; i++) plant.step(ZERO, 0.002);
    const angle = 0.7 * 4;
    expect(plant.state[STATE_QW]).toBeCloseTo(Math.cos(angle / 2), 10);
    expect(plant.state[STATE_QW + 2]).toBeCloseTo(Math.sin(angle / 2), 10);
    expect(Math.abs(plant.state[STATE_QW + 1]!) + Math.abs(plant.state[STATE_QW + 3]!)).toBeLessThan(1e-12);
  });

  test('aerodynamic damping makes a free roll rate decay', () => {
    const plant = new Plant(aerosondeVehicle({ gust: NO_GUST }), new Prng(4));
    plant.setRates(1, 0, 0);
    for (let i = 0; i < 250; i++) plant.step(ZERO, 0.004);
    expect(Math.abs(plant.state[STATE_P]!)).toBeLessThan(0.01);
  });
});

describe('actuators', () => {
  const calm = aerosondeVehicle({ gust: NO_GUST });

  test('a small step follows the first-order lag (no rate limiting)', () => {
    const plant = new Plant(calm, new Prng(5));
    const command = Float64Array.of(0, 0, 2, 0);
    for (let i = 0; i < 20; i++) plant.step(command, 0.001);
    expect(plant.state[STATE_ACTUATOR + 2]).toBeCloseTo(2 * (1 - Math.exp(-1)), 4);
  });

  test('a large step slews at the rate limit, then settles without overshoot', () => {
    const plant = new Plant(calm, new Prng(6));
    const command = Float64Array.of(20, 0, 0, 0);
    for (let i = 0; i < 40; i++) plant.step(command, 0.001);
    expect(plant.state[STATE_ACTUATOR]).toBeCloseTo(DEFAULT_ACTUATOR.rateLimitDegPerS * 0.04, 6);
    let previous = plant.state[STATE_ACTUATOR]!;
    for (let i = 0; i < 500; i++) {
      plant.step(command, 0.001);
      const d = plant.state[STATE_ACTUATOR]!;
      expect(d - previous).toBeLessThanOrEqual(DEFAULT_ACTUATOR.rateLimitDegPerS * 0.001 + 1e-9);
      expect(d).toBeLessThanOrEqual(20);
      previous = d;
    }
    expect(plant.state[STATE_ACTUATOR]).toBeCloseTo(20, 6);
  });

  test('commands beyond travel are clamped; a non-finite command holds zero', () => {
    const plant = new Plant(calm, new Prng(7));
    const command = Float64Array.of(-40, 40, Number.NaN, Number.POSITIVE_INFINITY);
    for (let i = 0; i < 2000; i++) {
      plant.step(command, 0.001);
      for (let k = 0; k < 4; k++) expect(Math.abs(plant.state[STATE_ACTUATOR + k]!)).toBeLessThanOrEqual(25);
    }
    const final = plant.state.subarray(STATE_ACTUATOR);
    [-25, 25, 0, 0].forEach((expected, k) => { expect(final[k]).toBeCloseTo(expected, 9); });
  });

  test('effectiveness signs: left aileron rolls right, elevator down pitches nose down, rudder yaws left', () => {
    const cases: [number, number, number][] = [[0, 0, 1], [2, 1, -1], [3, 2, -1]];
    for (const [actuator, axis, sign] of cases) {
      const plant = new Plant(calm, new Prng(8));
      const command = new Float64Array(4);
      command[actuator] = 5;
      for (let i = 0; i < 100; i++) plant.step(command, 0.001);
      expect(Math.sign(plant.state[STATE_P + axis]!)).toBe(sign);
    }
  });
});

describe('gusts', () => {
  test('gust torque has the configured standard deviation and correlation time', () => {
    const seed = testSeed('plant gust statistics');
    const plant = new Plant(aerosondeVehicle(), new Prng(seed));
    const dtS = 0.004;
    const n = 200_000;
    const lag = Math.round(DEFAULT_GUST.correlationTimeS / dtS);
    const history = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      plant.step(ZERO, dtS);
      history[i] = plant.gustTorqueNm[0]!;
    }
    let sumSq = 0;
    let sumLag = 0;
    for (let i = 0; i < n; i++) sumSq += history[i]! ** 2;
    for (let i = lag; i < n; i++) sumLag += history[i]! * history[i - lag]!;
    const variance = sumSq / n;
    expect(Math.sqrt(variance)).toBeGreaterThan(DEFAULT_GUST.sigmaNm[0] * 0.85);
    expect(Math.sqrt(variance)).toBeLessThan(DEFAULT_GUST.sigmaNm[0] * 1.15);
    const correlation = sumLag / (n - lag) / variance;
    expect(correlation).toBeGreaterThan(Math.exp(-1) - 0.12);
    expect(correlation).toBeLessThan(Math.exp(-1) + 0.12);
  });

  test('same seed gives a bit-identical trajectory; another seed does not', () => {
    const seed = testSeed('plant determinism');
    const run = (s: number): Float64Array => {
      const plant = new Plant(aerosondeVehicle(), new Prng(s));
      const command = Float64Array.of(1, -1, 2, 0.5);
      for (let i = 0; i < 5000; i++) plant.step(command, 0.004);
      return Float64Array.from(plant.state);
    };
    expect(Array.from(run(seed))).toEqual(Array.from(run(seed)));
    expect(Array.from(run(seed))).not.toEqual(Array.from(run(seed + 1)));
    expect(run(seed).length).toBe(STATE_LENGTH);
  });
});
