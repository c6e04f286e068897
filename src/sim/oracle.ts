/**
 * The outcome oracle of a flight (docs/FLIGHT.md, "The oracle"). It never asks a mechanism
 * whether the output was right: once per vote it compares what reached the plant — the voted
 * actuator command after everything downstream of the voter — and the vehicle's attitude with
 * the flight's golden twin (./twin.ts: same seed, rig and configuration, no faults), and keeps
 * every stretch of votes where the flight left the twin's tolerance (a deviation). Alarms are
 * read only to decide whether a deviation was *announced*: an alarm raised after the injection
 * of the fault the deviation belongs to and no later than the deviation's first vote.
 *
 * Tolerances come from the twin's own noise, not from the mechanisms: a command is out of
 * tolerance when it lies outside the range of the twin's three fault-free channels' commands at
 * that vote widened by COMMAND_MARGIN_DEG (how far apart correct channels are, and by how much
 * a vehicle nudged off the twin's path changes them); the attitude is out when it is more than
 * ATTITUDE_TOLERANCE_DEG from the twin's. The vehicle leaving the flight envelope while its twin
 * stays inside is a deviation too. The figures behind both margins: docs/FLIGHT.md.
 *
 * At the end each injected fault gets one outcome (`outcomeOfFaults`, pure):
 *   sdc              a deviation belongs to it and was not announced
 *   detected-unsafe  a deviation belongs to it, announced (fail-safe, envelope exit, lost vehicle)
 *   hang             a channel it stopped was never isolated nor restarted
 *   degraded         no deviation, but a channel it cost is not back in the vote at the end
 *   recovered        no deviation, a mechanism acted (ECC, TMR, CRC, isolation), redundancy restored
 *   masked           no deviation, no mechanism acted
 * A deviation belongs to the most recent fault injected at or before its first vote; one with no
 * fault before it (nothing injected, or corruption downstream of the voter) is unattributed and
 * makes the flight `sdc` (or `detected-unsafe` if an alarm was raised at that very vote).
 *
 * It also keeps the vehicle figures of the flight (largest attitude error and body rate, cycles
 * outside the envelope) and, for attitude traces, the largest error since `takeWindowMax()`.
 */
import type { MechanismObserver } from './observer.js';
import { TWIN_OFFSETS, type TwinSource } from './twin.js';
import { setpointAt, type SetpointSchedule } from '../core/control/setpoint.js';
import { FaultLedger } from '../core/fault/accounting.js';
import { emptyOutcomeCounts, worstOutcome, type OutcomeClass } from '../core/fault/outcome.js';
import { faultEffectEndMicros, isTransientFault, type FaultSpec } from '../core/fault/profile.js';
import { STATE_P, STATE_QW, type Plant } from '../core/plant/plant.js';
import { attitudeErrorDeg, quaternionAngleDeg } from '../core/plant/quaternion.js';
import { FLIGHT_ENVELOPE } from '../core/plant/vehicle.js';
import type { ChannelHealth } from '../core/vote/voter.js';
import type { VoterEvent } from '../core/vote/events.js';

export { emptyOutcomeCounts, isOutcomeClass, ORACLE_VERSION, OUTCOME_CLASSES, worstOutcome, type OutcomeClass } from '../core/fault/outcome.js';

/**
 * Margin (deg) around the twin's channel range within which a command is correct. The twin's
 * fault-free channels differ by up to ~0.06° (one wire LSB, 1 mrad) on a calm flight and by
 * ~0.3° under gusts; a flight whose voter lost a channel and now follows another healthy one
 * drifts a little off the twin's path, which moves the commands by at most ~0.8° (measured over
 * every single fault of the soak set, docs/FLIGHT.md). 2° is above both, and below the smallest
 * wrong command the voter's 2° miscompare threshold is meant to catch.
 */
export const COMMAND_MARGIN_DEG = 2;
/**
 * Attitude deviation from the twin (deg) beyond which the vehicle is off the twin's path: the
 * flight envelope's own attitude bound (docs/VEHICLE.md), i.e. as far as a fault-free vehicle
 * may be from its setpoint.
 */
export const ATTITUDE_TOLERANCE_DEG = FLIGHT_ENVELOPE.attitudeErrorDegMax;
/**
 * A channel lost to a transient fault fails the flight only if the fault was over this long
 * before the flight ended: reintegration takes the voter's healthy period (1 s) plus probation
 * (25 votes) and a state transfer, so 2 s is twice what a channel needs to come back.
 */
export const REINTEGRATION_GRACE_MICROS = 2_000_000;
/** Deviations kept in detail (more are counted). */
export const DEVIATIONS_KEPT_MAX = 64;

/** A stretch of votes where the flight was outside the twin's tolerance. */
export interface Deviation {
  readonly startMicros: number;
  endMicros: number;
  readonly startVote: number;
  votes: number;
  /** Ledger record the deviation belongs to, or −1 (unattributed). */
  readonly faultId: number;
  readonly announced: boolean;
  maxCommandDeviationDeg: number;
  maxAttitudeDeviationDeg: number;
  /** What left the tolerance first: 'command', 'attitude' or 'envelope'. */
  readonly what: string;
}

export interface TwinFigures {
  readonly seed: number;
  readonly maxCommandDeviationDeg: number;
  readonly maxAttitudeDeviationDeg: number;
  readonly commandMarginDeg: number;
  readonly attitudeToleranceDeg: number;
  readonly deviations: number;
  readonly firstDeviationS: number | null;
  readonly votesCompared: number;
}

/** Maxima over a stretch of a flight (`FlightOracle.takeInterval`). */
export interface OracleInterval {
  readonly maxAttitudeErrorDeg: number;
  readonly maxBodyRateRadPerS: number;
  readonly maxCommandDeviationDeg: number;
  readonly maxAttitudeDeviationDeg: number;
}

export class FlightOracle {
  maxAttitudeErrorDeg = 0;
  maxBodyRateRadPerS = 0;
  envelopeExceededCycles = 0;
  maxCommandDeviationDeg = 0;
  maxAttitudeDeviationDeg = 0;
  votesCompared = 0;
  deviationCount = 0;
  readonly deviations: Deviation[] = [];
  /** Largest attitude error since the last `takeWindowMax()` (attitude traces). */
  private windowMaxAttitudeErrorDeg = 0;
  private open: Deviation | undefined;
  private readonly setpoint = new Float64Array(6);
  /** The setpoint as a quaternion (attitudeErrorDeg's scratch). */
  private readonly setpointQuaternion = new Float64Array(4);
  /** Index of the newest ledger record injected at or before the vote being judged. */
  private latestFault = -1;
  /**
   * Maxima since the last `takeInterval()`: attitude error, body rate, command and attitude
   * deviation from the twin. A campaign's golden checkpoints keep them per interval, so a row
   * that converged onto the golden flight knows the maxima of the rest of its flight.
   */
  private readonly intervalMax = new Float64Array(4);

  constructor(
    private readonly plant: Plant,
    private readonly schedule: SetpointSchedule,
    private readonly ledger: FaultLedger,
    private readonly observer: MechanismObserver,
    private readonly twin: TwinSource | undefined,
  ) {}

  get judged(): boolean {
    return this.twin !== undefined;
  }

  /** Judges vote `k` at true time `t`: `commandDeg` is what reaches the plant. */
  check(k: number, t: number, commandDeg: Float64Array): void {
    const state = this.plant.state;
    setpointAt(this.schedule, t, this.setpoint);
    const error = attitudeErrorDeg(state, STATE_QW, this.setpoint[0] ?? 0, this.setpoint[1] ?? 0, this.setpoint[2] ?? 0, this.setpointQuaternion);
    let rate = 0;
    for (let i = 0; i < 3; i++) rate = Math.max(rate, Math.abs(state[STATE_P + i] ?? 0));
    if (error > this.maxAttitudeErrorDeg) this.maxAttitudeErrorDeg = error;
    if (error > this.windowMaxAttitudeErrorDeg) this.windowMaxAttitudeErrorDeg = error;
    if (rate > this.maxBodyRateRadPerS) this.maxBodyRateRadPerS = rate;
    const interval = this.intervalMax;
    if (error > (interval[0] ?? 0)) interval[0] = error;
    if (rate > (interval[1] ?? 0)) interval[1] = rate;
    const outside = error > FLIGHT_ENVELOPE.attitudeErrorDegMax || rate > FLIGHT_ENVELOPE.bodyRateRadPerSMax;
    if (outside) this.envelopeExceededCycles++;
    if (this.twin === undefined) return;
    const tw = this.twin.vote(k);
    if (tw === undefined) return;
    this.votesCompared++;
    const d = tw.data;
    const o = tw.offset;
    let commandDev = 0;
    let commandOut = false;
    for (let a = 0; a < 4; a++) {
      const u = commandDeg[a] ?? 0;
      const dev = Math.abs(u - (d[o + TWIN_OFFSETS.command + a] ?? 0));
      if (dev > commandDev) commandDev = dev;
      if (u < (d[o + TWIN_OFFSETS.low + a] ?? 0) - COMMAND_MARGIN_DEG || u > (d[o + TWIN_OFFSETS.high + a] ?? 0) + COMMAND_MARGIN_DEG) commandOut = true;
    }
    const attitudeDev = quaternionAngleDeg(state, STATE_QW, d, o + TWIN_OFFSETS.attitude);
    if (commandDev > this.maxCommandDeviationDeg) this.maxCommandDeviationDeg = commandDev;
    if (attitudeDev > this.maxAttitudeDeviationDeg) this.maxAttitudeDeviationDeg = attitudeDev;
    if (commandDev > (interval[2] ?? 0)) interval[2] = commandDev;
    if (attitudeDev > (interval[3] ?? 0)) interval[3] = attitudeDev;
    const twinInside = twinWithinEnvelope(d, o, this.setpoint, this.setpointQuaternion);
    const envelopeOut = outside && twinInside;
    const attitudeOut = attitudeDev > ATTITUDE_TOLERANCE_DEG;
    if (commandOut || attitudeOut || envelopeOut) {
      if (this.open === undefined) this.openDeviation(k, t, commandOut ? 'command' : attitudeOut ? 'attitude' : 'envelope');
      const dev = this.open;
      if (dev !== undefined) {
        dev.endMicros = t;
        dev.votes++;
        if (commandDev > dev.maxCommandDeviationDeg) dev.maxCommandDeviationDeg = commandDev;
        if (attitudeDev > dev.maxAttitudeDeviationDeg) dev.maxAttitudeDeviationDeg = attitudeDev;
      }
    } else {
      this.open = undefined;
    }
  }

  /** The maxima since the last call (`intervalMax`), and a fresh interval. */
  takeInterval(): OracleInterval {
    const [maxAttitudeErrorDeg = 0, maxBodyRateRadPerS = 0, maxCommandDeviationDeg = 0, maxAttitudeDeviationDeg = 0] = this.intervalMax;
    this.intervalMax.fill(0);
    return { maxAttitudeErrorDeg, maxBodyRateRadPerS, maxCommandDeviationDeg, maxAttitudeDeviationDeg };
  }

  /** A deviation from the twin is still open (its end, and so its figures, are not known yet). */
  get deviationOpen(): boolean {
    return this.open !== undefined;
  }

  /**
   * The flight converged onto its golden flight at a checkpoint (src/campaign/models.ts, early
   * convergence): the rest of the flight is the golden flight's, so the judge takes that rest's
   * figures instead of watching it — maxima from `rest`, counts as the golden flight's growth.
   */
  absorbRest(rest: OracleInterval, envelopeExceededCycles: number, votesCompared: number): void {
    this.maxAttitudeErrorDeg = Math.max(this.maxAttitudeErrorDeg, rest.maxAttitudeErrorDeg);
    this.maxBodyRateRadPerS = Math.max(this.maxBodyRateRadPerS, rest.maxBodyRateRadPerS);
    this.maxCommandDeviationDeg = Math.max(this.maxCommandDeviationDeg, rest.maxCommandDeviationDeg);
    this.maxAttitudeDeviationDeg = Math.max(this.maxAttitudeDeviationDeg, rest.maxAttitudeDeviationDeg);
    this.envelopeExceededCycles += envelopeExceededCycles;
    this.votesCompared += votesCompared;
  }

  /** The largest attitude error since the last call (deg), and a fresh window. */
  takeWindowMax(): number {
    const max = this.windowMaxAttitudeErrorDeg;
    this.windowMaxAttitudeErrorDeg = 0;
    return max;
  }

  figures(): TwinFigures | null {
    if (this.twin === undefined) return null;
    const first = this.deviations[0];
    return {
      seed: this.twin.seed, maxCommandDeviationDeg: this.maxCommandDeviationDeg, maxAttitudeDeviationDeg: this.maxAttitudeDeviationDeg,
      commandMarginDeg: COMMAND_MARGIN_DEG, attitudeToleranceDeg: ATTITUDE_TOLERANCE_DEG, deviations: this.deviationCount,
      firstDeviationS: first === undefined ? null : first.startMicros / 1e6, votesCompared: this.votesCompared,
    };
  }

  private openDeviation(k: number, t: number, what: string): void {
    const records = this.ledger.records;
    while (this.latestFault + 1 < records.length && (records[this.latestFault + 1]?.atMicros ?? Number.POSITIVE_INFINITY) <= t) this.latestFault++;
    const fault = records[this.latestFault];
    // With no fault before it, only an alarm raised at this very vote announces it (a start-up alarm is unrelated).
    const since = fault === undefined ? t : fault.atMicros;
    const announced = this.observer.lastAlarmMicros >= since && this.observer.lastAlarmMicros <= t;
    const dev: Deviation = {
      startMicros: t, endMicros: t, startVote: k, votes: 0, faultId: fault === undefined ? -1 : fault.id, announced,
      maxCommandDeviationDeg: 0, maxAttitudeDeviationDeg: 0, what,
    };
    this.deviationCount++;
    if (this.deviations.length < DEVIATIONS_KEPT_MAX) this.deviations.push(dev);
    this.open = dev;
    if (!announced) {
      if (fault === undefined) this.ledger.unattributedSdc++;
      else this.ledger.verdictSdc(fault.id, t);
    }
  }
}

/** The twin's vehicle at vote (d, o) is inside the flight envelope. */
function twinWithinEnvelope(d: Float64Array, o: number, setpoint: Float64Array, scratch: Float64Array): boolean {
  const q = o + TWIN_OFFSETS.attitude;
  const error = attitudeErrorDeg(d, q, setpoint[0] ?? 0, setpoint[1] ?? 0, setpoint[2] ?? 0, scratch);
  let rate = 0;
  for (let i = 0; i < 3; i++) rate = Math.max(rate, Math.abs(d[o + TWIN_OFFSETS.rates + i] ?? 0));
  return error <= FLIGHT_ENVELOPE.attitudeErrorDegMax && rate <= FLIGHT_ENVELOPE.bodyRateRadPerSMax;
}

/** What the outcome of each fault is computed from (read-only; computing changes nothing). */
export interface VerdictInput {
  readonly ledger: FaultLedger;
  /** Per ledger record, the fault as injected (ground truth, from the injector). */
  readonly specs: readonly FaultSpec[];
  readonly deviations: readonly Deviation[];
  /** Deviations beyond the kept ones (judged like the last kept one's fault). */
  readonly deviationCount: number;
  readonly channelHealthAtEnd: readonly ChannelHealth[];
  /** The injector's ground truth: channel c is down (crashed, hung, replaced by a board) now. */
  readonly channelDown: readonly boolean[];
  readonly voterEvents: readonly VoterEvent[];
  /** The flight did not run all its cycles (a board stopped answering, the run was cut). */
  readonly incomplete: boolean;
  /** True time the flight has reached (µs). */
  readonly endMicros: number;
  readonly judged: boolean;
}

export interface Verdict {
  readonly outcome: OutcomeClass;
  readonly outcomes: Record<OutcomeClass, number>;
  /** Per ledger record. */
  readonly perFault: readonly OutcomeClass[];
  /** Deviations that belong to no fault. */
  readonly unattributed: number;
  /** Faults whose outcome fails the flight (sdc, hang, detected-unsafe, degraded after a transient fault over in time to come back). */
  readonly failing: readonly { readonly id: number; readonly outcome: OutcomeClass; readonly transient: boolean }[];
}


/** The outcome of every fault of a flight, and of the flight (pure). */
export function outcomeOfFaults(v: VerdictInput): Verdict {
  const records = v.ledger.records;
  const perFault: OutcomeClass[] = records.map(() => 'masked');
  const deviated = new Array<OutcomeClass | undefined>(records.length).fill(undefined);
  let flight: OutcomeClass = 'masked';
  let unattributed = 0;
  for (const d of v.deviations) {
    const cls: OutcomeClass = d.announced ? 'detected-unsafe' : 'sdc';
    if (d.faultId < 0) {
      unattributed++;
      flight = worstOutcome(flight, cls);
    } else {
      deviated[d.faultId] = worstOutcome(deviated[d.faultId] ?? 'masked', cls);
    }
  }
  // Channels not back in the vote at the end, and the fault each was lost to.
  const lostTo = new Set<number>();
  for (let c = 0; c < v.channelHealthAtEnd.length; c++) {
    const h = v.channelHealthAtEnd[c];
    if (h === 'active' || h === 'suspect') continue;
    let leftAt = -1;
    for (const e of v.voterEvents) if (e.channel === c && (e.kind === 'isolated' || e.kind === 'failed')) leftAt = e.atMicros;
    const fault = lostChannelCause(records, v.specs, c, leftAt);
    if (fault >= 0) lostTo.add(fault);
  }
  const failing: { id: number; outcome: OutcomeClass; transient: boolean }[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r === undefined) continue;
    const fate = FaultLedger.fateAtEnd(r);
    const acted = (fate !== 'masked' && fate !== 'sdc') || r.detectedBy !== 'none';
    let cls: OutcomeClass = deviated[i] ?? (fate === 'hang' ? 'hang' : lostTo.has(i) ? 'degraded' : acted ? 'recovered' : 'masked');
    if (fate === 'hang' && cls !== 'sdc') cls = worstOutcome(cls, 'hang');
    perFault[i] = cls;
    flight = worstOutcome(flight, cls);
    const spec = v.specs[i];
    const transient = spec !== undefined && isTransientFault(spec);
    const over = spec !== undefined && faultEffectEndMicros(spec, r.atMicros) + REINTEGRATION_GRACE_MICROS <= v.endMicros;
    if (cls === 'sdc' || cls === 'hang' || cls === 'detected-unsafe' || (cls === 'degraded' && transient && over)) failing.push({ id: i, outcome: cls, transient });
  }
  if (v.incomplete) flight = worstOutcome(flight, 'hang');
  const outcomes = emptyOutcomeCounts();
  for (const c of perFault) outcomes[c]++;
  return { outcome: flight, outcomes, perFault, unattributed, failing };
}

/**
 * The fault channel `c` was lost to when it left the vote at `leftAt`: a permanent fault on `c`
 * itself (the latest, if several: the channel would be lost to it whatever came after), else the
 * latest fault on `c`, else the latest generic one (bus, sensor: no channel), else the latest of
 * any kind (a two-faced or masquerading peer). A transient fault never takes the blame for a loss
 * that a permanent fault on the same channel, or any fault on the lost channel, explains (a flip
 * on B, or a later flip on C, must not take the blame for C's drifting oscillator).
 */
function lostChannelCause(records: readonly { readonly atMicros: number; readonly channel: number }[], specs: readonly FaultSpec[], c: number, leftAt: number): number {
  let ownPermanent = -1;
  let own = -1;
  let generic = -1;
  let any = -1;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r === undefined || r.atMicros > leftAt) continue;
    any = i;
    if (r.channel === c) {
      own = i;
      const spec = specs[i];
      if (spec !== undefined && !isTransientFault(spec)) ownPermanent = i;
    } else if (r.channel < 0) {
      generic = i;
    }
  }
  return ownPermanent >= 0 ? ownPermanent : own >= 0 ? own : generic >= 0 ? generic : any;
}
