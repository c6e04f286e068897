import { describe, expect, test } from 'vitest';
import { Prng } from '../../../src/core/sim/prng.js';
import { Plant } from '../../../src/core/plant/plant.js';
import { createImus, DEFAULT_IMU, Imu, IMU_FULL_SCALE_COUNTS, IMU_SAMPLE_LENGTH, type ImuParams } from '../../../src/core/plant/imu.js';
import { aerosondeVehicle, NO_GUST, GRAVITY_M_PER_S2 } from '../../../src/core/plant/vehicle.js';
import { RAD_PER_DEG } from '../../../src/core/plant/quaternion.js';
import { testSeed } from '../../support/seed.js';

const PERIOD_MICROS = 4000;

function levelPlant(): Plant {
  const plant = new Plant(aerosondeVehicle({ gust: NO_GUST }), new Prng(1));
  plant.setAttitude(20 * RAD_PER_DEG, 5 * RAD_PER_DEG, 0);
  plant.setRates(0.1, -0.2, 0.05);
  return plant;
}

interface Stats { mean: Float64Array; std: Float64Array }

function collect(imu: Imu, plant: Plant, n: number, startMicros = 0): Stats {
  const out = new Float64Array(IMU_SAMPLE_LENGTH);
  const sum = new Float64Array(IMU_SAMPLE_LENGTH);
  const sumSq = new Float64Array(IMU_SAMPLE_LENGTH);
  for (let i = 0; i < n; i++) {
    expect(imu.sample(plant.state, startMicros + i * PERIOD_MICROS, out)).toBe(true);
    for (let k = 0; k < IMU_SAMPLE_LENGTH; k++) {
      sum[k]! += out[k]!;
      sumSq[k]! += out[k]! ** 2;
    }
  }
  const mean = sum.map((s) => s / n);
  const std = sumSq.map((s, k) => Math.sqrt(s / n - mean[k]! ** 2));
  return { mean, std };
}

function ideal(plant: Plant): number[] {
  const s = plant.state;
  const [w, x, y, z] = [s[0]!, s[1]!, s[2]!, s[3]!];
  const g = GRAVITY_M_PER_S2;
  return [s[4]!, s[5]!, s[6]!, -g * 2 * (x * z - w * y), -g * 2 * (y * z + w * x), -g * (1 - 2 * (x * x + y * y))];
}

describe('IMU model', () => {
  test('noise standard deviation and mean (truth + bias) match the parameters', () => {
    const plant = levelPlant();
    const imu = new Imu(DEFAULT_IMU, new Prng(testSeed('imu statistics')));
    const { mean, std } = collect(imu, plant, 40_000);
    const truth = ideal(plant);
    for (let k = 0; k < IMU_SAMPLE_LENGTH; k++) {
      const sigma = k < 3 ? DEFAULT_IMU.gyroNoiseRadPerS : DEFAULT_IMU.accelNoiseMPerS2;
      expect(std[k]! / sigma).toBeGreaterThan(0.95);
      expect(std[k]! / sigma).toBeLessThan(1.05);
      expect(Math.abs(mean[k]! - truth[k]! - imu.bias[k]!)).toBeLessThan(5 * sigma / Math.sqrt(40_000) + (k < 3 ? DEFAULT_IMU.gyroLsbRadPerS : DEFAULT_IMU.accelLsbMPerS2));
    }
  });

  test('turn-on biases across many units have the configured spread', () => {
    const root = new Prng(testSeed('imu bias spread'));
    let sumSqGyro = 0;
    let sumSqAccel = 0;
    const units = 2000;
    for (let i = 0; i < units; i++) {
      const imu = new Imu(DEFAULT_IMU, root.fork(i));
      sumSqGyro += imu.bias[0]! ** 2;
      sumSqAccel += imu.bias[4]! ** 2;
    }
    expect(Math.sqrt(sumSqGyro / units) / DEFAULT_IMU.gyroBiasRadPerS).toBeGreaterThan(0.9);
    expect(Math.sqrt(sumSqGyro / units) / DEFAULT_IMU.gyroBiasRadPerS).toBeLessThan(1.1);
    expect(Math.sqrt(sumSqAccel / units) / DEFAULT_IMU.accelBiasMPerS2).toBeGreaterThan(0.9);
    expect(Math.sqrt(sumSqAccel / units) / DEFAULT_IMU.accelBiasMPerS2).toBeLessThan(1.1);
  });

  test('outputs are whole multiples of the LSB and saturate at full scale', () => {
    const plant = levelPlant();
    plant.setRates(40, -0.3, 0);
    const imu = new Imu(DEFAULT_IMU, new Prng(testSeed('imu quantisation')));
    const out = new Float64Array(IMU_SAMPLE_LENGTH);
    for (let i = 0; i < 1000; i++) {
      imu.sample(plant.state, i * PERIOD_MICROS, out);
      for (let k = 0; k < IMU_SAMPLE_LENGTH; k++) {
        const lsb = k < 3 ? DEFAULT_IMU.gyroLsbRadPerS : DEFAULT_IMU.accelLsbMPerS2;
        expect(Math.abs(out[k]! / lsb - Math.round(out[k]! / lsb))).toBeLessThan(1e-6);
      }
      expect(out[0]).toBe(IMU_FULL_SCALE_COUNTS * DEFAULT_IMU.gyroLsbRadPerS);
    }
    // A coarse LSB shows the step directly: the gyro takes few distinct values, 0.5 rad/s apart.
    const coarse: ImuParams = { ...DEFAULT_IMU, gyroLsbRadPerS: 0.5 };
    const unit = new Imu(coarse, new Prng(1));
    const seen = new Set<number>();
    const halfway = levelPlant();
    halfway.setRates(0, -0.25, 0);
    for (let i = 0; i < 200; i++) {
      unit.sample(halfway.state, i * PERIOD_MICROS, out);
      seen.add(out[1]!);
    }
    expect([...seen].sort()).toEqual([-0.5, 0]);
  });

  test('same seed → same samples; the three units of a run are independent', () => {
    const seed = testSeed('imu determinism');
    const plant = levelPlant();
    const a = createImus(DEFAULT_IMU, [1, 2, 3].map((i) => new Prng(seed).fork(i)));
    const b = createImus(DEFAULT_IMU, [1, 2, 3].map((i) => new Prng(seed).fork(i)));
    const outA = new Float64Array(IMU_SAMPLE_LENGTH);
    const outB = new Float64Array(IMU_SAMPLE_LENGTH);
    const outC = new Float64Array(IMU_SAMPLE_LENGTH);
    for (let i = 0; i < 100; i++) {
      a[0]!.sample(plant.state, i * PERIOD_MICROS, outA);
      b[0]!.sample(plant.state, i * PERIOD_MICROS, outB);
      a[1]!.sample(plant.state, i * PERIOD_MICROS, outC);
      expect(Array.from(outA)).toEqual(Array.from(outB));
      expect(Array.from(outA)).not.toEqual(Array.from(outC));
    }
  });
});

describe('IMU faults', () => {
  test('stuck holds the last output; clearing resumes the unfaulted sequence', () => {
    const seed = testSeed('imu stuck');
    const plant = levelPlant();
    const faulty = new Imu(DEFAULT_IMU, new Prng(seed));
    const twin = new Imu(DEFAULT_IMU, new Prng(seed));
    const out = new Float64Array(IMU_SAMPLE_LENGTH);
    const twinOut = new Float64Array(IMU_SAMPLE_LENGTH);
    for (let i = 0; i < 10; i++) {
      faulty.sample(plant.state, i * PERIOD_MICROS, out);
      twin.sample(plant.state, i * PERIOD_MICROS, twinOut);
    }
    const held = Array.from(out);
    faulty.injectFault({ kind: 'stuck' }, 10 * PERIOD_MICROS);
    expect(faulty.faultName).toBe('stuck');
    for (let i = 10; i < 50; i++) {
      expect(faulty.sample(plant.state, i * PERIOD_MICROS, out)).toBe(true);
      twin.sample(plant.state, i * PERIOD_MICROS, twinOut);
      expect(Array.from(out)).toEqual(held);
    }
    faulty.injectFault({ kind: 'ok' }, 50 * PERIOD_MICROS);
    faulty.sample(plant.state, 50 * PERIOD_MICROS, out);
    twin.sample(plant.state, 50 * PERIOD_MICROS, twinOut);
    expect(Array.from(out)).toEqual(Array.from(twinOut));
  });

  test('bias jump shifts the mean by the injected offsets', () => {
    const seed = testSeed('imu bias jump');
    const plant = levelPlant();
    const clean = collect(new Imu(DEFAULT_IMU, new Prng(seed)), plant, 5000);
    const imu = new Imu(DEFAULT_IMU, new Prng(seed));
    imu.injectFault({ kind: 'bias_jump', gyroRadPerS: [0.5, 0, -0.25], accelMPerS2: [0, 2, 0] }, 0);
    const jumped = collect(imu, plant, 5000);
    const offsets = [0.5, 0, -0.25, 0, 2, 0];
    for (let k = 0; k < IMU_SAMPLE_LENGTH; k++) expect(jumped.mean[k]! - clean.mean[k]!).toBeCloseTo(offsets[k]!, 2);
  });

  test('noise burst multiplies the noise for its duration only', () => {
    const plant = levelPlant();
    const imu = new Imu(DEFAULT_IMU, new Prng(testSeed('imu noise burst')));
    imu.injectFault({ kind: 'noise_burst', factor: 10, durationMicros: 5000 * PERIOD_MICROS }, 0);
    const during = collect(imu, plant, 5000);
    expect(during.std[0]! / DEFAULT_IMU.gyroNoiseRadPerS).toBeGreaterThan(9);
    expect(during.std[0]! / DEFAULT_IMU.gyroNoiseRadPerS).toBeLessThan(11);
    const after = collect(imu, plant, 5000, 5000 * PERIOD_MICROS);
    expect(imu.faultName).toBe('ok');
    expect(after.std[0]! / DEFAULT_IMU.gyroNoiseRadPerS).toBeLessThan(1.1);
  });

  test('dead returns false and leaves the output untouched', () => {
    const plant = levelPlant();
    const imu = new Imu(DEFAULT_IMU, new Prng(testSeed('imu dead')));
    imu.injectFault({ kind: 'dead' }, 0);
    const out = new Float64Array(IMU_SAMPLE_LENGTH).fill(42);
    for (let i = 0; i < 10; i++) expect(imu.sample(plant.state, i * PERIOD_MICROS, out)).toBe(false);
    expect(Array.from(out)).toEqual(new Array<number>(IMU_SAMPLE_LENGTH).fill(42));
    imu.injectFault({ kind: 'ok' }, 10 * PERIOD_MICROS);
    expect(imu.sample(plant.state, 10 * PERIOD_MICROS, out)).toBe(true);
  });
});
