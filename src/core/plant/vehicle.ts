/**
 * The documented vehicle: the Aerosonde small fixed-wing UAV as parameterised in Beard &
 * McLain, "Small Unmanned Aircraft: Theory and Practice" (Princeton, 2012), Appendix E, in the
 * form distributed with the book's `mavsim` reference simulator. Only the rotational dynamics
 * are modelled, linearised about one flight condition (straight and level at 25 m/s, sea
 * level): inertia, aerodynamic rate damping and control-surface effectiveness. See
 * docs/VEHICLE.md for the derivation of every number below and what is left out.
 */
import { assert } from '../assert.js';

/** Number of actuators in the command frame: left aileron, right aileron, elevator, rudder. */
export const ACTUATOR_COUNT = 4;
export const ACTUATOR_NAMES: readonly string[] = ['aileronLeft', 'aileronRight', 'elevator', 'rudder'];
export const GRAVITY_M_PER_S2 = 9.80665;

/** Aerosonde geometry, mass properties and non-dimensional derivatives (Beard & McLain App. E). */
export const AEROSONDE = {
  jxKgM2: 0.8244,
  jyKgM2: 1.135,
  jzKgM2: 1.759,
  jxzKgM2: 0.1204,
  wingAreaM2: 0.55,
  spanM: 2.8956,
  chordM: 0.18994,
  airDensityKgPerM3: 1.2682,
  airspeedMPerS: 25,
  cEllP: -0.51,
  cEllR: 0.25,
  cEllDeltaA: 0.17,
  cEllDeltaR: 0.0024,
  cMQ: -38.21,
  cMDeltaE: -0.99,
  cNP: -0.0364,
  cNR: -0.1541,
  cNDeltaA: -0.011,
  cNDeltaR: -0.069,
} as const;

export interface ActuatorParams {
  /** First-order lag time constant of each servo (s). */
  readonly timeConstantS: number;
  /** Slew-rate limit of each servo (deg/s). */
  readonly rateLimitDegPerS: number;
  /** Symmetric travel limit per actuator (deg): |δ| ≤ limit. */
  readonly positionLimitDeg: readonly number[];
}

export interface GustParams {
  /** Standard deviation of the gust torque about body x, y, z (N·m). */
  readonly sigmaNm: readonly [number, number, number];
  /** Correlation time of the first-order (Dryden-like) gust filter (s). */
  readonly correlationTimeS: number;
}

export interface VehicleParams {
  /** Inertia tensor entries (kg·m²); J = [[jx, 0, −jxz], [0, jy, 0], [−jxz, 0, jz]]. */
  readonly jxKgM2: number;
  readonly jyKgM2: number;
  readonly jzKgM2: number;
  readonly jxzKgM2: number;
  /**
   * Aerodynamic rate damping, row-major 3×3 (N·m per rad/s): τ_aero = D·ω.
   * Rows: roll L, pitch M, yaw N; columns p, q, r.
   */
  readonly dampingNmPerRadPerS: readonly number[];
  /** Control effectiveness, row-major 3×4 (N·m per deg): τ_ctrl = B·δ. */
  readonly effectivenessNmPerDeg: readonly number[];
  readonly actuator: ActuatorParams;
  readonly gust: GustParams;
  readonly gravityMPerS2: number;
}

function aerosondeDamping(): number[] {
  const a = AEROSONDE;
  const qBar = 0.5 * a.airDensityKgPerM3 * a.airspeedMPerS * a.airspeedMPerS;
  const lateral = qBar * a.wingAreaM2 * a.spanM * (a.spanM / (2 * a.airspeedMPerS));
  const longitudinal = qBar * a.wingAreaM2 * a.chordM * (a.chordM / (2 * a.airspeedMPerS));
  return [
    lateral * a.cEllP, 0, lateral * a.cEllR,
    0, longitudinal * a.cMQ, 0,
    lateral * a.cNP, 0, lateral * a.cNR,
  ];
}

/**
 * Effectiveness of the four surfaces. Beard & McLain's aileron δa is the differential of the
 * pair, so each aileron carries half of C_ℓδa and C_nδa, with opposite signs (left aileron
 * positive = roll right). Elevator positive = trailing edge down = nose-down moment;
 * rudder positive = nose-left moment (C_nδr < 0), as in the source.
 */
function aerosondeEffectiveness(): number[] {
  const a = AEROSONDE;
  const qBar = 0.5 * a.airDensityKgPerM3 * a.airspeedMPerS * a.airspeedMPerS;
  const perRadToPerDeg = Math.PI / 180;
  const lateral = qBar * a.wingAreaM2 * a.spanM * perRadToPerDeg;
  const longitudinal = qBar * a.wingAreaM2 * a.chordM * perRadToPerDeg;
  const rollPerAileron = 0.5 * lateral * a.cEllDeltaA;
  const yawPerAileron = 0.5 * lateral * a.cNDeltaA;
  return [
    rollPerAileron, -rollPerAileron, 0, lateral * a.cEllDeltaR,
    0, 0, longitudinal * a.cMDeltaE, 0,
    yawPerAileron, -yawPerAileron, 0, lateral * a.cNDeltaR,
  ];
}

/** Servo model: 20 ms lag, 250 °/s slew, ±25° travel (typical digital UAV servo). */
export const DEFAULT_ACTUATOR: ActuatorParams = {
  timeConstantS: 0.02,
  rateLimitDegPerS: 250,
  positionLimitDeg: [25, 25, 25, 25],
};

/** Light turbulence expressed as body torques (see docs/VEHICLE.md, "Gusts"). */
export const DEFAULT_GUST: GustParams = { sigmaNm: [3, 2, 1.5], correlationTimeS: 0.5 };
export const NO_GUST: GustParams = { sigmaNm: [0, 0, 0], correlationTimeS: 0.5 };

/** The Aerosonde at 25 m/s with the default servos and light turbulence. */
export function aerosondeVehicle(overrides: Partial<VehicleParams> = {}): VehicleParams {
  const vehicle: VehicleParams = {
    jxKgM2: AEROSONDE.jxKgM2,
    jyKgM2: AEROSONDE.jyKgM2,
    jzKgM2: AEROSONDE.jzKgM2,
    jxzKgM2: AEROSONDE.jxzKgM2,
    dampingNmPerRadPerS: aerosondeDamping(),
    effectivenessNmPerDeg: aerosondeEffectiveness(),
    actuator: DEFAULT_ACTUATOR,
    gust: DEFAULT_GUST,
    gravityMPerS2: GRAVITY_M_PER_S2,
    ...overrides,
  };
  validateVehicle(vehicle);
  return vehicle;
}

export function validateVehicle(v: VehicleParams): void {
  assert(v.jxKgM2 > 0 && v.jyKgM2 > 0 && v.jzKgM2 > 0, 'principal inertias must be positive');
  assert(v.jxKgM2 * v.jzKgM2 > v.jxzKgM2 * v.jxzKgM2, 'inertia tensor must be positive definite');
  assert(v.dampingNmPerRadPerS.length === 9, 'damping is 3×3');
  assert(v.effectivenessNmPerDeg.length === 3 * ACTUATOR_COUNT, 'effectiveness is 3×4');
  assert(v.actuator.positionLimitDeg.length === ACTUATOR_COUNT, 'one position limit per actuator');
  assert(v.actuator.timeConstantS > 0 && v.actuator.rateLimitDegPerS > 0, 'actuator lag and rate limit must be positive');
  assert(v.gust.correlationTimeS > 0 && v.gust.sigmaNm.every((s) => s >= 0), 'gust parameters');
}

/**
 * The flight envelope used to classify a run: outside it the vehicle is deemed to have
 * departed controlled flight, which a campaign counts as a silent data corruption (SDC) when
 * no channel flagged an error. Attitude error is measured against the setpoint schedule
 * (src/core/control/setpoint.ts) with `attitudeErrorDeg`. Fault-free flights under the
 * default gusts stay below 2° (test/core/control/closed-loop.test.ts), so 5° is a margin of
 * more than 2× over nominal; the rate bound is twice the largest commanded rate.
 */
export const FLIGHT_ENVELOPE = {
  attitudeErrorDegMax: 5,
  bodyRateRadPerSMax: 3,
} as const;
