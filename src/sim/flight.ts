/**
 * The flight loop: the emulated rig in lockstep (docs/FLIGHT.md), driven by a Scheduler on a
 * SimClock. A flight is a pure function of its configuration and seed: same inputs, same
 * result and the same candump log, byte for byte.
 *
 * Each handler first runs the bus up to its instant, so frames arrive when the bus model says
 * they do. Minor frame k (timing in src/sim/timing.ts): the plant integrates to kP with the last
 * voted command and the IMUs send (`onSensors`); each channel computes at its own logical
 * clock's kP + P/4 (`onChannelStep`, so clock faults really move it) and, once a round, sends
 * its clock stamps (`onChannelSync`); the voter votes at its logical kP + 3P/4 (`onVote`), then
 * the observer, the oracle and the fault ledger look at what happened.
 *
 * The parts live elsewhere: assembly (src/sim/assembly.ts), fault injection (injector.ts),
 * observation of the mechanisms (observer.ts), the outcome oracle (oracle.ts) and the result
 * (report.ts). This class owns the clock, the scheduler, the order of events in a frame, the
 * deadline-miss count and the state transfer the voter asks for.
 */
import { assembleFlight, type FlightParts } from './assembly.js';
import { FlightConfigError, type FlightConfig } from './config.js';
import { ChannelFaultState } from './fault-state.js';
import { FaultInjector } from './injector.js';
import { MechanismObserver } from './observer.js';
import { FlightOracle, outcomeOfFaults, type Verdict } from './oracle.js';
import { flightResult, type FlightResult } from './report.js';
import { syncSlotOfChannel } from './timing.js';
import { LiveTwin, type TwinSource, type VoteRecord } from './twin.js';
import type { EmulatedCanNode } from './emulated-can.js';
import type { ChannelRuntime } from '../core/channel/channel.js';
import { CONTROL_STATE_VOTE_LAYOUT, voteStateImages, type StateVoteError, type VotedState } from '../core/channel/state-vote.js';
import { FaultLedger } from '../core/fault/accounting.js';
import { NO_FAULTS } from '../core/fault/profile.js';
import { err, ok, type Result } from '../core/result.js';
import { SimClock } from '../core/sim/clock.js';
import { Scheduler, type PendingEvent } from '../core/sim/scheduler.js';
import { addToCounters, capture, countersOf, fingerprint, restoreInto, SnapshotMismatch } from './snapshot.js';
import type { OracleInterval } from './oracle.js';
import type { VoterEvent } from '../core/vote/events.js';
import type { ChannelHealth, StateTransferFailure, VoterMode } from '../core/vote/voter.js';

export type { FlightConfig, FrameLog } from './config.js';
export { FlightConfigError, flightMedium, sensorThresholds } from './config.js';
export type { FlightResult, FaultReport, IsolationReport, AgreementReport } from './report.js';

/** Scheduler capacity: every node's next event plus the faults' pending ends. */
const SCHEDULER_EVENTS_MAX = 1024;
/** Scheduler priorities inside one instant: sensors first, then faults, channels, the vote. */
const PRIORITY_SENSORS = 0;
const PRIORITY_CHANNEL = 10;
const PRIORITY_VOTE = 20;
/**
 * Who may give a returning channel its state, best first: the healthy channels (they vote);
 * when none does, the reintegrating ones; when none is, the isolated ones (a total outage, when
 * nobody votes: docs/REDUNDANCY.md). Within a tier: active before suspect, then by index.
 */
const STATE_SOURCE_TIERS: readonly (readonly ChannelHealth[])[] = [['active', 'suspect'], ['reintegrating'], ['isolated']];

/** What the status line and the console show of a flight, in one snapshot. */
export interface FlightStatus {
  readonly cyclesRun: number;
  readonly cycleCount: number;
  readonly timeMicros: number;
  readonly voterMode: VoterMode;
  readonly channels: readonly { readonly name: string; readonly health: ChannelHealth }[];
  readonly injected: number;
  readonly corrected: number;
  readonly isolated: number;
}

/**
 * The whole state of a flight between two cycles (`Flight.snapshot`), for campaign fast-forward
 * (docs/CAMPAIGNS.md, "Fast-forward"). Opaque; valid for flights of the
 * same configuration except their planned faults.
 */
export interface FlightSnapshot {
  readonly cyclesRun: number;
  /** @internal the deep copy of the flight's object graph (src/sim/snapshot.ts). */
  readonly graph: object;
  /** @internal the scheduler's pending events and numbering, restored by hand. */
  readonly pending: readonly PendingEvent[];
  readonly sequenceNext: number;
  /** @internal the source flight's objects the copy refers to but did not copy (config, injector, twin). */
  readonly kept: readonly (readonly [string, object])[];
}

/**
 * Properties early convergence leaves out of the state it compares (docs/CAMPAIGNS.md,
 * "Early convergence"). Counters: statistics nothing in the flight reads back (they reach only
 * the result, and a converged row's are carried forward as the golden flight's growth plus its
 * own difference). Scratch: buffers every use writes before it reads. A counter that a frame or
 * a decision reads (a channel's scrubCorrected goes out in its status frame) is not here.
 */
const CONVERGENCE_COUNTERS: ReadonlySet<string> = new Set(['readCorrected', 'flipsInjected', 'copyRepairs', 'maskedDisagreements', 'maskedBits', 'registerRepairs', 'deadlineMisses']);
const CONVERGENCE_SCRATCH: ReadonlySet<string> = new Set(['floatScratch', 'u32Scratch', 'outcome']);
const CONVERGENCE_IGNORED: ReadonlySet<string> = new Set([...CONVERGENCE_COUNTERS, ...CONVERGENCE_SCRATCH]);

export class Flight {
  readonly clock = new SimClock();
  readonly scheduler: Scheduler;
  readonly ledger = new FaultLedger();
  readonly injector: FaultInjector;
  readonly periodMicros: number;
  readonly cycleCount: number;
  cyclesRun = 0;
  deadlineMisses = 0;
  private readonly cfg: FlightConfig;
  private readonly parts: FlightParts;
  private readonly faults: ChannelFaultState;
  private readonly observer: MechanismObserver;
  private readonly oracle: FlightOracle;
  private readonly commandDeg = new Float64Array(4);
  /** The golden twin this flight is judged against (undefined: this flight is a twin). */
  readonly twin: TwinSource | undefined;
  private readonly voteRecord: VoteRecord | undefined;
  private readonly channelStep: ((t: number) => void)[];
  private readonly channelSync: ((t: number) => void)[];
  private readonly lastStepMicros: Float64Array;
  private voteIndex = 0;
  private sensorIndex = 0;
  /** Channels a board drives (src/hil/board-bridge.ts): their state transfer is installed by the bridge. */
  private readonly external: boolean[] = [];
  /** Per board channel: the voted state of the voter's last transfer into it, until the bridge takes it. */
  private readonly boardStates: (VotedState | undefined)[] = [];

  constructor(cfg: FlightConfig) {
    this.cfg = cfg;
    this.scheduler = new Scheduler(this.clock, { capacity: SCHEDULER_EVENTS_MAX });
    this.faults = new ChannelFaultState(cfg.channelCount ?? Math.min(3, cfg.rig.channels.length));
    this.parts = assembleFlight(cfg, this.clock, this.faults, { transferState: (c) => this.transferState(c) });
    const p = this.parts;
    this.periodMicros = p.timing.periodMicros;
    this.cycleCount = p.timing.cycleCount;
    this.observer = new MechanismObserver(p.channels, p.voterNode, p.bus, this.ledger, this.faults);
    this.twin = twinOf(cfg);
    this.oracle = new FlightOracle(p.plant, p.schedule, this.ledger, this.observer, this.twin);
    this.voteRecord = cfg.recordVote === undefined ? undefined : { commandDeg: this.commandDeg, plantState: p.plant.state, channelCommandsDeg: p.channels.map((c) => c.commandDeg) };
    this.injector = new FaultInjector({
      clock: this.clock, scheduler: this.scheduler, bus: p.bus, channels: p.channels, imus: p.imus, p2p: p.p2p !== undefined,
      periodMicros: this.periodMicros, endMicros: this.cycleCount * this.periodMicros,
      voterNode: p.voterNode, actuators: p.actuators, payloadFaults: p.payloadFaults, forgers: p.forgers, medium: p.medium,
    }, p.injections, this.faults, this.ledger, this.observer, cfg.seed);
    this.lastStepMicros = new Float64Array(p.channels.length).fill(-1);
    this.channelStep = p.channels.map((_, i) => (t: number) => { this.onChannelStep(i, t); });
    this.channelSync = p.channels.map((_, i) => (t: number) => { this.onChannelSync(i, t); });
    this.arm();
  }

  /** The voter lanes, the force voter and the actuator path (console status, tests). */
  get actuatorPath(): FlightParts['actuators'] {
    return this.parts.actuators;
  }

  get voterNode(): FlightParts['voterNode'] {
    return this.parts.voterNode;
  }

  /** The emulated channels (the console's peek, poke and scrub reach their memory directly). */
  get channels(): readonly ChannelRuntime[] {
    return this.parts.channels;
  }

  get sensorCount(): number {
    return this.parts.imus.length;
  }

  /** The voter's verdict on channel `c`. */
  channelHealth(c: number): ChannelHealth {
    return this.parts.voterNode.voter.channelHealth(c);
  }

  /** The voter's event log so far, oldest first (isolations, transfers and their failures, reintegrations). */
  voterEvents(): VoterEvent[] {
    return this.parts.voterNode.voter.events.list();
  }

  /** Runs the flight to the end in lockstep. */
  run(): FlightResult {
    this.runCycles(this.cycleCount);
    return this.result();
  }

  /** Runs up to `cycles` more minor frames (for the realtime pacer and the live status). */
  runCycles(cycles: number): void {
    const end = Math.min(this.cycleCount, this.cyclesRun + cycles);
    for (; this.cyclesRun < end; this.cyclesRun++) {
      const until = (this.cyclesRun + 1) * this.periodMicros - 1;
      this.scheduler.runUntil(until);
    }
  }

  /** Runs every event (and the bus) up to true time `t` within the current cycle (the board bridge's exchange point). */
  runUntil(t: number): void {
    this.scheduler.runUntil(t);
    this.parts.bus.runUntil(t);
  }

  get done(): boolean {
    return this.cyclesRun >= this.cycleCount;
  }

  /** A new node on the flight's bus (a board's tap; src/hil/board-bridge.ts). */
  attachNode(name: string): EmulatedCanNode {
    return this.parts.bus.attach(name);
  }

  /** The oracle's maxima since the last call (golden checkpoints, src/campaign/models.ts). */
  takeOracleInterval(): OracleInterval {
    return this.oracle.takeInterval();
  }

  /** The largest attitude error since the last call (deg): one point of an attitude trace. */
  takeAttitudeWindowMax(): number {
    return this.oracle.takeWindowMax();
  }

  /** The result so far (pure: the flight can go on). */
  result(): FlightResult {
    const p = this.parts;
    return flightResult({
      seed: this.cfg.seed, rateHz: this.cfg.rateHz, profileName: this.cfg.profile.name, rigName: this.cfg.rig.name,
      cyclesRun: this.cyclesRun, periodMicros: this.periodMicros, ledger: this.ledger, channels: p.channels, voterNode: p.voterNode,
      bus: p.bus, channelOutboxes: p.channelOutboxes, sensorFramesDropped: p.sensors.dropped, injections: p.injections,
      vehicle: this.oracle, deadlineMisses: this.deadlineMisses, p2p: p.p2p, byzantine: p.byzantine,
      verdict: this.verdict(), twin: this.oracle.figures(), deviations: this.oracle.deviations, specs: this.injector.specs,
    });
  }

  /** The oracle's verdict so far (pure): each fault's outcome and the flight's. */
  verdict(): Verdict {
    const p = this.parts;
    const voter = p.voterNode.voter;
    return outcomeOfFaults({
      ledger: this.ledger, specs: this.injector.specs, deviations: this.oracle.deviations, deviationCount: this.oracle.deviationCount,
      channelHealthAtEnd: p.channels.map((_, c) => voter.channelHealth(c)), channelDown: p.channels.map((_, c) => this.faults.isDown(c)),
      voterEvents: voter.events.list(), incomplete: false, judged: this.oracle.judged, endMicros: this.cyclesRun * this.periodMicros,
    });
  }

  status(): FlightStatus {
    let corrected = 0;
    let isolated = 0;
    for (const r of this.ledger.records) {
      if (r.fate === 'corrected') corrected++;
      if (r.fate === 'isolated') isolated++;
    }
    return {
      cyclesRun: this.cyclesRun, cycleCount: this.cycleCount, timeMicros: this.cyclesRun * this.periodMicros, voterMode: this.parts.voterNode.voter.mode,
      channels: this.parts.channels.map((c, i) => ({ name: c.name, health: this.channelHealth(i) })),
      injected: this.ledger.records.length, corrected, isolated,
    };
  }

  /**
   * The flight's objects a snapshot keeps by reference instead of copying: the configuration,
   * the scheduler (its pending events are saved by hand), the fault injector and the planned
   * faults (a row's own; the source flight has none pending), and the twin (shared, read-only).
   */
  private keptObjects(): (readonly [string, object])[] {
    const kept: (readonly [string, object])[] = [['cfg', this.cfg], ['scheduler', this.scheduler], ['injector', this.injector], ['injections', this.parts.injections]];
    if (this.twin !== undefined) kept.push(['twin', this.twin]);
    return kept;
  }

  /**
   * The flight's whole state now, between cycles (src/sim/snapshot.ts): plant, channels, memory
   * images, bus, voter, observer, oracle, PRNG streams and the scheduler's pending events. A
   * flight of the same configuration restores it (`restoreFrom`) and goes on exactly as this one
   * would, except for its own planned faults.
   */
  snapshot(): FlightSnapshot {
    const kept = this.keptObjects();
    return {
      cyclesRun: this.cyclesRun,
      graph: capture(this, { shared: new Set(kept.map(([, o]) => o)) }),
      pending: this.scheduler.pendingEvents(),
      sequenceNext: this.scheduler.sequenceNext,
      kept,
    };
  }

  /**
   * Makes this freshly built flight (no cycle run yet) continue from `snap`, keeping its own
   * fault injector, whose planned faults must all lie at or after the snapshot. Throws
   * SnapshotMismatch when the flights are not built alike; this flight must then be discarded.
   */
  restoreFrom(snap: FlightSnapshot): void {
    if (this.cyclesRun !== 0) throw new SnapshotMismatch('a snapshot restores into a flight that has not run');
    this.restoreParts(snap, false);
  }

  /** The judge: what watches the flight and grades it, not part of what it flies. */
  private static judgeOf(f: object): readonly object[] {
    const x = f as unknown as { observer: object; oracle: object; ledger: object };
    return [x.observer, x.oracle, x.ledger];
  }

  /** Restores `snap` in place; with `keepJudge` this flight's observer, oracle and ledger stay as they are. */
  private restoreParts(snap: FlightSnapshot, keepJudge: boolean): void {
    const mine = new Map(this.keptObjects());
    const pairs = new Map<object, object>();
    for (const [name, object] of snap.kept) {
      const counterpart = mine.get(name);
      if (counterpart === undefined) throw new SnapshotMismatch(`the flight has no ${name} to pair`);
      pairs.set(object, counterpart);
    }
    if (keepJudge) {
      const theirs = Flight.judgeOf(snap.graph);
      const ours = Flight.judgeOf(this);
      theirs.forEach((o, i) => { const counterpart = ours[i]; if (counterpart !== undefined) pairs.set(o, counterpart); });
    }
    const own = this.scheduler.pendingEvents();
    const functions = restoreInto(this, snap.graph as this, { shared: new Set(), pairs });
    const paired = new Set(functions.values());
    const events: PendingEvent[] = [];
    for (const e of snap.pending) {
      const handler = functions.get(e.handler);
      if (typeof handler !== 'function') throw new SnapshotMismatch('a pending event whose handler has no counterpart');
      events.push({ ...e, handler: handler as PendingEvent['handler'] });
    }
    const now = this.clock.nowMicros();
    for (const e of own) {
      if (paired.has(e.handler)) continue;
      if (e.atMicros < now) throw new SnapshotMismatch('a planned fault before the snapshot');
      events.push(e);
    }
    this.scheduler.replacePending(events, snap.sequenceNext);
  }

  /** Objects the convergence walks leave out: the kept ones and the judge. */
  private judgeAndKept(of: object, kept: readonly (readonly [string, object])[]): Set<object> {
    return new Set([...kept.map(([, o]) => o), ...Flight.judgeOf(of)]);
  }

  /**
   * A hash of everything that steers the rest of the flight (src/sim/snapshot.ts `fingerprint`):
   * the snapshot's state without the judge (observer, oracle, ledger), the counters and scratch
   * of CONVERGENCE_IGNORED, and with the scheduler's pending events by time and priority. Two
   * flights of one configuration with equal fingerprints fly on identically.
   */
  convergenceFingerprint(): string {
    const state = fingerprint(this, { shared: this.judgeAndKept(this, this.keptObjects()), ignoredKeys: CONVERGENCE_IGNORED });
    const pending = this.scheduler.pendingEvents().map((e) => `${e.atMicros}:${e.periodMicros}:${e.priority}`).sort().join(',');
    return `${state}/${pending}`;
  }

  /**
   * A cheap first test of convergence: the plant's state equals the one in `snap`, bit for bit.
   * A fault whose effect lasts almost always leaves the vehicle a few ULPs off, so this spares
   * most rows the full `convergenceFingerprint`.
   */
  plantMatches(snap: FlightSnapshot): boolean {
    const theirs = (snap.graph as unknown as { parts: { plant: { state: Float64Array } } }).parts.plant.state;
    const ours = this.parts.plant.state;
    if (theirs.length !== ours.length) return false;
    for (let i = 0; i < ours.length; i++) if (!Object.is(ours[i], theirs[i])) return false;
    return true;
  }

  /** The judge has nothing left open: no fault record, no watch, no deviation from the twin. */
  get judgeSettled(): boolean {
    return this.ledger.openCount === 0 && this.observer.openWatches === 0 && !this.oracle.deviationOpen;
  }

  /**
   * Early convergence (docs/CAMPAIGNS.md): this flight's state equals the golden flight's at
   * checkpoint `at` (same `convergenceFingerprint`, judge settled), so from here on it flies
   * exactly as the golden flight did. Jumps to the golden flight's end `end`: the flown state
   * becomes `end`'s, the counters of CONVERGENCE_COUNTERS keep this flight's difference from
   * `at`, and the oracle takes `rest`, the golden flight's maxima after `at`. The judge's own
   * records stay this flight's. Throws SnapshotMismatch when the states do not line up.
   */
  finishAsConverged(at: FlightSnapshot, end: FlightSnapshot, rest: OracleInterval): void {
    if (this.cyclesRun !== at.cyclesRun) throw new SnapshotMismatch('converged at another cycle than the checkpoint');
    const mineNow = countersOf(this, { shared: this.judgeAndKept(this, this.keptObjects()) }, CONVERGENCE_COUNTERS);
    const theirsAt = countersOf(at.graph, { shared: this.judgeAndKept(at.graph, at.kept) }, CONVERGENCE_COUNTERS);
    const deltas = new Map<string, number>();
    for (const [path, value] of mineNow) {
      const golden = theirsAt.get(path);
      if (golden === undefined) throw new SnapshotMismatch(`counter ${path} is not in the checkpoint`);
      deltas.set(path, value - golden);
    }
    const atOracle = (at.graph as unknown as { oracle: { envelopeExceededCycles: number; votesCompared: number } }).oracle;
    const endOracle = (end.graph as unknown as { oracle: { envelopeExceededCycles: number; votesCompared: number } }).oracle;
    this.restoreParts(end, true);
    addToCounters(this, deltas);
    this.oracle.absorbRest(rest, endOracle.envelopeExceededCycles - atOracle.envelopeExceededCycles, endOracle.votesCompared - atOracle.votesCompared);
  }

  /**
   * The voted control state for channel `target`, the one code path of emulated channels and
   * boards: the corrected memory images (`snapshot()`) of the running channels other than
   * `target` in the best tier of STATE_SOURCE_TIERS, healthiest first, voted word by word
   * (src/core/channel/state-vote.ts), with the CRC the receiver must find over what it
   * installed. A channel that is down (crashed, hung, or replaced by a board: its emulated twin
   * does not run) or failed is never a source; one whose image has an uncorrectable word does
   * not vote.
   */
  stateImageFor(target: number): Result<VotedState, StateVoteError> {
    const sources: Uint8Array[] = [];
    for (const tier of STATE_SOURCE_TIERS) {
      for (const wanted of tier) {
        for (let c = 0; c < this.parts.channels.length; c++) {
          if (c === target || this.faults.isDown(c) || this.channelHealth(c) !== wanted) continue;
          const snap = this.parts.channels[c]?.memory.snapshot();
          if (snap?.ok === true) sources.push(snap.value);
        }
      }
      if (sources.length > 0) break;
    }
    // The receiver's own image breaks a two-source tie on a configuration word (not a board's: its
    // emulated twin does not run, so that image is stale).
    const own = this.external[target] === true ? undefined : this.parts.channels[target]?.memory.snapshot();
    return voteStateImages(sources, CONTROL_STATE_VOTE_LAYOUT, own?.ok === true ? own.value : undefined);
  }

  /**
   * A board drives channel `channel` (src/hil/board-bridge.ts): its emulated twin stays down,
   * and a state transfer into it is voted here but installed and verified by the board, after
   * the vote (`takeBoardState`, `boardStateInstalled`).
   */
  setExternal(channel: number): void {
    this.injector.setExternal(channel);
    this.external[channel] = true;
  }

  /** The voted state of the voter's last transfer into board channel `channel` (once; undefined if none is waiting). */
  takeBoardState(channel: number): VotedState | undefined {
    const state = this.boardStates[channel];
    this.boardStates[channel] = undefined;
    return state;
  }

  /**
   * The board's verdict on the state it installed (its CRC over what it installed against the
   * voted CRC, or a failed write): a rejection sends the channel back to isolated and counts as
   * a failed transfer (`ActuatorVoter.reportTransferFailed`).
   */
  boardStateInstalled(channel: number, accepted: boolean): void {
    if (!accepted) this.parts.voterNode.reportTransferFailed(channel, this.clock.nowMicros(), 'crc_mismatch');
  }

  private arm(): void {
    this.scheduler.schedule(0, PRIORITY_SENSORS, this.sensorTick);
    this.scheduler.schedule(this.parts.timing.voteSlotMicros, PRIORITY_VOTE, this.voteTick);
    this.parts.channels.forEach((c, i) => {
      const first = Math.max(0, Math.ceil(c.trueTimeOfLocal(this.parts.timing.computeSlotMicros, 0)));
      this.scheduler.schedule(first, PRIORITY_CHANNEL, this.channelStep[i] ?? (() => undefined));
    });
    this.injector.arm();
  }

  /**
   * The IMUs sample (and the plant steps) at kP and the voter votes at kP + 3P/4 on the voter
   * node's logical clock, which follows the channels' synchronised ensemble time. The whole
   * minor frame thus runs on one time base: the ensemble may drift from true time by its
   * oscillators' median drift (up to 30 ppm, 1.8 ms a minute), but the sensor burst, the
   * compute slots, the sync slots and the vote keep their places within the frame.
   */
  private readonly sensorTick = (t: number): void => {
    this.onSensors(t);
    this.sensorIndex++;
    this.scheduler.schedule(this.voterTrueTime(this.sensorIndex * this.periodMicros, t), PRIORITY_SENSORS, this.sensorTick);
  };

  private readonly voteTick = (t: number): void => {
    this.onVote(t);
    this.scheduler.schedule(this.voterTrueTime(this.voteIndex * this.periodMicros + this.parts.timing.voteSlotMicros, t), PRIORITY_VOTE, this.voteTick);
  };

  /** True time (µs, after `t`) at which the voter node's logical clock reads `localMicros` (its oscillator has no drift). */
  private voterTrueTime(localMicros: number, t: number): number {
    return Math.max(t + 1, Math.ceil(t + localMicros - this.parts.voterNode.clock.localMicros(t)));
  }

  private onSensors(t: number): void {
    const p = this.parts;
    p.bus.runUntil(t);
    if (t > 0) p.plant.step(this.commandDeg, this.periodMicros * 1e-6);
    for (let i = 0; i < p.imus.length; i++) {
      const imu = p.imus[i];
      if (imu === undefined || i >= p.sensors.imuCount) continue;
      if (imu.sample(p.plant.state, t, p.sensors.sample, 0)) p.sensors.sendImu(i);
    }
  }

  private onChannelStep(i: number, t: number): void {
    const p = this.parts;
    p.bus.runUntil(t);
    const c = p.channels[i];
    if (c === undefined) return;
    const period = this.periodMicros;
    if (!this.faults.isDown(i)) {
      p.p2p?.beforeStep(i, t);
      c.step(t);
      this.lastStepMicros[i] = t;
      if (c.lastCycleIndex % p.timing.syncEveryCycles === 0) {
        const at = c.trueTimeOfLocal(c.lastCycleIndex * period + syncSlotOfChannel(p.timing, i), t);
        this.scheduler.schedule(Math.max(t + 1, Math.ceil(at)), PRIORITY_CHANNEL, this.channelSync[i] ?? (() => undefined));
      }
    }
    const k = c.cycleIndexAt(t) + 1;
    const next = Math.ceil(c.trueTimeOfLocal(k * period + p.timing.computeSlotMicros, t));
    this.scheduler.schedule(Math.max(t + 1, next), PRIORITY_CHANNEL, this.channelStep[i] ?? (() => undefined));
  }

  private onChannelSync(i: number, t: number): void {
    this.parts.bus.runUntil(t);
    if (!this.faults.isDown(i)) this.parts.channels[i]?.sendClockSync(t);
  }

  private onVote(t: number): void {
    const p = this.parts;
    p.bus.runUntil(t);
    const k = this.voteIndex++;
    p.p2p?.beforeVote(t);
    const status = p.voterNode.vote(t, k);
    this.commandDeg.set(p.voterNode.outputDeg);
    // What the surfaces do with the voted command (actuator faults) is what reaches the plant and the oracle.
    const actuatorAlarm = p.actuators.apply(this.commandDeg, t);
    this.cfg.testHooks?.afterVote?.(t, this.commandDeg);
    if (this.voteRecord !== undefined) this.cfg.recordVote?.(k, this.voteRecord);
    this.countDeadlineMisses(t);
    this.observer.observe(t, status);
    if (actuatorAlarm) this.observer.noteAlarm(t);
    this.oracle.check(k, t, this.commandDeg);
    this.ledger.tick(t);
  }

  private countDeadlineMisses(t: number): void {
    const p = this.parts;
    for (let c = 0; c < p.channels.length; c++) {
      const stepped = this.lastStepMicros[c] ?? -1;
      if (this.faults.isDown(c) || stepped < t - this.periodMicros || stepped > t) continue;
      if ((p.voterNode.lastCommandMicros[c] ?? -1) < stepped && p.channels[c]?.lastSelfFault === 'none') this.deadlineMisses++;
    }
  }

  /**
   * The voter's state transfer into `target`: the vote of the sources' images (`stateImageFor`;
   * no majority or no source: no transfer this time, the voter retries), installed by the
   * receiving channel, which computes the CRC over what it installed and compares it with the
   * voted CRC. A board installs and verifies it itself after the vote (src/hil/board-bridge.ts):
   * the voted state waits for the bridge, and the board's verdict comes back through
   * `boardStateInstalled`.
   */
  private transferState(target: number): boolean | StateTransferFailure {
    const dst = this.parts.channels[target];
    if (dst === undefined) return false;
    const voted = this.stateImageFor(target);
    if (!voted.ok) return voted.error.code;
    if (this.external[target] === true) {
      this.boardStates[target] = voted.value;
      return true;
    }
    dst.memory.restore(voted.value.image);
    const installed = dst.memory.dataCrc32();
    return installed.ok && installed.value === voted.value.crc;
  }
}

/** The twin a flight is judged against: a live fault-free flight of the same configuration unless told otherwise. */
function twinOf(cfg: FlightConfig): TwinSource | undefined {
  if (cfg.twin === 'none') return undefined;
  if (cfg.twin !== undefined && cfg.twin !== 'live') return cfg.twin;
  const live = new LiveTwin(cfg.seed);
  // The twin logs no frames and has no test hooks: it is the fault-free reference, nothing else.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the three are left out on purpose
  const { frameLog, testHooks, recordVote, ...rest } = cfg;
  live.bind(new Flight({ ...rest, profile: NO_FAULTS, twin: 'none', recordVote: (k, v) => { live.record(k, v); } }));
  return live;
}

/** Builds a flight, turning configuration errors into a Result. */
export function createFlight(cfg: FlightConfig): Result<Flight, string> {
  try {
    return ok(new Flight(cfg));
  } catch (error: unknown) {
    if (error instanceof FlightConfigError) return err(error.message);
    throw error;
  }
}
