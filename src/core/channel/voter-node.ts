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
 * Allocation-free per cycle.
 */
import { assert } from '../assert.js';
import { decodeCommandInto, createActuatorCommand } from '../frame/command-frame.js';
import { commandDegOfCode } from '../frame/scaling.js';
import { check, createCheckStateFor, e2eConfigOf, type CheckState, type E2eConfig } from '../frame/e2e/index.js';
import { canIdOf, CHANNEL_IDS_MAX, FRAME_BODY_BYTES } from '../frame/ids.js';
import { createChannelStatus, decodeChannelStatusInto } from '../frame/status-frame.js';
import { ChannelClock, ClockSync, jumpThresholdMicros, type ClockSyncConfig } from '../vote/clock-sync.js';
import { ActuatorVoter, defaultVoterConfig, type StateTransferPort, type VoterConfig } from '../vote/voter.js';
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
}

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

  constructor(cfg: VoterNodeConfig, port: StateTransferPort) {
    const n = cfg.channelCount;
    assert(n >= 2 && n <= 4, 'voter node: 2 to 4 channels');
    assert(cfg.actuatorLimitDeg.every((l) => l > 0), 'voter node: positive actuator limits');
    this.cfg = cfg;
    const a = cfg.actuatorLimitDeg.length;
    this.voter = new ActuatorVoter(cfg.voter ?? defaultVoterConfig(n, a), port);
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

  /** Votes at true time `trueMicros` (cycle index `k`); returns the voter status word. */
  vote(trueMicros: number, k: number): number {
    if (k % this.cfg.syncEveryCycles === 1) this.resyncClock();
    this.applyReports();
    const status = this.voter.vote(trueMicros);
    const out = this.voter.output;
    for (let i = 0; i < this.outputDeg.length; i++) this.outputDeg[i] = (out[i] ?? 0) * (this.cfg.actuatorLimitDeg[i] ?? 0);
    this.lastStatus = status;
    return status;
  }

  private applyReports(): void {
    const clockMask = this.clockMonitor.peerFaultMask;
    for (let c = 0; c < this.cfg.channelCount; c++) {
      if (this.statusFailed[c] === 1 || (clockMask & (1 << c)) !== 0) this.voter.reportFault(c);
      else this.voter.clearFault(c);
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
    this.voter.setCommand(c, this.normalised, trueMicros);
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
      this.voter.markInvalid(c);
      return;
    }
    for (let i = 0; i < this.normalised.length; i++) {
      this.normalised[i] = commandDegOfCode(this.command.deflectionMrad[i] ?? 0) / (this.cfg.actuatorLimitDeg[i] ?? 1);
    }
    this.voter.setCommand(c, this.normalised, trueMicros);
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
