/**
 * The actuator voter node (docs/FLIGHT.md): receives the channels' command, status and
 * clock-sync frames, E2E-checks them, and once per minor frame votes the commands
 * (ActuatorVoter) into the actuator output in degrees. Commands are normalised to ±1 full
 * scale by each actuator's travel limit, the unit the voter's defaults are set in.
 *
 * Outside monitors that feed `ActuatorVoter.reportFault`:
 * - a channel's own status frame with health 'failed' (it found an uncorrectable memory word
 *   or a law fault); withdrawn when the channel reports 'healthy' again;
 * - the clock monitor: the voter node takes part in the clock synchronisation as a fourth
 *   clock (it follows the channels' ensemble time and flags a peer whose clock jumps or runs
 *   away, ClockSync with n = 4, f = 1). A jump verdict is withdrawn after
 *   `CLOCK_CLEAR_ROUNDS` rounds in which the peer's reading is back within the jump bound;
 *   a runaway verdict stands (the oscillator is broken).
 *
 * Voter lanes and the force voter (docs/REDUNDANCY.md, "The voter and the actuator path"): the
 * vote is computed by `lanes` (3 by default) identical ActuatorVoters — one per lane of the
 * actuator electronics, each driving one coil of every triplex actuator — fed the same frames;
 * the actuator's force summing takes, per actuator, the middle of the lanes' outputs, so an
 * upset in one lane's state or in one lane's command to its coil moves no surface. Once a
 * major frame (every `syncEveryCycles`) the lanes compare fingerprints of their state and a lane
 * that differs from the two others takes their state (lane re-sync). Lane 0 is the reported
 * one (health, events, mode) and the one that asks the channels for state transfers; lanes 1 and
 * 2 see its answer. Simulation shortcut: identical replicas with identical inputs stay identical,
 * so lanes 1 and 2 are forked from lane 0 only when a fault touches a lane, and dropped again
 * when a re-sync finds all three equal (test/core/channel/voter-lanes.test.ts checks the lazy
 * form against three always-running lanes). With `lanes: 1` the voter is a simplex node: a
 * single upset in it reaches the surfaces.
 * Allocation-free per cycle.
 */
import { assert } from '../assert.js';
import { decodeCommandInto, createActuatorCommand } from '../frame/command-frame.js';
import { commandDegOfCode } from '../frame/scaling.js';
import { check, createCheckStateFor, e2eConfigOf, type CheckState, type E2eConfig } from '../frame/e2e/index.js';
import { canIdOf, CHANNEL_IDS_MAX, FRAME_BODY_BYTES } from '../frame/ids.js';
import { createChannelStatus, decodeChannelStatusInto } from '../frame/status-frame.js';
import { ChannelClock, ClockSync, jumpThresholdMicros, type ClockSyncConfig } from '../vote/clock-sync.js';
import { ActuatorVoter, defaultVoterConfig, type StateTransferFailure, type StateTransferPort, type VoterConfig, type VoterStateField } from '../vote/voter.js';
import { midValueSelect } from '../vote/select.js';
import { commandCodeOf } from '../frame/scaling.js';
import { readStamp24, stampDifference } from './sync-frame.js';
import { SyncGuard } from './sync-guard.js';
import { frameWireMicros, layoutOf, mediumFrame, type CanMedium, type CanTiming } from './medium.js';

/** First IDs of the received frame kinds (receiveFrame runs for every frame on the bus). */
const COMMAND_ID_A = canIdOf('command', 'A');
const STATUS_ID_A = canIdOf('channel-status', 'A');
const CLOCK_SYNC_ID_A = canIdOf('clock-sync', 'A');
export { CLOCK_CLEAR_ROUNDS } from './sync-guard.js';
/** ClockSync handles at most 4 clocks: the voter and 3 channels. */
const CLOCK_MONITOR_CHANNELS_MAX = 3;

export interface VoterNodeConfig {
  readonly channelCount: number;
  readonly actuatorLimitDeg: readonly number[];
  readonly clockSync: ClockSyncConfig;
  readonly syncEveryCycles: number;
  readonly periodMicros: number;
  readonly bitRateBps: number;
  /** The bus medium (default 'can'); 'can-fd': 20-byte P4 frames (docs/WIRE.md). */
  readonly medium?: CanMedium;
  /** CAN FD data-phase bit rate (with medium 'can-fd'). */
  readonly dataBitRateBps?: number;
  readonly voter?: VoterConfig;
  /** Voter lanes: 3 (default; force-voted at the actuators) or 1 (a simplex voter). */
  readonly lanes?: 1 | 3;
  /** Tests: run all lanes from the start and never drop them (the reference the lazy forking is checked against). */
  readonly eagerLanes?: boolean;
}

/** Lane 0's state-transfer answers, memoised per vote for the other lanes. */
const MEMO_ANSWERS: readonly (boolean | StateTransferFailure)[] = [true, false, 'sources_disagree', 'no_source', 'crc_mismatch'];
/** Bits of the lane-to-coil command code (int16 mrad). */
const COMMAND_CODE_BITS = 16;
const MEMO_NONE = 0;

export class VoterNode {
  readonly voter: ActuatorVoter;
  /** The voted actuator command (deg) of the last vote. */
  readonly outputDeg: Float64Array;
  /** True time of the last command accepted per channel (−1: none). */
  readonly lastCommandMicros: Float64Array;
  /** Logical clock of the voter node (offset 0, drift 0, corrected by the clock sync). */
  readonly clock = new ChannelClock(0, 0);
  readonly clockMonitor: ClockSync;
  lastStatus = 0;
  e2eRejected = 0;
  private readonly cfg: VoterNodeConfig;
  private readonly commandCfg: E2eConfig[];
  private readonly commandState: CheckState[];
  private readonly statusCfg: E2eConfig[];
  private readonly statusState: CheckState[];
  private readonly syncCfg: E2eConfig[];
  private readonly syncState: CheckState[];
  private readonly statusFailed: Uint8Array;
  /** Late sync-frame guard and jump-verdict release (shared with the channels). */
  readonly syncGuard: SyncGuard;
  private readonly normalised: Float64Array;
  private readonly command = createActuatorCommand();
  private readonly status = createChannelStatus();
  private readonly bitMicros: number;
  /** Medium and bit rates; `body` is where the 7-byte body starts on it. */
  private readonly timing: CanTiming;
  private readonly body: number;
  /** Channels whose clocks the voter monitors (all, up to CLOCK_MONITOR_CHANNELS_MAX). */
  private readonly clockMonitored: number;

  /** Voter lanes (1 or 3); lanes 1.. are forked from lane 0 on a lane fault (see the file comment). */
  readonly laneCount: number;
  private readonly lanes: ActuatorVoter[] = [];
  private forked = false;
  /** Per channel, lane 0's state-transfer answer of this vote (1 + index in MEMO_ANSWERS; 0: none). */
  private readonly memo: Uint8Array;
  private readonly laneOut: Float64Array;
  private readonly laneScratch = new Float64Array(3);
  /** Per lane: an armed flip of its next command code to actuator `flipActuator[l]` (bit, or −1). */
  private readonly flipBit = new Int8Array(3).fill(-1);
  private readonly flipActuator = new Int8Array(3);
  /** Lane re-syncs that overwrote a disagreeing lane, and votes where the lanes' outputs differed. */
  laneResyncs = 0;
  laneDisagreements = 0;

  constructor(cfg: VoterNodeConfig, port: StateTransferPort) {
    const n = cfg.channelCount;
    assert(n >= 2 && n <= 4, 'voter node: 2 to 4 channels');
    assert(cfg.actuatorLimitDeg.every((l) => l > 0), 'voter node: positive actuator limits');
    this.cfg = cfg;
    const a = cfg.actuatorLimitDeg.length;
    this.laneCount = cfg.lanes ?? 3;
    assert(this.laneCount === 1 || this.laneCount === 3, 'voter node: 1 or 3 lanes');
    this.memo = new Uint8Array(n);
    this.laneOut = new Float64Array(3 * a);
    const memo = this.memo;
    this.voter = new ActuatorVoter(cfg.voter ?? defaultVoterConfig(n, a), {
      requestStateTransfer: (c) => {
        const answer = port.requestStateTransfer(c);
        memo[c] = 1 + MEMO_ANSWERS.indexOf(answer);
        return answer;
      },
    });
    this.lanes.push(this.voter);
    if (cfg.eagerLanes === true) this.forkLanes();
    this.outputDeg = new Float64Array(a);
    this.normalised = new Float64Array(a);
    this.lastCommandMicros = new Float64Array(n).fill(-1);
    const ids = CHANNEL_IDS_MAX.slice(0, n);
    const medium = cfg.medium ?? 'can';
    assert(medium === 'can' || cfg.dataBitRateBps !== undefined, 'voter node: CAN FD needs dataBitRateBps');
    this.timing = { medium, bitRateBps: cfg.bitRateBps, ...(cfg.dataBitRateBps === undefined ? {} : { dataBitRateBps: cfg.dataBitRateBps }) };
    this.body = layoutOf(medium).bodyOffsetBytes;
    this.commandCfg = ids.map((c) => e2eConfigOf('command', c, medium));
    this.commandState = this.commandCfg.map(createCheckStateFor);
    this.statusCfg = ids.map((c) => e2eConfigOf('channel-status', c, medium));
    this.statusState = this.statusCfg.map(createCheckStateFor);
    this.syncCfg = ids.map((c) => e2eConfigOf('clock-sync', c, medium));
    this.syncState = this.syncCfg.map(createCheckStateFor);
    this.statusFailed = new Uint8Array(n);
    // The voter is one more clock of the ensemble; ClockSync takes at most 4 clocks, so with four
    // channels it monitors A–C only (D's clock is checked by the channels' own ensembles).
    this.clockMonitored = Math.min(n, CLOCK_MONITOR_CHANNELS_MAX);
    this.clockMonitor = new ClockSync({ ...cfg.clockSync, channelCount: this.clockMonitored + 1 }, this.clockMonitored);
    this.bitMicros = 1e6 / cfg.bitRateBps;
    this.syncGuard = new SyncGuard(this.clockMonitored, this.bitMicros, jumpThresholdMicros(cfg.clockSync));
  }

  /** Bit c set: the clock monitor holds a fault verdict on channel c. */
  get clockFaultMask(): number {
    return this.clockMonitor.peerFaultMask;
  }

  receive(id: number, data: Uint8Array, trueMicros: number): void {
    this.receiveFrame(id, data, trueMicros);
    this.syncGuard.busUntil(trueMicros);
  }

  private receiveFrame(id: number, data: Uint8Array, trueMicros: number): void {
    const n = this.cfg.channelCount;
    const cmd = id - COMMAND_ID_A;
    if (cmd >= 0 && cmd < n) { this.receiveCommand(cmd, data, trueMicros); return; }
    const st = id - STATUS_ID_A;
    if (st >= 0 && st < n) { this.receiveStatus(st, data); return; }
    const sy = id - CLOCK_SYNC_ID_A;
    if (sy >= 0 && sy < this.clockMonitored) this.receiveSync(sy, id, data, trueMicros);
  }

  /** Votes at true time `trueMicros` (cycle index `k`); returns the voter status word (lane 0's). */
  vote(trueMicros: number, k: number): number {
    if (k % this.cfg.syncEveryCycles === 1) this.resyncClock();
    this.applyReports();
    this.memo.fill(MEMO_NONE);
    const status = this.voter.vote(trueMicros);
    for (let l = 1; l < this.lanes.length; l++) this.lanes[l]?.vote(trueMicros);
    this.forceVote();
    if (this.forked && k % this.cfg.syncEveryCycles === 0) this.resyncLanes();
    this.lastStatus = status;
    return status;
  }

  /**
   * The actuators' force voter: per actuator the middle of the lanes' commands (deg), each as the
   * int16 mrad code its lane drives its coil with (an armed `command-flip` flips one bit of it).
   */
  private forceVote(): void {
    const a = this.outputDeg.length;
    const lanes = this.laneCount;
    let differ = false;
    for (let l = 0; l < lanes; l++) {
      const out = (this.lanes[l] ?? this.voter).output;
      for (let i = 0; i < a; i++) this.laneOut[l * a + i] = (out[i] ?? 0) * (this.cfg.actuatorLimitDeg[i] ?? 0);
      const bit = this.flipBit[l] ?? -1;
      if (bit >= 0) {
        const i = this.flipActuator[l] ?? 0;
        const code = commandCodeOf(this.laneOut[l * a + i] ?? 0);
        const flipped = ((code & 0xffff) ^ (1 << bit)) << 16 >> 16;
        this.laneOut[l * a + i] = commandDegOfCode(flipped);
        this.flipBit[l] = -1;
      }
    }
    for (let i = 0; i < a; i++) {
      if (lanes === 1) { this.outputDeg[i] = this.laneOut[i] ?? 0; continue; }
      for (let l = 0; l < lanes; l++) this.laneScratch[l] = this.laneOut[l * a + i] ?? 0;
      if (this.laneScratch[0] !== this.laneScratch[1] || this.laneScratch[1] !== this.laneScratch[2]) differ = true;
      this.outputDeg[i] = midValueSelect(this.laneScratch, lanes);
    }
    if (differ) this.laneDisagreements++;
  }

  /** Lane re-sync: a lane whose state differs from the two others takes theirs; all equal again: drop the forks. */
  private resyncLanes(): void {
    const [l0, l1, l2] = this.lanes;
    if (l0 === undefined || l1 === undefined || l2 === undefined) return;
    const f0 = l0.stateFingerprint();
    const f1 = l1.stateFingerprint();
    const f2 = l2.stateFingerprint();
    if (f0 === f1 && f1 === f2) {
      if (this.cfg.eagerLanes === true) return;
      this.lanes.length = 1;
      this.forked = false;
      return;
    }
    if (f1 === f2) { l0.copyStateFrom(l1); this.laneResyncs++; }
    else if (f0 === f2) { l1.copyStateFrom(l0); this.laneResyncs++; }
    else if (f0 === f1) { l2.copyStateFrom(l0); this.laneResyncs++; }
  }

  /** Lanes 1 and 2 as copies of lane 0 (before a fault touches a lane); their state transfers follow lane 0's. */
  private forkLanes(): void {
    if (this.forked || this.laneCount === 1) return;
    const memo = this.memo;
    const port = {
      requestStateTransfer: (c: number): boolean | StateTransferFailure => {
        const m = memo[c] ?? MEMO_NONE;
        return m === MEMO_NONE ? 'no_source' : (MEMO_ANSWERS[m - 1] ?? 'no_source');
      },
    };
    const cfg = this.cfg.voter ?? defaultVoterConfig(this.cfg.channelCount, this.cfg.actuatorLimitDeg.length);
    this.lanes.length = 1;
    for (let l = 1; l < this.laneCount; l++) {
      const lane = new ActuatorVoter(cfg, port);
      lane.copyStateFrom(this.voter);
      this.lanes.push(lane);
    }
    this.forked = true;
  }

  /** Fault injection: an upset in lane `lane`'s state (src/core/vote/voter.ts `upsetState`). */
  upsetLane(lane: number, field: VoterStateField, index: number, bit: number): void {
    assert(Number.isInteger(lane) && lane >= 0 && lane < this.laneCount, `voter node: no lane ${lane}`);
    this.forkLanes();
    (this.lanes[lane] ?? this.voter).upsetState(field, index, bit);
  }

  /** Fault injection: lane `lane`'s next command code to actuator `actuator` has bit `bit` flipped. */
  flipLaneCommand(lane: number, actuator: number, bit: number): void {
    assert(Number.isInteger(lane) && lane >= 0 && lane < this.laneCount && actuator >= 0 && actuator < this.outputDeg.length && bit >= 0 && bit < COMMAND_CODE_BITS, 'flipLaneCommand');
    this.flipBit[lane] = bit;
    this.flipActuator[lane] = actuator;
  }

  /** Lanes running now (1 until a lane fault forks them). */
  get lanesRunning(): number {
    return this.lanes.length;
  }

  /** A board's state transfer was rejected after the vote (every lane sees it). */
  reportTransferFailed(channel: number, nowMicros: number, reason: StateTransferFailure): void {
    for (const lane of this.lanes) lane.reportTransferFailed(channel, nowMicros, reason);
  }

  private applyReports(): void {
    const clockMask = this.clockMonitor.peerFaultMask;
    for (let c = 0; c < this.cfg.channelCount; c++) {
      const faulty = this.statusFailed[c] === 1 || (clockMask & (1 << c)) !== 0;
      for (const lane of this.lanes) {
        if (faulty) lane.reportFault(c);
        else lane.clearFault(c);
      }
    }
  }

  private resyncClock(): void {
    this.clock.applyCorrection(this.syncGuard.resync(this.clockMonitor));
  }

  /**
   * p2p wiring (docs/BYZANTINE.md): channel `c`'s command (deg per actuator) as the agreement
   * layer delivered it to the voter; a row with any NaN is no command this cycle.
   */
  acceptCommandDeg(c: number, deg: ArrayLike<number>, trueMicros: number): void {
    assert(c >= 0 && c < this.cfg.channelCount && deg.length >= this.normalised.length, 'acceptCommandDeg: bad channel or row');
    for (let i = 0; i < this.normalised.length; i++) {
      const v = deg[i] ?? Number.NaN;
      if (!Number.isFinite(v)) return;
      this.normalised[i] = v / (this.cfg.actuatorLimitDeg[i] ?? 1);
    }
    for (const lane of this.lanes) lane.setCommand(c, this.normalised, trueMicros);
    this.lastCommandMicros[c] = trueMicros;
  }

  private receiveCommand(c: number, data: Uint8Array, trueMicros: number): void {
    const cfg = this.commandCfg[c];
    const state = this.commandState[c];
    if (cfg === undefined || state === undefined) return;
    const result = check(cfg, state, data);
    if (result === 'REPEATED') return;
    if (result !== 'OK' || decodeCommandInto(data, this.body, FRAME_BODY_BYTES, this.command) !== null || !this.command.engaged) {
      this.e2eRejected++;
      for (const lane of this.lanes) lane.markInvalid(c);
      return;
    }
    for (let i = 0; i < this.normalised.length; i++) {
      this.normalised[i] = commandDegOfCode(this.command.deflectionMrad[i] ?? 0) / (this.cfg.actuatorLimitDeg[i] ?? 1);
    }
    for (const lane of this.lanes) lane.setCommand(c, this.normalised, trueMicros);
    this.lastCommandMicros[c] = trueMicros;
  }

  private receiveStatus(c: number, data: Uint8Array): void {
    const cfg = this.statusCfg[c];
    const state = this.statusState[c];
    if (cfg === undefined || state === undefined) return;
    const result = check(cfg, state, data);
    if (result !== 'OK' || decodeChannelStatusInto(data, this.body, FRAME_BODY_BYTES, this.status) !== null) return;
    this.statusFailed[c] = this.status.health === 'failed' ? 1 : 0;
  }

  private receiveSync(c: number, id: number, data: Uint8Array, trueMicros: number): void {
    const cfg = this.syncCfg[c];
    const state = this.syncState[c];
    if (cfg === undefined || state === undefined || check(cfg, state, data) !== 'OK') return;
    const latencyMicros = frameWireMicros(this.timing, mediumFrame(this.timing.medium, id, data));
    if (!this.syncGuard.startedOnIdleBus(trueMicros, latencyMicros)) return;
    const logical = stampDifference(readStamp24(data, this.body + 1), this.clock.localMicros(trueMicros) - latencyMicros);
    const raw = stampDifference(readStamp24(data, this.body + 4), this.clock.rawMicros(trueMicros) - latencyMicros);
    this.clockMonitor.setReading(c, logical, raw);
    this.syncGuard.noteReading(c, logical);
  }
}
