/**
 * The actuator path downstream of every vote (docs/REDUNDANCY.md, "The voter and the actuator
 * path"): what each surface really does with the force-voted command, and the actuator monitor
 * of the actuator electronics.
 *
 * A healthy actuator follows its command (the plant model has no servo lag: docs/VEHICLE.md).
 * An actuator fault takes the surface away from it, downstream of every redundant part:
 *   jam        the surface holds where it was when the fault struck
 *   hard-over  the surface goes to its stop (sign of `value`, default +)
 *   runaway    the surface moves at `value` deg/s (default 20) from where it was, up to its stop
 * for `durationMicros` (then it follows its command again) or for good.
 *
 * The monitor compares each surface's position (its LVDT) with its command and raises an alarm
 * when they differ by more than MONITOR_THRESHOLD_DEG for MONITOR_CYCLES consecutive votes. It
 * announces the fault; nothing in this architecture can move a jammed or hard-over surface back
 * (no actuator reconfiguration), which is why the campaign's actuator site shows detected-unsafe
 * and sdc outcomes: an honest gap, stated in docs/REDUNDANCY.md. A hard-over leaves the twin's
 * tolerance at its first vote, before the monitor's MONITOR_CYCLES persistence, so the oracle
 * judges it unannounced (sdc); a jam or a runaway usually drifts out after the alarm. Every
 * surface also stops at its travel limit. Allocation-free per vote.
 */
import { assert } from '../assert.js';
import type { ActuatorMode } from '../fault/profile.js';

/** Position–command difference (deg) the monitor tolerates (a healthy servo tracks within a few tenths). */
export const MONITOR_THRESHOLD_DEG = 1;
/** Consecutive votes beyond the threshold before the monitor trips. */
export const MONITOR_CYCLES = 3;
export const RUNAWAY_DEG_PER_S_DEFAULT = 20;

const HEALTHY = 0;
const JAM = 1;
const HARD_OVER = 2;
const RUNAWAY = 3;
const MODES: Readonly<Record<ActuatorMode, number>> = { jam: JAM, 'hard-over': HARD_OVER, runaway: RUNAWAY };

export class ActuatorPath {
  /** Where each surface is (deg) after the last `apply`. */
  readonly positionDeg: Float64Array;
  /** Monitor trips so far (alarms raised). */
  monitorTrips = 0;
  private readonly limitDeg: Float64Array;
  private readonly mode: Uint8Array;
  private readonly startDeg: Float64Array;
  private readonly sinceMicros: Float64Array;
  private readonly untilMicros: Float64Array;
  private readonly rateDegPerS: Float64Array;
  private readonly beyond: Int32Array;
  private readonly tripped: Uint8Array;
  private faulty = 0;

  constructor(actuatorLimitDeg: readonly number[]) {
    const n = actuatorLimitDeg.length;
    assert(n >= 1 && actuatorLimitDeg.every((l) => l > 0), 'actuator path: positive limits');
    this.limitDeg = Float64Array.from(actuatorLimitDeg);
    this.positionDeg = new Float64Array(n);
    this.mode = new Uint8Array(n);
    this.startDeg = new Float64Array(n);
    this.sinceMicros = new Float64Array(n);
    this.untilMicros = new Float64Array(n);
    this.rateDegPerS = new Float64Array(n);
    this.beyond = new Int32Array(n);
    this.tripped = new Uint8Array(n);
  }

  /** Fault injection: actuator `actuator` suffers `mode` from `nowMicros` (for `durationMicros`, or for good). */
  inject(actuator: number, mode: ActuatorMode, value: number | undefined, durationMicros: number | undefined, nowMicros: number): void {
    assert(Number.isInteger(actuator) && actuator >= 0 && actuator < this.mode.length, `actuator path: no actuator ${actuator}`);
    if (this.mode[actuator] === HEALTHY) this.faulty++;
    this.mode[actuator] = MODES[mode];
    this.startDeg[actuator] = this.positionDeg[actuator] ?? 0;
    this.sinceMicros[actuator] = nowMicros;
    this.untilMicros[actuator] = durationMicros === undefined ? Number.POSITIVE_INFINITY : nowMicros + durationMicros;
    const limit = this.limitDeg[actuator] ?? 0;
    this.rateDegPerS[actuator] = mode === 'runaway' ? (value ?? RUNAWAY_DEG_PER_S_DEFAULT) : mode === 'hard-over' ? ((value ?? 1) < 0 ? -limit : limit) : 0;
  }

  /** The actuator now faulty (any), for the status views. */
  get faultyCount(): number {
    return this.faulty;
  }

  /**
   * The surfaces for the voted `commandDeg` at `nowMicros`: rewrites `commandDeg` in place with
   * what each surface does. Returns true when the monitor tripped on an actuator at this vote.
   */
  apply(commandDeg: Float64Array, nowMicros: number): boolean {
    const n = this.mode.length;
    if (this.faulty === 0) {
      // A surface stops at its travel limit whatever it is commanded (a wild command saturates).
      for (let i = 0; i < n; i++) {
        const limit = this.limitDeg[i] ?? 0;
        const c = commandDeg[i] ?? 0;
        const p = c > limit ? limit : c < -limit ? -limit : c;
        this.positionDeg[i] = p;
        commandDeg[i] = p;
      }
      return false;
    }
    let trip = false;
    for (let i = 0; i < n; i++) {
      const command = commandDeg[i] ?? 0;
      let mode = this.mode[i] ?? HEALTHY;
      if (mode !== HEALTHY && nowMicros >= (this.untilMicros[i] ?? 0)) {
        this.mode[i] = HEALTHY;
        this.faulty--;
        mode = HEALTHY;
      }
      const limit = this.limitDeg[i] ?? 0;
      let position = command > limit ? limit : command < -limit ? -limit : command;
      if (mode === JAM) position = this.startDeg[i] ?? 0;
      else if (mode === HARD_OVER) position = this.rateDegPerS[i] ?? 0;
      else if (mode === RUNAWAY) {
        const moved = (this.startDeg[i] ?? 0) + (this.rateDegPerS[i] ?? 0) * (nowMicros - (this.sinceMicros[i] ?? 0)) * 1e-6;
        position = moved > limit ? limit : moved < -limit ? -limit : moved;
      }
      this.positionDeg[i] = position;
      commandDeg[i] = position;
      const commanded = command > limit ? limit : command < -limit ? -limit : command;
      const off = Math.abs(position - commanded) > MONITOR_THRESHOLD_DEG;
      this.beyond[i] = off ? (this.beyond[i] ?? 0) + 1 : 0;
      if (off && this.beyond[i] === MONITOR_CYCLES && this.tripped[i] === 0) {
        this.tripped[i] = 1;
        this.monitorTrips++;
        trip = true;
      }
      if (!off && mode === HEALTHY) this.tripped[i] = 0;
    }
    return trip;
  }
}
