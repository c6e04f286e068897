/**
 * Three-axis rigid-body attitude model of the vehicle (src/core/plant/vehicle.ts), integrated
 * with a fixed-step classical Runge–Kutta (RK4) scheme. State (Float64Array, see STATE_*):
 * attitude quaternion body→NED, body rates p q r (rad/s), and the four actuator deflections
 * (deg), whose servos are first-order lags with slew-rate and travel limits. Torques:
 * aerodynamic rate damping D·ω, control B·δ, and a seeded gust torque that is held constant
 * over a step (zero-order hold) and evolves as first-order filtered white noise.
 *
 * Allocation-free after construction: `step` only touches preallocated Float64Arrays.
 */
import { assert } from '../assert.js';
import { quaternionFromEuler, normaliseQuaternion } from './quaternion.js';
import { ziggurat } from './gaussian.js';
import type { RandomStream } from './random.js';
import { ACTUATOR_COUNT, validateVehicle, type VehicleParams } from './vehicle.js';

export const STATE_QW = 0;
export const STATE_P = 4;
export const STATE_ACTUATOR = 7;
export const STATE_LENGTH = STATE_ACTUATOR + ACTUATOR_COUNT;

export interface PlantOptions {
  /** Renormalise the quaternion after every step (default true). Off only for tests of the integrator. */
  readonly normalise?: boolean;
}

export class Plant {
  /** [qw, qx, qy, qz, p, q, r, δ0, δ1, δ2, δ3]: read-only for callers. */
  readonly state = new Float64Array(STATE_LENGTH);
  /** Gust torque (N·m, body axes) applied during the last step. */
  readonly gustTorqueNm = new Float64Array(3);
  /** Simulated time (s) advanced by `step`. */
  timeSeconds = 0;

  private readonly params: VehicleParams;
  private readonly random: RandomStream;
  private readonly normalise: boolean;
  private readonly damping: Float64Array;
  private readonly effectiveness: Float64Array;
  private readonly limits: Float64Array;
  private readonly command = new Float64Array(ACTUATOR_COUNT);
  private readonly k1 = new Float64Array(STATE_LENGTH);
  private readonly k2 = new Float64Array(STATE_LENGTH);
  private readonly k3 = new Float64Array(STATE_LENGTH);
  private readonly k4 = new Float64Array(STATE_LENGTH);
  private readonly scratch = new Float64Array(STATE_LENGTH);
  private readonly jx: number;
  private readonly jy: number;
  private readonly jz: number;
  private readonly jxz: number;
  private readonly actuatorTauS: number;
  private readonly actuatorRateMax: number;
  private readonly invJxx: number;
  private readonly invJxz: number;
  private readonly invJzz: number;
  private gustDtS = Number.NaN;
  private gustDecay = 0;
  private gustDrive = 0;

  constructor(params: VehicleParams, random: RandomStream, options: PlantOptions = {}) {
    validateVehicle(params);
    this.params = params;
    this.random = random;
    this.normalise = options.normalise ?? true;
    this.damping = Float64Array.from(params.dampingNmPerRadPerS);
    this.effectiveness = Float64Array.from(params.effectivenessNmPerDeg);
    this.limits = Float64Array.from(params.actuator.positionLimitDeg);
    this.jx = params.jxKgM2;
    this.jy = params.jyKgM2;
    this.jz = params.jzKgM2;
    this.jxz = params.jxzKgM2;
    this.actuatorTauS = params.actuator.timeConstantS;
    this.actuatorRateMax = params.actuator.rateLimitDegPerS;
    const det = params.jxKgM2 * params.jzKgM2 - params.jxzKgM2 * params.jxzKgM2;
    this.invJxx = params.jzKgM2 / det;
    this.invJxz = params.jxzKgM2 / det;
    this.invJzz = params.jxKgM2 / det;
    this.state[STATE_QW] = 1;
  }

  /** Sets the attitude from 3-2-1 Euler angles (rad). */
  setAttitude(rollRad: number, pitchRad: number, yawRad: number): void {
    quaternionFromEuler(rollRad, pitchRad, yawRad, this.state, STATE_QW);
  }

  setRates(pRadPerS: number, qRadPerS: number, rRadPerS: number): void {
    this.state[STATE_P] = pRadPerS;
    this.state[STATE_P + 1] = qRadPerS;
    this.state[STATE_P + 2] = rRadPerS;
  }

  /** Rotational kinetic energy ½ωᵀJω (J). */
  kineticEnergyJ(): number {
    const p = this.state[STATE_P] ?? 0;
    const q = this.state[STATE_P + 1] ?? 0;
    const r = this.state[STATE_P + 2] ?? 0;
    const v = this.params;
    return 0.5 * (v.jxKgM2 * p * p + v.jyKgM2 * q * q + v.jzKgM2 * r * r - 2 * v.jxzKgM2 * p * r);
  }

  /** Magnitude of the angular momentum |Jω| (kg·m²/s); invariant when no torque acts. */
  angularMomentumNorm(): number {
    const p = this.state[STATE_P] ?? 0;
    const q = this.state[STATE_P + 1] ?? 0;
    const r = this.state[STATE_P + 2] ?? 0;
    const v = this.params;
    const hx = v.jxKgM2 * p - v.jxzKgM2 * r;
    const hy = v.jyKgM2 * q;
    const hz = v.jzKgM2 * r - v.jxzKgM2 * p;
    return Math.sqrt(hx * hx + hy * hy + hz * hz);
  }

  /**
   * Advances the model by `dtS` seconds with actuator commands `commandsDeg` (4 values, held
   * constant over the step; clamped to the travel limits; a non-finite command holds zero).
   */
  step(commandsDeg: Float64Array, dtS: number): void {
    assert(dtS > 0 && dtS <= 0.1, 'plant step must be in (0, 0.1] s');
    assert(commandsDeg.length >= ACTUATOR_COUNT, 'plant needs 4 actuator commands');
    for (let i = 0; i < ACTUATOR_COUNT; i++) {
      const limit = this.limits[i] ?? 0;
      const c = commandsDeg[i] ?? 0;
      this.command[i] = Number.isFinite(c) ? (c > limit ? limit : c < -limit ? -limit : c) : 0;
    }
    this.updateGust(dtS);
    this.rk4(dtS);
    this.clampActuators();
    if (this.normalise) normaliseQuaternion(this.state, STATE_QW);
    this.timeSeconds += dtS;
  }

  private updateGust(dtS: number): void {
    if (dtS !== this.gustDtS) {
      this.gustDtS = dtS;
      this.gustDecay = Math.exp(-dtS / this.params.gust.correlationTimeS);
      this.gustDrive = Math.sqrt(1 - this.gustDecay * this.gustDecay);
    }
    const sigma = this.params.gust.sigmaNm;
    for (let axis = 0; axis < 3; axis++) {
      const noise = ziggurat(this.random);
      const previous = this.gustTorqueNm[axis] ?? 0;
      this.gustTorqueNm[axis] = this.gustDecay * previous + (sigma[axis] ?? 0) * this.gustDrive * noise;
    }
  }

  private rk4(dtS: number): void {
    const s = this.state;
    const t = this.scratch;
    this.derivative(s, this.k1);
    for (let i = 0; i < STATE_LENGTH; i++) t[i] = (s[i] ?? 0) + 0.5 * dtS * (this.k1[i] ?? 0);
    this.derivative(t, this.k2);
    for (let i = 0; i < STATE_LENGTH; i++) t[i] = (s[i] ?? 0) + 0.5 * dtS * (this.k2[i] ?? 0);
    this.derivative(t, this.k3);
    for (let i = 0; i < STATE_LENGTH; i++) t[i] = (s[i] ?? 0) + dtS * (this.k3[i] ?? 0);
    this.derivative(t, this.k4);
    const sixth = dtS / 6;
    for (let i = 0; i < STATE_LENGTH; i++) {
      s[i] = (s[i] ?? 0) + sixth * ((this.k1[i] ?? 0) + 2 * (this.k2[i] ?? 0) + 2 * (this.k3[i] ?? 0) + (this.k4[i] ?? 0));
    }
  }

  private clampActuators(): void {
    for (let i = 0; i < ACTUATOR_COUNT; i++) {
      const limit = this.limits[i] ?? 0;
      const d = this.state[STATE_ACTUATOR + i] ?? 0;
      this.state[STATE_ACTUATOR + i] = d > limit ? limit : d < -limit ? -limit : d;
    }
  }

  /** ds/dt at state `s`, written into `out`. */
  private derivative(s: Float64Array, out: Float64Array): void {
    const w = s[0] ?? 1;
    const x = s[1] ?? 0;
    const y = s[2] ?? 0;
    const z = s[3] ?? 0;
    const p = s[4] ?? 0;
    const q = s[5] ?? 0;
    const r = s[6] ?? 0;
    out[0] = -0.5 * (x * p + y * q + z * r);
    out[1] = 0.5 * (w * p + y * r - z * q);
    out[2] = 0.5 * (w * q + z * p - x * r);
    out[3] = 0.5 * (w * r + x * q - y * p);
    this.rateDerivative(s, p, q, r, out);
    this.actuatorDerivative(s, out);
  }

  private rateDerivative(s: Float64Array, p: number, q: number, r: number, out: Float64Array): void {
    const d = this.damping;
    const b = this.effectiveness;
    let tx = (this.gustTorqueNm[0] ?? 0) + (d[0] ?? 0) * p + (d[1] ?? 0) * q + (d[2] ?? 0) * r;
    let ty = (this.gustTorqueNm[1] ?? 0) + (d[3] ?? 0) * p + (d[4] ?? 0) * q + (d[5] ?? 0) * r;
    let tz = (this.gustTorqueNm[2] ?? 0) + (d[6] ?? 0) * p + (d[7] ?? 0) * q + (d[8] ?? 0) * r;
    for (let i = 0; i < ACTUATOR_COUNT; i++) {
      const delta = s[STATE_ACTUATOR + i] ?? 0;
      tx += (b[i] ?? 0) * delta;
      ty += (b[ACTUATOR_COUNT + i] ?? 0) * delta;
      tz += (b[2 * ACTUATOR_COUNT + i] ?? 0) * delta;
    }
    // Gyroscopic term −ω × (Jω).
    const hx = this.jx * p - this.jxz * r;
    const hy = this.jy * q;
    const hz = this.jz * r - this.jxz * p;
    tx -= q * hz - r * hy;
    ty -= r * hx - p * hz;
    tz -= p * hy - q * hx;
    out[4] = this.invJxx * tx + this.invJxz * tz;
    out[5] = ty / this.jy;
    out[6] = this.invJxz * tx + this.invJzz * tz;
  }

  private actuatorDerivative(s: Float64Array, out: Float64Array): void {
    const tau = this.actuatorTauS;
    const rateMax = this.actuatorRateMax;
    for (let i = 0; i < ACTUATOR_COUNT; i++) {
      const rate = ((this.command[i] ?? 0) - (s[STATE_ACTUATOR + i] ?? 0)) / tau;
      out[STATE_ACTUATOR + i] = rate > rateMax ? rateMax : rate < -rateMax ? -rateMax : rate;
    }
  }
}
