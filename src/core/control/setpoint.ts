/**
 * Setpoint schedules: the attitude the flight asks for, as a pure function of time. A schedule
 * is a list of segments; at `startS` the setpoint starts moving from the previous target to the
 * segment's target along a half-cosine blend lasting `transitionS` (0 = a step), then holds.
 * Periodic schedules repeat every `periodS`. The body-rate feedforward is the exact derivative
 * of the blend, converted from Euler rates to body rates.
 */
import { assert } from '../assert.js';
import { RAD_PER_DEG } from '../plant/quaternion.js';
import { SETPOINT_LENGTH } from './gains.js';

export interface SetpointSegment {
  readonly startS: number;
  readonly transitionS: number;
  readonly rollDeg: number;
  readonly pitchDeg: number;
  readonly yawDeg: number;
}

export interface SetpointSchedule {
  readonly name: string;
  /** Repeat period (s); 0 = not periodic (the last target holds for ever). */
  readonly periodS: number;
  /** Segments in increasing `startS`; before the first the setpoint is level, heading 0. */
  readonly segments: readonly SetpointSegment[];
}

export const SCHEDULE_SEGMENTS_MAX = 64;

/** Attitude hold: level, heading 0, for ever. The default. */
export const HOLD_LEVEL: SetpointSchedule = { name: 'hold', periodS: 0, segments: [] };

/**
 * The standard manoeuvre cycle (60 s, repeating): ±30° bank reversals, a pitch doublet
 * (+10°/−5°) and a 20° heading change and back, each with smooth 2–4 s transitions.
 */
export const STANDARD_MANOEUVRES: SetpointSchedule = {
  name: 'standard',
  periodS: 60,
  segments: [
    { startS: 5, transitionS: 3, rollDeg: 30, pitchDeg: 0, yawDeg: 0 },
    { startS: 13, transitionS: 4, rollDeg: -30, pitchDeg: 0, yawDeg: 0 },
    { startS: 22, transitionS: 3, rollDeg: 0, pitchDeg: 0, yawDeg: 0 },
    { startS: 28, transitionS: 2, rollDeg: 0, pitchDeg: 10, yawDeg: 0 },
    { startS: 34, transitionS: 2, rollDeg: 0, pitchDeg: -5, yawDeg: 0 },
    { startS: 40, transitionS: 2, rollDeg: 0, pitchDeg: 0, yawDeg: 0 },
    { startS: 44, transitionS: 4, rollDeg: 0, pitchDeg: 0, yawDeg: 20 },
    { startS: 52, transitionS: 4, rollDeg: 0, pitchDeg: 0, yawDeg: 0 },
  ],
};

/** A single step at `atS` to the given attitude (for step-response tests). */
export function stepSchedule(atS: number, rollDeg: number, pitchDeg: number, yawDeg: number): SetpointSchedule {
  return { name: 'step', periodS: 0, segments: [{ startS: atS, transitionS: 0, rollDeg, pitchDeg, yawDeg }] };
}

export const SCHEDULES: Readonly<Record<string, SetpointSchedule>> = {
  hold: HOLD_LEVEL,
  standard: STANDARD_MANOEUVRES,
};

export function validateSchedule(schedule: SetpointSchedule): void {
  assert(schedule.segments.length <= SCHEDULE_SEGMENTS_MAX, 'too many schedule segments');
  assert(schedule.periodS >= 0 && Number.isFinite(schedule.periodS), 'schedule period must be finite and >= 0');
  let previousEndS = 0;
  for (const segment of schedule.segments) {
    assert(segment.startS >= previousEndS && segment.transitionS >= 0, `segment at ${segment.startS} s overlaps the previous one`);
    previousEndS = segment.startS + segment.transitionS;
  }
  assert(schedule.periodS === 0 || previousEndS <= schedule.periodS, 'segments must end within the period');
}

/**
 * Writes the setpoint at `timeMicros` into `out` (SETPOINT_LENGTH values: roll, pitch, yaw in
 * rad; feedforward p, q, r in rad/s). Pure and allocation-free.
 */
export function setpointAt(schedule: SetpointSchedule, timeMicros: number, out: Float64Array): void {
  if (out.length < SETPOINT_LENGTH) assert(false, 'setpoint output needs 6 values');
  computeSetpoint(schedule, timeMicros, out);
}

function computeSetpoint(schedule: SetpointSchedule, timeMicros: number, out: Float64Array): void {
  let t = timeMicros * 1e-6;
  if (schedule.periodS > 0) t %= schedule.periodS;
  const segments = schedule.segments;
  let fromRoll = 0;
  let fromPitch = 0;
  let fromYaw = 0;
  let index = -1;
  for (let i = 0; i < segments.length && i < SCHEDULE_SEGMENTS_MAX; i++) {
    const segment = segments[i];
    if (segment === undefined || segment.startS > t) break;
    if (index >= 0) {
      const previous = segments[index];
      fromRoll = previous?.rollDeg ?? 0;
      fromPitch = previous?.pitchDeg ?? 0;
      fromYaw = previous?.yawDeg ?? 0;
    }
    index = i;
  }
  const current = segments[index];
  if (current === undefined) {
    out.fill(0, 0, SETPOINT_LENGTH);
    return;
  }
  const elapsed = t - current.startS;
  const moving = current.transitionS > 0 && elapsed < current.transitionS;
  const phase = moving ? (Math.PI * elapsed) / current.transitionS : Math.PI;
  const blend = 0.5 * (1 - Math.cos(phase));
  const blendRate = moving ? (0.5 * Math.PI * Math.sin(phase)) / current.transitionS : 0;
  const roll = (fromRoll + (current.rollDeg - fromRoll) * blend) * RAD_PER_DEG;
  const pitch = (fromPitch + (current.pitchDeg - fromPitch) * blend) * RAD_PER_DEG;
  out[0] = roll;
  out[1] = pitch;
  out[2] = (fromYaw + (current.yawDeg - fromYaw) * blend) * RAD_PER_DEG;
  const rollDot = (current.rollDeg - fromRoll) * blendRate * RAD_PER_DEG;
  const pitchDot = (current.pitchDeg - fromPitch) * blendRate * RAD_PER_DEG;
  const yawDot = (current.yawDeg - fromYaw) * blendRate * RAD_PER_DEG;
  const sinRoll = Math.sin(roll);
  const cosRoll = Math.cos(roll);
  const cosPitch = Math.cos(pitch);
  out[3] = rollDot - yawDot * Math.sin(pitch);
  out[4] = pitchDot * cosRoll + yawDot * sinRoll * cosPitch;
  out[5] = -pitchDot * sinRoll + yawDot * cosRoll * cosPitch;
}
