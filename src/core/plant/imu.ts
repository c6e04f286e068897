/**
 * Inertial measurement unit model: three-axis rate gyro (rad/s) and accelerometer (specific
 * force, m/s²), each with white noise, a seeded turn-on bias plus an optional random-walk
 * bias, quantisation to the wire LSB and saturation at the wire full scale. Faults can be
 * injected per IMU: stuck, bias jump, gyro drift (a bias ramp), scale factor, noise burst, dead.
 *
 * Each IMU owns one RandomStream (fork IMU_STREAM_BASE + i of the run's root PRNG). The noise
 * draws are taken every sample whatever the fault, so a fault never shifts the sequence a
 * unit produces after the fault clears, and a faulted run stays comparable with its golden
 * run sample by sample. The drift and scale faults draw exactly what 'ok' draws, so a seeded
 * run with one of them differs from its golden run only in the faulted unit's values.
 */
import { assert, assertNever } from '../assert.js';
import { specificForceBody } from './quaternion.js';
import { ziggurat } from './gaussian.js';
import type { RandomStream } from './random.js';
import { STATE_P, STATE_QW } from './plant.js';
import { GRAVITY_M_PER_S2 } from './vehicle.js';

/** One sample: [gx, gy, gz] rad/s then [ax, ay, az] m/s², body axes. */
export const IMU_SAMPLE_LENGTH = 6;
export const IMU_COUNT = 3;
/** Signed 16-bit wire fields: the largest magnitude in LSBs. */
export const IMU_FULL_SCALE_COUNTS = 32767;

export interface ImuParams {
  /** White noise per sample, 1σ (rad/s). */
  readonly gyroNoiseRadPerS: number;
  /** Residual turn-on bias after calibration, 1σ per axis, drawn once per unit (rad/s). */
  readonly gyroBiasRadPerS: number;
  /** Bias random walk (rad/s per √s); 0 disables it. */
  readonly gyroBiasWalkRadPerSPerSqrtS: number;
  readonly accelNoiseMPerS2: number;
  readonly accelBiasMPerS2: number;
  /** Quantisation step (one LSB of the wire encoding). */
  readonly gyroLsbRadPerS: number;
  readonly accelLsbMPerS2: number;
}

/**
 * Tactical-grade MEMS figures (order of magnitude of an ADIS16470-class part at a few hundred
 * Hz of bandwidth), rounded. LSBs are those of the sensor frames (src/core/frame/sensor-frame.ts):
 * 1 mrad/s (±32.767 rad/s) and 1 cm/s² (±327.67 m/s²). See docs/VEHICLE.md, "IMU model".
 */
export const DEFAULT_IMU: ImuParams = {
  gyroNoiseRadPerS: 0.003,
  gyroBiasRadPerS: 5e-5,
  gyroBiasWalkRadPerSPerSqrtS: 0,
  accelNoiseMPerS2: 0.02,
  accelBiasMPerS2: 0.02,
  gyroLsbRadPerS: 0.001,
  accelLsbMPerS2: 0.01,
};

export type ImuFault =
  | { readonly kind: 'ok' }
  | { readonly kind: 'stuck' }
  | { readonly kind: 'bias_jump'; readonly gyroRadPerS: readonly [number, number, number]; readonly accelMPerS2: readonly [number, number, number] }
  | { readonly kind: 'noise_burst'; readonly factor: number; readonly durationMicros: number }
  | { readonly kind: 'dead' }
  /**
   * Gyro bias ramp from the injection time: extra gyro bias = rate × (now − injectedAt) in
   * seconds (0 before injectedAt), added like bias_jump's offsets; accelerometers unaffected.
   */
  | { readonly kind: 'drift'; readonly gyroRadPerS2: readonly [number, number, number] }
  /**
   * Scale-factor error on every axis (gyro and accel): the true value is multiplied by `factor`
   * before bias and noise are added (1.1 = +10 % scale error, −1 = a polarity error, 0 = reads
   * only bias and noise).
   */
  | { readonly kind: 'scale'; readonly factor: number };

export type ImuFaultKind = ImuFault['kind'];

const KIND_OK = 0;
const KIND_STUCK = 1;
const KIND_BIAS = 2;
const KIND_BURST = 3;
const KIND_DEAD = 4;
const KIND_DRIFT = 5;
const KIND_SCALE = 6;
/** Indexed by the KIND_* codes above. */
const FAULT_NAMES: readonly ImuFaultKind[] = ['ok', 'stuck', 'bias_jump', 'noise_burst', 'dead', 'drift', 'scale'];

export class Imu {
  /** Current bias (turn-on + walk), [gyro xyz, accel xyz]; read-only for callers. */
  readonly bias = new Float64Array(IMU_SAMPLE_LENGTH);
  private readonly params: ImuParams;
  private readonly random: RandomStream;
  private readonly gravityMPerS2: number;
  private readonly ideal = new Float64Array(IMU_SAMPLE_LENGTH);
  private readonly last = new Float64Array(IMU_SAMPLE_LENGTH);
  private readonly jump = new Float64Array(IMU_SAMPLE_LENGTH);
  private readonly fullScale = new Float64Array(IMU_SAMPLE_LENGTH);
  /** Gyro drift rate of a 'drift' fault, rad/s² per axis (0 otherwise). */
  private readonly driftRadPerS2 = new Float64Array(3);
  private faultKind = KIND_OK;
  private burstFactor = 1;
  private scaleFactor = 1;
  private faultInjectedMicros = 0;
  private burstEndMicros = 0;
  private lastMicros = Number.NaN;

  constructor(params: ImuParams, random: RandomStream, gravityMPerS2 = GRAVITY_M_PER_S2) {
    assert(params.gyroNoiseRadPerS >= 0 && params.accelNoiseMPerS2 >= 0, 'noise must be >= 0');
    assert(params.gyroLsbRadPerS > 0 && params.accelLsbMPerS2 > 0, 'LSB must be > 0');
    this.params = params;
    this.random = random;
    this.gravityMPerS2 = gravityMPerS2;
    for (let i = 0; i < 3; i++) {
      this.bias[i] = params.gyroBiasRadPerS * ziggurat(random);
      this.bias[3 + i] = params.accelBiasMPerS2 * ziggurat(random);
      this.fullScale[i] = IMU_FULL_SCALE_COUNTS * params.gyroLsbRadPerS;
      this.fullScale[3 + i] = IMU_FULL_SCALE_COUNTS * params.accelLsbMPerS2;
    }
  }

  get faultName(): ImuFaultKind {
    return FAULT_NAMES[this.faultKind] ?? 'ok';
  }

  /** Injects `fault` at `nowMicros` (replacing any earlier fault). Not on the hot path. */
  injectFault(fault: ImuFault, nowMicros: number): void {
    this.jump.fill(0);
    this.driftRadPerS2.fill(0);
    this.burstFactor = 1;
    this.scaleFactor = 1;
    this.faultInjectedMicros = nowMicros;
    switch (fault.kind) {
      case 'ok': this.faultKind = KIND_OK; return;
      case 'stuck': this.faultKind = KIND_STUCK; return;
      case 'dead': this.faultKind = KIND_DEAD; return;
      case 'bias_jump':
        for (let i = 0; i < 3; i++) {
          this.jump[i] = fault.gyroRadPerS[i] ?? 0;
          this.jump[3 + i] = fault.accelMPerS2[i] ?? 0;
        }
        this.faultKind = KIND_BIAS;
        return;
      case 'noise_burst':
        assert(fault.factor >= 0 && fault.durationMicros >= 0, 'noise burst needs factor >= 0 and duration >= 0');
        this.burstFactor = fault.factor;
        this.burstEndMicros = nowMicros + fault.durationMicros;
        this.faultKind = KIND_BURST;
        return;
      case 'drift':
        assert(fault.gyroRadPerS2.every(Number.isFinite), 'drift needs finite rates');
        for (let i = 0; i < 3; i++) this.driftRadPerS2[i] = fault.gyroRadPerS2[i] ?? 0;
        this.faultKind = KIND_DRIFT;
        return;
      case 'scale':
        assert(Number.isFinite(fault.factor), 'scale needs a finite factor');
        this.scaleFactor = fault.factor;
        this.faultKind = KIND_SCALE;
        return;
      default: assertNever(fault, 'IMU fault');
    }
  }

  /**
   * Samples the unit for the true vehicle state `plantState` (Plant.state layout) at
   * `nowMicros`, writing 6 values to `out[offset..]`. Returns false when the unit is dead
   * (nothing written: no frame is to be sent). Allocation-free.
   */
  sample(plantState: Float64Array, nowMicros: number, out: Float64Array, offset = 0): boolean {
    this.walkBias(nowMicros);
    for (let i = 0; i < 3; i++) this.ideal[i] = plantState[STATE_P + i] ?? 0;
    specificForceBody(plantState, STATE_QW, this.gravityMPerS2, this.ideal, 3);
    // The drift and scale terms touch the sum only under their own kinds, so every other kind
    // computes exactly the expression it always did (bit for bit).
    if (this.faultKind === KIND_DRIFT) this.rampDrift(nowMicros);
    if (this.faultKind === KIND_SCALE) this.scaleIdeal();
    if (this.faultKind === KIND_BURST && nowMicros >= this.burstEndMicros) this.faultKind = KIND_OK;
    const factor = this.faultKind === KIND_BURST ? this.burstFactor : 1;
    const gyroNoise = this.params.gyroNoiseRadPerS * factor;
    const accelNoise = this.params.accelNoiseMPerS2 * factor;
    const stuck = this.faultKind === KIND_STUCK;
    for (let i = 0; i < IMU_SAMPLE_LENGTH; i++) {
      const sigma = i < 3 ? gyroNoise : accelNoise;
      const noisy = (this.ideal[i] ?? 0) + (this.bias[i] ?? 0) + (this.jump[i] ?? 0) + sigma * ziggurat(this.random);
      if (!stuck) this.last[i] = this.quantise(noisy, i);
    }
    if (this.faultKind === KIND_DEAD) return false;
    for (let i = 0; i < IMU_SAMPLE_LENGTH; i++) out[offset + i] = this.last[i] ?? 0;
    return true;
  }

  private quantise(value: number, channel: number): number {
    const lsb = channel < 3 ? this.params.gyroLsbRadPerS : this.params.accelLsbMPerS2;
    const fullScale = this.fullScale[channel] ?? 0;
    // Round half away from zero, as the frame encoder's `quantize` does, so the wire code is exact.
    const scaled = value / lsb;
    const q = (scaled < 0 ? -Math.round(-scaled) : Math.round(scaled)) * lsb;
    return q > fullScale ? fullScale : q < -fullScale ? -fullScale : q;
  }

  /** Drift fault: the gyro offsets of this sample, rate × seconds since injection (never negative time). */
  private rampDrift(nowMicros: number): void {
    const elapsedS = nowMicros > this.faultInjectedMicros ? (nowMicros - this.faultInjectedMicros) * 1e-6 : 0;
    for (let i = 0; i < 3; i++) this.jump[i] = (this.driftRadPerS2[i] ?? 0) * elapsedS;
  }

  /** Scale fault: the true values times the factor, before bias and noise. */
  private scaleIdeal(): void {
    for (let i = 0; i < IMU_SAMPLE_LENGTH; i++) this.ideal[i] = this.scaleFactor * (this.ideal[i] ?? 0);
  }

  private walkBias(nowMicros: number): void {
    const walk = this.params.gyroBiasWalkRadPerSPerSqrtS;
    const previous = this.lastMicros;
    this.lastMicros = nowMicros;
    if (walk === 0 || !(nowMicros > previous)) return;
    const scale = walk * Math.sqrt((nowMicros - previous) * 1e-6);
    for (let i = 0; i < 3; i++) this.bias[i] = (this.bias[i] ?? 0) + scale * ziggurat(this.random);
  }
}

/** The three independent IMUs of a run, each on its own PRNG stream. */
export function createImus(params: ImuParams, streams: readonly RandomStream[], gravityMPerS2 = GRAVITY_M_PER_S2): Imu[] {
  assert(streams.length === IMU_COUNT, 'one random stream per IMU');
  return streams.map((stream) => new Imu(params, stream, gravityMPerS2));
}
