/**
 * Gains and limits of the control law, their defaults for the Aerosonde (docs/VEHICLE.md,
 * "Control law" explains each number), and the functions that lay them out in ControlMemory.
 * Nothing here runs per cycle except `writeSetpoint`.
 */
import { assert } from '../assert.js';
import { ACTUATOR_COUNT, type VehicleParams } from '../plant/vehicle.js';
import {
  CONTROL_MEMORY_MAGIC, CONTROL_MEMORY_VERSION, MEMORY_SLOT, MEMORY_SLOT_COUNT, type ControlMemory,
} from './state.js';

export type Vec3 = readonly [number, number, number];

export interface ControlGains {
  readonly attitudeKp: Vec3;
  readonly rateKp: Vec3;
  readonly rateKi: Vec3;
  readonly rateKd: Vec3;
  readonly derivativeTauS: number;
  readonly antiWindupGain: number;
  readonly estimatorAccelGain: number;
  readonly estimatorBiasGain: number;
  readonly rateSetpointMax: Vec3;
  readonly integratorMax: Vec3;
  /** Per actuator (deg). */
  readonly actuatorLimitDeg: readonly number[];
  /** B, 3×4 row-major (N·m per deg): the law's model of the vehicle's effectiveness. */
  readonly effectivenessNmPerDeg: readonly number[];
}

/** Setpoint vector: [roll, pitch, yaw] (rad) then body-rate feedforward [p, q, r] (rad/s). */
export const SETPOINT_LENGTH = 6;

/**
 * Defaults for the Aerosonde at 25 m/s and a 250 Hz–1 kHz loop: inner (rate) loop poles at
 * (|D|+Kp)/J ≈ 70, 49, 43 rad/s, outer (attitude) loop at 6–7 rad/s; see docs/VEHICLE.md.
 */
export function defaultGains(vehicle: VehicleParams): ControlGains {
  return {
    attitudeKp: [7, 7, 6],
    rateKp: [40, 50, 70],
    rateKi: [150, 200, 200],
    rateKd: [0.05, 0.05, 0.05],
    derivativeTauS: 0.01,
    antiWindupGain: 8,
    estimatorAccelGain: 0.5,
    estimatorBiasGain: 0.05,
    rateSetpointMax: [1.5, 1, 0.8],
    integratorMax: [20, 15, 15],
    actuatorLimitDeg: vehicle.actuator.positionLimitDeg,
    effectivenessNmPerDeg: vehicle.effectivenessNmPerDeg,
  };
}

/** Minimum-norm right inverse B⁺ = Bᵀ(BBᵀ)⁻¹ of a full-row-rank 3×4 matrix; 4×3 row-major into `out`. */
export function pseudoInverse3x4(b: readonly number[], out: Float64Array): void {
  assert(b.length === 12 && out.length >= 12, 'pseudoInverse3x4 needs a 3×4 input and 12 outputs');
  const m = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += (b[4 * i + k] ?? 0) * (b[4 * j + k] ?? 0);
      m[3 * i + j] = sum;
    }
  }
  const inv = invert3x3(m);
  for (let k = 0; k < 4; k++) {
    for (let j = 0; j < 3; j++) {
      let sum = 0;
      for (let i = 0; i < 3; i++) sum += (b[4 * i + k] ?? 0) * (inv[3 * i + j] ?? 0);
      out[3 * k + j] = sum;
    }
  }
}

function invert3x3(m: Float64Array): Float64Array {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0, i = 0] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  const scale = Math.abs(a) + Math.abs(e) + Math.abs(i);
  assert(Math.abs(det) > 1e-12 * scale * scale * scale, 'effectiveness matrix is rank-deficient');
  return Float64Array.of(
    (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
    (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
    (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det,
  );
}

function writeSlots(mem: ControlMemory, base: number, slot: number, values: readonly number[] | Float64Array): void {
  for (let i = 0; i < values.length; i++) mem.writeF32(base + 4 * (slot + i), values[i] ?? 0);
}

/**
 * Lays out a fresh control state at `base`: header, gains, limits, B and B⁺, the setpoint
 * (SETPOINT_LENGTH values), zero integrators and filters, a level attitude estimate with zero
 * bias. Not allocation-free (start-up and reintegration only).
 */
export function initialiseControlMemory(mem: ControlMemory, gains: ControlGains, setpoint: Float64Array, base = 0): void {
  if (setpoint.length < SETPOINT_LENGTH) assert(false, 'setpoint has 6 values');
  if (!(gains.actuatorLimitDeg.length === ACTUATOR_COUNT && gains.effectivenessNmPerDeg.length === 3 * ACTUATOR_COUNT)) assert(false, 'gain shapes');
  for (let slot = 0; slot < MEMORY_SLOT_COUNT; slot++) mem.writeF32(base + 4 * slot, 0);
  const s = MEMORY_SLOT;
  writeSlots(mem, base, s.magic, [CONTROL_MEMORY_MAGIC, CONTROL_MEMORY_VERSION]);
  writeSlots(mem, base, s.attitudeKp, gains.attitudeKp);
  writeSlots(mem, base, s.rateKp, gains.rateKp);
  writeSlots(mem, base, s.rateKi, gains.rateKi);
  writeSlots(mem, base, s.rateKd, gains.rateKd);
  writeSlots(mem, base, s.derivativeTauS, [gains.derivativeTauS, gains.antiWindupGain, gains.estimatorAccelGain, gains.estimatorBiasGain]);
  writeSlots(mem, base, s.rateSetpointMax, gains.rateSetpointMax);
  writeSlots(mem, base, s.integratorMax, gains.integratorMax);
  writeSlots(mem, base, s.actuatorLimit, gains.actuatorLimitDeg);
  writeSlots(mem, base, s.effectiveness, gains.effectivenessNmPerDeg);
  const allocation = new Float64Array(12);
  pseudoInverse3x4(gains.effectivenessNmPerDeg, allocation);
  writeSlots(mem, base, s.allocation, allocation);
  writeSetpoint(mem, setpoint, base);
  mem.writeF32(base + 4 * s.estimateQuaternion, 1);
}

/** Writes a setpoint (SETPOINT_LENGTH values) into the memory image. Allocation-free. */
export function writeSetpoint(mem: ControlMemory, setpoint: Float64Array, base = 0): void {
  for (let i = 0; i < 3; i++) {
    mem.writeF32(base + 4 * (MEMORY_SLOT.setpointAttitude + i), setpoint[i] ?? 0);
    mem.writeF32(base + 4 * (MEMORY_SLOT.setpointRate + i), setpoint[3 + i] ?? 0);
  }
}
