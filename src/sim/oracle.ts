/**
 * The outcome oracle of a flight: judges, once per vote, whether what reached the plant was
 * wrong, and raises silent data corruption in the fault ledger when it was wrong with no alarm.
 * Two criteria (docs/FLIGHT.md "Silent data corruption"):
 *   envelope  the attitude error or a body rate left the flight envelope, and no alarm was
 *             raised in the ALARM_LOOKBACK_MICROS before;
 *   command   the voted command lies outside [min, max] ± SDC_TOLERANCE_DEG of the commands of
 *             the channels that are fault-free and voting, and the voter raised no alarm.
 * It also keeps the vehicle figures of the flight (largest attitude error and body rate, cycles
 * outside the envelope) and, for attitude traces, the largest error since the last `takeWindowMax()`.
 */
import type { ChannelFaultState } from './fault-state.js';
import type { MechanismObserver } from './observer.js';
import { VOTER_ALARMS } from './observer.js';
import type { ChannelRuntime } from '../core/channel/channel.js';
import type { VoterNode } from '../core/channel/voter-node.js';
import { setpointAt, type SetpointSchedule } from '../core/control/setpoint.js';
import type { FaultLedger } from '../core/fault/accounting.js';
import { STATE_P, STATE_QW, type Plant } from '../core/plant/plant.js';
import { attitudeErrorDeg } from '../core/plant/quaternion.js';
import { FLIGHT_ENVELOPE } from '../core/plant/vehicle.js';

/** SDC tolerance on a voted actuator command beyond the healthy channels' range (deg). */
export const SDC_TOLERANCE_DEG = 1;
/** An attitude excursion is silent when no alarm was raised in this long before it. */
export const ALARM_LOOKBACK_MICROS = 5_000_000;

export class FlightOracle {
  maxAttitudeErrorDeg = 0;
  maxBodyRateRadPerS = 0;
  envelopeExceededCycles = 0;
  /** Largest attitude error since the last `takeWindowMax()` (attitude traces). */
  private windowMaxAttitudeErrorDeg = 0;
  private inExcursion = false;
  private readonly setpoint = new Float64Array(6);

  constructor(
    private readonly plant: Plant,
    private readonly schedule: SetpointSchedule,
    private readonly channels: readonly ChannelRuntime[],
    private readonly voterNode: VoterNode,
    private readonly faults: ChannelFaultState,
    private readonly ledger: FaultLedger,
    private readonly observer: MechanismObserver,
  ) {}

  /** Judges the vote at true time `t` (voter status word `status`). */
  check(t: number, status: number): void {
    setpointAt(this.schedule, t, this.setpoint);
    const error = attitudeErrorDeg(this.plant.state, STATE_QW, this.setpoint[0] ?? 0, this.setpoint[1] ?? 0, this.setpoint[2] ?? 0);
    let rate = 0;
    for (let i = 0; i < 3; i++) rate = Math.max(rate, Math.abs(this.plant.state[STATE_P + i] ?? 0));
    if (error > this.maxAttitudeErrorDeg) this.maxAttitudeErrorDeg = error;
    if (error > this.windowMaxAttitudeErrorDeg) this.windowMaxAttitudeErrorDeg = error;
    if (rate > this.maxBodyRateRadPerS) this.maxBodyRateRadPerS = rate;
    const outside = error > FLIGHT_ENVELOPE.attitudeErrorDegMax || rate > FLIGHT_ENVELOPE.bodyRateRadPerSMax;
    if (outside) this.envelopeExceededCycles++;
    if (outside && !this.inExcursion && t - this.observer.lastAlarmMicros > ALARM_LOOKBACK_MICROS) this.ledger.sdc(t, 'envelope');
    this.inExcursion = outside;
    if ((status & VOTER_ALARMS) === 0 && this.commandOutsideHealthy()) this.ledger.sdc(t, 'command');
  }

  /** The largest attitude error since the last call (deg), and a fresh window. */
  takeWindowMax(): number {
    const max = this.windowMaxAttitudeErrorDeg;
    this.windowMaxAttitudeErrorDeg = 0;
    return max;
  }

  /** The voted command lies outside [min, max] ± tolerance of the fault-free, voting channels' commands. */
  private commandOutsideHealthy(): boolean {
    const out = this.voterNode.outputDeg;
    for (let a = 0; a < out.length; a++) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < this.channels.length; c++) {
        const ch = this.channels[c];
        if (ch === undefined || this.faults.isDown(c) || this.faults.isFaulted(c) || ch.lastSelfFault !== 'none' || this.voterNode.voter.channelHealth(c) !== 'active') continue;
        const v = ch.commandDeg[a] ?? 0;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo <= hi && ((out[a] ?? 0) < lo - SDC_TOLERANCE_DEG || (out[a] ?? 0) > hi + SDC_TOLERANCE_DEG)) return true;
    }
    return false;
  }
}
