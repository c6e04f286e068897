import { describe, expect, test } from 'vitest';
import { Prng } from '../../../src/core/sim/prng.js';
import { Plant } from '../../../src/core/plant/plant.js';
import { DEFAULT_IMU, Imu, IMU_SAMPLE_LENGTH, type ImuFault, type ImuParams } from '../../../src/core/plant/imu.js';
import { aerosondeVehicle, NO_GUST, GRAVITY_M_PER_S2 } from '../../../src/core/plant/vehicle.js';
import { RAD_PER_DEG } from '../../../src/core/plant/quaternion.js';
import { testSeed } from '../../support/seed.js';

const PERIOD_MICROS = 4000;
const GYRO_LSB = DEFAULT_IMU.gyroLsbRadPerS;

function levelPlant(): Plant {
  const plant = new Plant(aerosondeVehicle({ gust: NO_GUST }), new Prng(1));
  plant.setAttitude(20 * RAD_PER_DEG, 5 * RAD_PER_DEG, 0);
  plant.setRates(0.1, -0.2, 0.05);
  return plant;
}

/** The noise-free IMU reading of the plant state (body rates, specific force). */
function ideal(plant: Plant): number[] {
  const s = plant.state;
  const [w, x, y, z] = [s[0]!, s[1]!, s[2]!, s[3]!];
  const g = GRAVITY_M_PER_S2;
  return [s[4]!, s[5]!, s[6]!, -g * 2 * (x * z - w * y), -g * 2 * (y * z + w * x), -g * (1 - 2 * (x * x + y * y))];
}

/** FNV-1a over the bytes of every sample value (the hash the golden figures below were taken with). */
class SampleHash {
  value = 0x811c9dc5;
  private readonly view = new DataView(new ArrayBuffer(8));

  add(out: Float64Array): void {
    for (let k = 0; k < IMU_SAMPLE_LENGTH; k++) {
      this.view.setFloat64(0, out[k]!);
      for (let b = 0; b < 8; b++) {
        this.value ^= this.view.getUint8(b);
        this.value = Math.imul(this.value, 0x01000193) >>> 0;
      }
    }
  }
}

interface Golden {
  readonly params: ImuParams;
  readonly fault: ImuFault | null;
  readonly hash: number;
  readonly rows: Readonly<Record<number, readonly number[] | null>>;
}

// Captured from src/core/plant/imu.ts before the drift and scale faults were added: seed
// 20240611, levelPlant(), 100 samples at 250 Hz, `fault` injected at sample 5 and 'ok' at 60.
const GOLDEN_SEED = 20240611;
const GOLDEN: Readonly<Record<string, Golden>> = {
  ok: {
    params: DEFAULT_IMU, fault: null, hash: 1330125283,
    rows: {
      0: [0.10200000000000001, -0.2, 0.045, 0.9, -3.2800000000000002, -9.14],
      7: [0.096, -0.202, 0.052000000000000005, 0.9400000000000001, -3.3000000000000003, -9.14],
      99: [0.098, -0.201, 0.053, 0.89, -3.29, -9.120000000000001],
    },
  },
  walk: {
    params: { ...DEFAULT_IMU, gyroBiasWalkRadPerSPerSqrtS: 0.001 }, fault: null, hash: 3798290836,
    rows: {
      1: [0.10200000000000001, -0.195, 0.047, 0.91, -3.31, -9.1],
      99: [0.1, -0.20400000000000001, 0.049, 0.9, -3.31, -9.120000000000001],
    },
  },
  stuck: {
    params: DEFAULT_IMU, fault: { kind: 'stuck' }, hash: 3660840032,
    rows: { 59: [0.091, -0.199, 0.049, 0.89, -3.27, -9.120000000000001], 60: [0.105, -0.197, 0.048, 0.89, -3.34, -9.09] },
  },
  bias_jump: {
    params: DEFAULT_IMU, fault: { kind: 'bias_jump', gyroRadPerS: [0.5, 0, -0.25], accelMPerS2: [0, 2, 0] }, hash: 2889952668,
    rows: { 7: [0.596, -0.202, -0.198, 0.9400000000000001, -1.3, -9.14], 99: [0.098, -0.201, 0.053, 0.89, -3.29, -9.120000000000001] },
  },
  noise_burst: {
    params: DEFAULT_IMU, fault: { kind: 'noise_burst', factor: 10, durationMicros: 80_000 }, hash: 1975877129,
    rows: { 7: [0.059000000000000004, -0.221, 0.067, 1.26, -3.18, -9.3], 59: [0.098, -0.203, 0.045, 0.86, -3.34, -9.11] },
  },
  dead: {
    params: DEFAULT_IMU, fault: { kind: 'dead' }, hash: 3660840032,
    rows: { 7: null, 60: [0.105, -0.197, 0.048, 0.89, -3.34, -9.09] },
  },
};

describe('IMU: existing kinds are bit-identical to the golden sequence', () => {
  for (const [name, golden] of Object.entries(GOLDEN)) {
    test(`${name}: seeded samples and their hash match the figures captured before drift/scale`, () => {
      const plant = levelPlant();
      const imu = new Imu(golden.params, new Prng(GOLDEN_SEED));
      const out = new Float64Array(IMU_SAMPLE_LENGTH);
      const hash = new SampleHash();
      for (let i = 0; i < 100; i++) {
        if (golden.fault !== null && i === 5) imu.injectFault(golden.fault, i * PERIOD_MICROS);
        if (golden.fault !== null && i === 60) imu.injectFault({ kind: 'ok' }, i * PERIOD_MICROS);
        const written = imu.sample(plant.state, i * PERIOD_MICROS, out);
        const row = golden.rows[i];
        if (row !== undefined) expect(written ? Array.from(out) : null).toEqual(row);
        hash.add(out);
      }
      expect(hash.value).toBe(golden.hash);
    });
  }
});

/** Samples a faulted unit and its unfaulted twin (same seed) side by side. */
function twinRun(seed: number, fault: ImuFault, injectAtSample: number, samples: number, onSample: (i: number, faulty: Float64Array, clean: Float64Array) => void): Imu {
  const plant = levelPlant();
  const faulty = new Imu(DEFAULT_IMU, new Prng(seed));
  const twin = new Imu(DEFAULT_IMU, new Prng(seed));
  const out = new Float64Array(IMU_SAMPLE_LENGTH);
  const twinOut = new Float64Array(IMU_SAMPLE_LENGTH);
  for (let i = 0; i < samples; i++) {
    if (i === injectAtSample) faulty.injectFault(fault, i * PERIOD_MICROS);
    expect(faulty.sample(plant.state, i * PERIOD_MICROS, out)).toBe(true);
    twin.sample(plant.state, i * PERIOD_MICROS, twinOut);
    onSample(i, out, twinOut);
  }
  return faulty;
}

describe('IMU drift fault', () => {
  const rate = [0.01, -0.02, 0.005] as const;
  const injectAt = 250; // 1 s
  const window = 500; // 2 s windows
  const windows = 5;

  test('the gyro bias ramps linearly from the injection time; accelerometers are untouched', () => {
    const sums = Array.from({ length: windows }, () => [0, 0, 0]);
    let slopeNum = [0, 0, 0];
    let slopeDen = 0;
    const imu = twinRun(testSeed('imu drift'), { kind: 'drift', gyroRadPerS2: rate }, injectAt, injectAt + windows * window, (i, faulty, clean) => {
      if (i < injectAt) {
        expect(Array.from(faulty)).toEqual(Array.from(clean));
        return;
      }
      const elapsedS = (i - injectAt) * PERIOD_MICROS * 1e-6;
      for (let k = 0; k < 3; k++) {
        const d = faulty[k]! - clean[k]!;
        sums[Math.floor((i - injectAt) / window)]![k]! += d;
        slopeNum[k]! += d * elapsedS;
      }
      slopeDen += elapsedS * elapsedS;
      for (let k = 3; k < IMU_SAMPLE_LENGTH; k++) expect(faulty[k]).toBe(clean[k]);
    });
    expect(imu.faultName).toBe('drift');
    slopeNum = slopeNum.map((n) => n / slopeDen);
    for (let k = 0; k < 3; k++) {
      // Least-squares slope through the origin at the injection time: the configured rate.
      expect(Math.abs(slopeNum[k]! - rate[k]!)).toBeLessThan(1e-4);
      for (let w = 0; w < windows; w++) {
        const centreS = ((w + 0.5) * window - 0.5) * PERIOD_MICROS * 1e-6;
        // Mean offset over each window = rate × elapsed time at its centre (quantisation averages out).
        expect(Math.abs(sums[w]![k]! / window - rate[k]! * centreS)).toBeLessThan(GYRO_LSB / 10);
      }
    }
  });

  test('the mean gyro output is truth + bias + rate × elapsed over a later window', () => {
    const plant = levelPlant();
    const imu = new Imu(DEFAULT_IMU, new Prng(testSeed('imu drift mean')));
    imu.injectFault({ kind: 'drift', gyroRadPerS2: rate }, 1_000_000);
    const out = new Float64Array(IMU_SAMPLE_LENGTH);
    const n = 5000;
    const startMicros = 11_000_000;
    const sum = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      imu.sample(plant.state, startMicros + i * PERIOD_MICROS, out);
      for (let k = 0; k < 3; k++) sum[k]! += out[k]!;
    }
    const truth = ideal(plant);
    const meanElapsedS = (startMicros - 1_000_000 + ((n - 1) / 2) * PERIOD_MICROS) * 1e-6;
    for (let k = 0; k < 3; k++) {
      const expected = truth[k]! + imu.bias[k]! + rate[k]! * meanElapsedS;
      expect(Math.abs(sum[k]! / n - expected)).toBeLessThan((5 * DEFAULT_IMU.gyroNoiseRadPerS) / Math.sqrt(n) + GYRO_LSB);
    }
  });

  test("clearing the drift with 'ok' resumes the unfaulted sequence; draws are those of 'ok'", () => {
    const seed = testSeed('imu drift clear');
    const plant = levelPlant();
    const faulty = new Imu(DEFAULT_IMU, new Prng(seed));
    const twin = new Imu(DEFAULT_IMU, new Prng(seed));
    const out = new Float64Array(IMU_SAMPLE_LENGTH);
    const twinOut = new Float64Array(IMU_SAMPLE_LENGTH);
    faulty.injectFault({ kind: 'drift', gyroRadPerS2: [1, 1, 1] }, 0);
    for (let i = 0; i < 100; i++) {
      faulty.sample(plant.state, i * PERIOD_MICROS, out);
      twin.sample(plant.state, i * PERIOD_MICROS, twinOut);
    }
    expect(out[0]! - twinOut[0]!).toBeGreaterThan(0.3);
    faulty.injectFault({ kind: 'ok' }, 100 * PERIOD_MICROS);
    for (let i = 100; i < 200; i++) {
      faulty.sample(plant.state, i * PERIOD_MICROS, out);
      twin.sample(plant.state, i * PERIOD_MICROS, twinOut);
      expect(Array.from(out)).toEqual(Array.from(twinOut));
    }
  });
});

describe('IMU scale-factor fault', () => {
  for (const factor of [1.1, -1, 0.5]) {
    test(`factor ${factor}: every axis reads factor × truth + bias + noise`, () => {
      const plant = levelPlant();
      const imu = new Imu(DEFAULT_IMU, new Prng(testSeed(`imu scale ${factor}`)));
      imu.injectFault({ kind: 'scale', factor }, 0);
      expect(imu.faultName).toBe('scale');
      const out = new Float64Array(IMU_SAMPLE_LENGTH);
      const n = 20_000;
      const sum = new Float64Array(IMU_SAMPLE_LENGTH);
      const sumSq = new Float64Array(IMU_SAMPLE_LENGTH);
      for (let i = 0; i < n; i++) {
        imu.sample(plant.state, i * PERIOD_MICROS, out);
        for (let k = 0; k < IMU_SAMPLE_LENGTH; k++) {
          sum[k]! += out[k]!;
          sumSq[k]! += out[k]! ** 2;
        }
      }
      const truth = ideal(plant);
      for (let k = 0; k < IMU_SAMPLE_LENGTH; k++) {
        const sigma = k < 3 ? DEFAULT_IMU.gyroNoiseRadPerS : DEFAULT_IMU.accelNoiseMPerS2;
        const lsb = k < 3 ? DEFAULT_IMU.gyroLsbRadPerS : DEFAULT_IMU.accelLsbMPerS2;
        const mean = sum[k]! / n;
        expect(Math.abs(mean - (factor * truth[k]! + imu.bias[k]!))).toBeLessThan((5 * sigma) / Math.sqrt(n) + lsb);
        // The noise is added after scaling: its spread is not scaled.
        const std = Math.sqrt(sumSq[k]! / n - mean ** 2);
        expect(std / sigma).toBeGreaterThan(0.9);
        expect(std / sigma).toBeLessThan(1.1);
      }
    });
  }

  test('the scaled twin differs by (factor − 1) × truth sample by sample, within one LSB', () => {
    const factor = 1.1;
    const truth = ideal(levelPlant());
    twinRun(testSeed('imu scale twin'), { kind: 'scale', factor }, 0, 500, (_, faulty, clean) => {
      for (let k = 0; k < IMU_SAMPLE_LENGTH; k++) {
        const lsb = k < 3 ? DEFAULT_IMU.gyroLsbRadPerS : DEFAULT_IMU.accelLsbMPerS2;
        expect(Math.abs(faulty[k]! - clean[k]! - (factor - 1) * truth[k]!)).toBeLessThanOrEqual(lsb * 1.000001);
      }
    });
  });

  test("factor 1 is 'ok' bit for bit, and clearing a scale fault resumes the unfaulted sequence", () => {
    twinRun(testSeed('imu scale identity'), { kind: 'scale', factor: 1 }, 0, 200, (_, faulty, clean) => {
      expect(Array.from(faulty)).toEqual(Array.from(clean));
    });
    const seed = testSeed('imu scale clear');
    const plant = levelPlant();
    const faulty = new Imu(DEFAULT_IMU, new Prng(seed));
    const twin = new Imu(DEFAULT_IMU, new Prng(seed));
    const out = new Float64Array(IMU_SAMPLE_LENGTH);
    const twinOut = new Float64Array(IMU_SAMPLE_LENGTH);
    faulty.injectFault({ kind: 'scale', factor: -1 }, 0);
    for (let i = 0; i < 50; i++) {
      faulty.sample(plant.state, i * PERIOD_MICROS, out);
      twin.sample(plant.state, i * PERIOD_MICROS, twinOut);
    }
    expect(Math.sign(out[5]!)).toBe(-Math.sign(twinOut[5]!));
    faulty.injectFault({ kind: 'ok' }, 50 * PERIOD_MICROS);
    expect(faulty.faultName).toBe('ok');
    for (let i = 50; i < 100; i++) {
      faulty.sample(plant.state, i * PERIOD_MICROS, out);
      twin.sample(plant.state, i * PERIOD_MICROS, twinOut);
      expect(Array.from(out)).toEqual(Array.from(twinOut));
    }
  });

  test('a non-finite factor or drift rate is a programmer error', () => {
    const imu = new Imu(DEFAULT_IMU, new Prng(1));
    expect(() => { imu.injectFault({ kind: 'scale', factor: Number.NaN }, 0); }).toThrow(/finite/);
    expect(() => { imu.injectFault({ kind: 'drift', gyroRadPerS2: [0, Number.POSITIVE_INFINITY, 0] }, 0); }).toThrow(/finite/);
  });
});
