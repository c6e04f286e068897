/**
 * The runtime of one control channel (docs/FLIGHT.md, "Channel runtime"). Pure: it consumes
 * received frames (`receive`) and is stepped once per minor frame (`step`); everything it
 * sends goes through the ChannelOutbox passed in. Per minor frame:
 *
 *   received frames are E2E-checked on arrival (sensor frames, peers' clock-sync frames);
 *   step: consolidate the IMUs (three; four with channel D's IMU 4; mid-value select,
 *   SensorConsolidator) → run the control
 *   law on the state held in the SEC-DED memory image, with its working values in the
 *   triple-redundant register image → send the E2E-protected command → one scrub step →
 *   register refresh → (every `statusEveryCycles`) the status frame.
 *
 * Time: the channel owns its oscillator (ChannelClock, offset and drift). The caller passes
 * true (simulated) time; the channel reads its raw clock for freshness and timeouts and its
 * logical (synchronised) clock for the frame schedule. Clock sync: every `syncEveryCycles` the
 * channel sends its logical and raw time (sendClockSync), and the next step resynchronises.
 *
 * Self-checks: an uncorrectable memory word (on a read by the law or found by the scrubber) or
 * a law fault makes the channel fail-silent for that cycle, report health 'failed' in its next
 * status frames, and cold-restart its control state; the voter reintegrates it later by state
 * transfer. Nothing is allocated per cycle.
 */
import { assert } from '../assert.js';
import { CF_JUMP_TO_END, CF_REPEAT_STAGE, CF_SKIP_STAGE, CF_WRONG_BRANCH, ControlLaw, LAW_CONTROL_FLOW, LAW_OK, type StageHook } from '../control/law.js';
import { initialiseControlMemory, SETPOINT_LENGTH, writeSetpoint, type ControlGains } from '../control/gains.js';
import { CONTROL_MEMORY_BYTES, CONTROL_READ_ONLY_BYTES, REGISTER_COUNT, REGISTER_NAMES } from '../control/state.js';
import { GoldenRegion } from '../memory/golden-region.js';
import { setpointAt, type SetpointSchedule } from '../control/setpoint.js';
import { createActuatorCommand, encodeCommand } from '../frame/command-frame.js';
import { check, createCheckStateFor, createProtectState, e2eConfigOf, protect, type CheckState, type E2eConfig, type ProtectState } from '../frame/e2e/index.js';
import { canIdOf, CHANNEL_IDS_MAX, FRAME_BODY_BYTES, IMU_NUMBERS, IMU_NUMBERS_MAX, MEDIUM_LAYOUT, type ChannelId } from '../frame/ids.js';
import { createChannelStatus, encodeChannelStatus, type ChannelHealth } from '../frame/status-frame.js';
import { decodeImuAccelInto, decodeImuRateInto, type ImuAccel, type ImuRate } from '../frame/sensor-frame.js';
import { MemoryImage, type MemoryImageOptions } from '../memory/memory-image.js';
import { accelOfCode, commandCodeOf, rateOfCode } from '../frame/scaling.js';
import { RegisterImage, type RegisterCopy } from '../memory/register-image.js';
import { Scrubber } from '../memory/scrubber.js';
import { ACTUATOR_COUNT } from '../plant/vehicle.js';
import { ChannelClock, ClockSync, jumpThresholdMicros, type ClockSyncConfig } from '../vote/clock-sync.js';
import { defaultConsolidatorConfig, SensorConsolidator } from '../vote/consolidate.js';
import { SyncGuard } from './sync-guard.js';
import { CommandEqualizer, EQUALIZATION_GAIN_PER_S, EQUALIZATION_WINDOW_DEG } from './equalizer.js';
import { encodeSyncStamps, readStamp24, stampDifference } from './sync-frame.js';
import { frameWireMicros, layoutOf, mediumFrame, type CanMedium, type CanTiming } from './medium.js';

/** Frame length on classic CAN (the default medium). */
export const FRAME_BYTES = MEDIUM_LAYOUT.can.frameBytes;
/**
 * The geometry of every channel's control memory: the law's state (CONTROL_MEMORY_BYTES) in
 * SEC-DED (39,32) words, interleaved by 4 so a multi-cell upset lands in different words. The
 * fault plan and the campaign's site shape are derived from it (sim/assembly.ts, campaign/models.ts).
 */
export const CONTROL_MEMORY_GEOMETRY: MemoryImageOptions = Object.freeze({ sizeBytes: CONTROL_MEMORY_BYTES, code: 'secded-39-32', interleave: 4 });
const IMUS = IMU_NUMBERS.length;
const IMUS_MAX = IMU_NUMBERS_MAX.length;
/** p2p: the own IMU reading offered to the exchange must be this fresh (the consolidator's freshness bound). */
const OWN_READING_FRESH_MICROS = 6_000;
/** Status frames with health 'failed' sent after a self-detected fault. */
const FAULT_REPORT_STATUS_FRAMES = 2;
/** Steps missed (by the channel's own oscillator) after which it was down and re-acquires its clock. */
const DOWN_GAP_PERIODS = 3;
/**
 * The golden-copy guard of the read-only region (gains, limits, matrices): blocks of this many
 * bytes, this many checked per cycle, so a pass over the 208-byte region takes 13 cycles (52 ms at
 * 250 Hz). It finds what the ECC cannot: a 3+-bit upset the decoder miscorrected into a valid
 * word, or a wrong value written with a valid code (docs/INTEGRITY.md, "Golden regions").
 */
const GOLDEN_BLOCK_BYTES = 16;
const GOLDEN_BLOCKS_PER_CYCLE = 1;
/** Whole-step control-flow errors (the executive's, not the law's): the law step is skipped, run twice, or fed stale inputs. */
const STEP_NORMAL = 0;
const STEP_SKIP = 1;
const STEP_REPEAT = 2;
const STEP_STALE = 3;
export type StepFlowError = 'skip' | 'repeat' | 'stale';
/** Stage-level control-flow errors (src/core/control/law.ts CF_*), by name. */
const LAW_FLOW_ERRORS = { skip: CF_SKIP_STAGE, repeat: CF_REPEAT_STAGE, jump: CF_JUMP_TO_END, 'wrong-branch': CF_WRONG_BRANCH } as const;
export type LawFlowError = keyof typeof LAW_FLOW_ERRORS;
/** First IDs of the received frame kinds (receiveFrame runs for every frame on the bus). */
const IMU_RATE_ID_1 = canIdOf('imu-rate', 1);
const IMU_ACCEL_ID_1 = canIdOf('imu-accel', 1);
const COMMAND_ID_A = canIdOf('command', 'A');
const CLOCK_SYNC_ID_A = canIdOf('clock-sync', 'A');

/** Where a channel's frames go (the bus adapter of the host). `data` is only borrowed. */
export interface ChannelOutbox {
  send(canId: number, data: Uint8Array): void;
}

export interface ChannelConfig {
  readonly index: number;
  readonly channelCount: number;
  readonly periodMicros: number;
  readonly gains: ControlGains;
  readonly schedule: SetpointSchedule;
  readonly clockOffsetMicros: number;
  readonly clockDriftPpm: number;
  readonly clockSync: ClockSyncConfig;
  /** Minor frames between two clock-sync rounds (R / P). */
  readonly syncEveryCycles: number;
  readonly scrubWordsPerCycle: number;
  readonly statusEveryCycles: number;
  /** Bus bit rate: a clock-sync receiver adds the frame's transmission time to the sender's stamp. */
  readonly bitRateBps: number;
  /** The bus medium (default 'can'); 'can-fd' sends every frame as a 20-byte P4 FD frame with BRS (docs/WIRE.md). */
  readonly medium?: CanMedium;
  /** CAN FD data-phase bit rate (with medium 'can-fd'). */
  readonly dataBitRateBps?: number;
  /** Per axis [gx gy gz ax ay az]: consolidation thresholds (rad/s, m/s²). */
  readonly sensorThresholds: readonly number[];
  /** Sensor sources consolidated (default 3; 4 in the four-channel p2p configuration, IMU 4 = channel D's). */
  readonly sensorCount?: number;
  /** Integrator equalisation toward the peers' mid-value command (1/s; 0 turns it off; default 2). */
  readonly equalizationGainPerS?: number;
  /** Golden-region blocks checked per cycle (default GOLDEN_BLOCKS_PER_CYCLE; 0 turns the golden guard off). */
  readonly goldenBlocksPerCycle?: number;
  /** Command differences (deg) beyond which a cycle is not equalised (default 1). */
  readonly equalizationWindowDeg?: number;
}

export type ChannelSelfFault = 'none' | 'memory_uncorrectable' | 'law_fault' | 'control_flow' | 'golden_corrupt';

/**
 * A fired upset leaves no trace in its descriptor: every field back to 0, so a channel whose
 * upset was repaired holds the same state as one never upset (campaign early convergence
 * compares whole states, docs/CAMPAIGNS.md).
 */
function disarm(pending: { register?: number; copy?: number; index?: number; bit: number; stage: number; armed: boolean }): void {
  pending.armed = false;
  pending.bit = 0;
  pending.stage = 0;
  if (pending.register !== undefined) pending.register = 0;
  if (pending.copy !== undefined) pending.copy = 0;
  if (pending.index !== undefined) pending.index = 0;
}

/** One register flip to be applied between two stages of the next law step (a mid-computation upset). */
interface PendingRegisterFlip { register: number; copy: RegisterCopy; bit: number; stage: number; armed: boolean }
/**
 * One computation error for the next law step: a working value wrong in every copy (computed
 * wrong by the ALU/FPU, or upset in the CPU register that held it after its voted read). Index
 * < REGISTER_COUNT: that register after stage `stage`; else consolidated sensor value
 * index − REGISTER_COUNT before the law runs.
 */
interface PendingComputeFlip { index: number; bit: number; stage: number; armed: boolean }

export class ChannelRuntime implements StageHook {
  readonly name: ChannelId;
  private readonly ownIds: { readonly command: number; readonly status: number; readonly sync: number };
  readonly memory: MemoryImage;
  readonly registers: RegisterImage;
  readonly scrubber: Scrubber;
  readonly clock: ChannelClock;
  readonly sync: ClockSync;
  /** The command of the last step, in degrees, before encoding (after any injected offset). */
  readonly commandDeg = new Float64Array(ACTUATOR_COUNT);
  /** Fault injection: added to every actuator command (a wrong but plausible command). */
  wrongCommandOffsetDeg = 0;
  /** Counters for the flight's statistics and the fault accounting. */
  cycles = 0;
  selfFaults = 0;
  lastSelfFault: ChannelSelfFault = 'none';
  scrubCorrected = 0;
  scrubUncorrectable = 0;
  scrubPasses = 0;
  registerRepairs = 0;
  e2eErrors = 0;
  e2eRepeated = 0;
  e2eWrongSequence = 0;
  framesLost = 0;
  lastConsolidationStatus = 0;
  /** Cycle index (from the logical clock) of the last step. */
  lastCycleIndex = -1;
  private readonly cfg: ChannelConfig;
  private consolidator: SensorConsolidator;
  private readonly law: ControlLaw;
  private readonly outbox: ChannelOutbox;
  private readonly dtS: number;
  private readonly setpoint = new Float64Array(SETPOINT_LENGTH);
  private readonly rateCfg: E2eConfig[];
  private readonly accelCfg: E2eConfig[];
  private rateState: CheckState[];
  private accelState: CheckState[];
  private readonly syncCfg: E2eConfig[];
  private syncState: CheckState[];
  private readonly rate: ImuRate = { sensorStatus: 0, rateXMradPerS: 0, rateYMradPerS: 0, rateZMradPerS: 0 };
  private readonly accel: ImuAccel = { sensorStatus: 0, accelXCmPerS2: 0, accelYCmPerS2: 0, accelZCmPerS2: 0 };
  private readonly samples = new Float64Array(IMUS_MAX * 6);
  private readonly rateStamp = new Float64Array(IMUS_MAX).fill(-1e15);
  private readonly accelStamp = new Float64Array(IMUS_MAX).fill(-1e15);
  /** Sensor sources (cfg.sensorCount, default 3). */
  private readonly sources: number;
  /** p2p wiring (docs/BYZANTINE.md): rows from the agreement layer to consolidate instead of the bus samples. */
  private exchangedRows: Float64Array | undefined;
  private readonly sample = new Float64Array(6);
  private readonly command = createActuatorCommand();
  private readonly status = createChannelStatus();
  private readonly commandCfg: E2eConfig;
  private readonly statusCfg: E2eConfig;
  private readonly ownSyncCfg: E2eConfig;
  private commandProtect: ProtectState = createProtectState();
  private statusProtect: ProtectState = createProtectState();
  private syncProtect: ProtectState = createProtectState();
  private readonly commandBuf: Uint8Array;
  private readonly statusBuf: Uint8Array;
  private readonly syncBuf: Uint8Array;
  private readonly bitMicros: number;
  /** Medium and bit rates (docs/WIRE.md); `body` is where the 7-byte body starts on it. */
  private readonly timing: CanTiming;
  private readonly body: number;
  private readonly flip: PendingRegisterFlip = { register: 0, copy: 0, bit: 0, stage: 0, armed: false };
  private readonly computeFlip: PendingComputeFlip = { index: 0, bit: 0, stage: 0, armed: false };
  private stepFlow = STEP_NORMAL;
  private readonly f32 = new Float32Array(1);
  private readonly u32 = new Uint32Array(this.f32.buffer);
  /** The golden copy of the read-only region (it stands for flash: `golden-flip` hits it) and its guard. */
  readonly goldenCopy: Uint8Array;
  readonly golden: GoldenRegion;
  goldenRepairs = 0;
  private readonly goldenBudget: number;
  private faultReportsLeft = 0;
  private scrubClockMicros = 0;
  private stepTrueMicros = 0;
  /** Own oscillator at the last step (NaN before the first): a gap means this channel was down. */
  private lastStepRawMicros = Number.NaN;
  /** Cross-channel integrator equalisation (src/core/channel/equalizer.ts). */
  readonly equalizer: CommandEqualizer;
  /** Late sync-frame guard and jump-verdict release (src/core/channel/sync-guard.ts). */
  readonly syncGuard: SyncGuard;

  constructor(cfg: ChannelConfig, outbox: ChannelOutbox) {
    assert(Number.isInteger(cfg.index) && cfg.index >= 0 && cfg.index < CHANNEL_IDS_MAX.length && cfg.index < cfg.channelCount, `channel index ${cfg.index}`);
    this.sources = cfg.sensorCount ?? IMUS;
    assert(Number.isInteger(this.sources) && this.sources >= 1 && this.sources <= IMUS_MAX, `channel sensorCount ${this.sources}`);
    assert(cfg.periodMicros >= 100 && cfg.syncEveryCycles >= 1 && cfg.statusEveryCycles >= 1 && cfg.scrubWordsPerCycle >= 0, 'channel timing');
    assert(cfg.sensorThresholds.length === 6, 'six sensor thresholds');
    this.cfg = cfg;
    this.name = CHANNEL_IDS_MAX[cfg.index] ?? 'A';
    this.ownIds = { command: canIdOf('command', this.name), status: canIdOf('channel-status', this.name), sync: canIdOf('clock-sync', this.name) };
    this.outbox = outbox;
    this.dtS = cfg.periodMicros * 1e-6;
    this.bitMicros = 1e6 / cfg.bitRateBps;
    const medium = cfg.medium ?? 'can';
    assert(medium === 'can' || cfg.dataBitRateBps !== undefined, 'CAN FD needs dataBitRateBps');
    this.timing = { medium, bitRateBps: cfg.bitRateBps, ...(cfg.dataBitRateBps === undefined ? {} : { dataBitRateBps: cfg.dataBitRateBps }) };
    this.body = layoutOf(medium).bodyOffsetBytes;
    this.commandBuf = new Uint8Array(layoutOf(medium).frameBytes);
    this.statusBuf = new Uint8Array(layoutOf(medium).frameBytes);
    this.syncBuf = new Uint8Array(layoutOf(medium).frameBytes);
    this.memory = new MemoryImage(CONTROL_MEMORY_GEOMETRY);
    this.registers = new RegisterImage(REGISTER_NAMES);
    this.scrubber = new Scrubber(this.memory);
    this.law = new ControlLaw({ hook: this });
    this.clock = new ChannelClock(cfg.clockOffsetMicros, cfg.clockDriftPpm);
    this.sync = new ClockSync(cfg.clockSync, cfg.index);
    this.consolidator = new SensorConsolidator(defaultConsolidatorConfig(this.sources, cfg.sensorThresholds));
    this.rateCfg = IMU_NUMBERS_MAX.slice(0, this.sources).map((n) => e2eConfigOf('imu-rate', n, medium));
    this.accelCfg = IMU_NUMBERS_MAX.slice(0, this.sources).map((n) => e2eConfigOf('imu-accel', n, medium));
    this.rateState = this.rateCfg.map(createCheckStateFor);
    this.accelState = this.accelCfg.map(createCheckStateFor);
    this.syncCfg = CHANNEL_IDS_MAX.slice(0, cfg.channelCount).map((c) => e2eConfigOf('clock-sync', c, medium));
    this.syncState = this.syncCfg.map(createCheckStateFor);
    this.commandCfg = e2eConfigOf('command', this.name, medium);
    this.statusCfg = e2eConfigOf('channel-status', this.name, medium);
    this.ownSyncCfg = e2eConfigOf('clock-sync', this.name, medium);
    this.equalizer = new CommandEqualizer({
      index: cfg.index, channelCount: cfg.channelCount, periodMicros: cfg.periodMicros, medium,
      gainPerS: cfg.equalizationGainPerS ?? EQUALIZATION_GAIN_PER_S, windowDeg: cfg.equalizationWindowDeg ?? EQUALIZATION_WINDOW_DEG,
    });
    this.syncGuard = new SyncGuard(cfg.channelCount, this.bitMicros, jumpThresholdMicros(cfg.clockSync));
    this.initialiseState(0);
    this.goldenCopy = this.memory.read(0, CONTROL_READ_ONLY_BYTES).slice();
    this.golden = new GoldenRegion(this.memory, { address: 0, golden: this.goldenCopy, blockBytes: GOLDEN_BLOCK_BYTES });
    this.goldenBudget = cfg.goldenBlocksPerCycle ?? GOLDEN_BLOCKS_PER_CYCLE;
    assert(Number.isInteger(this.goldenBudget) && this.goldenBudget >= 0, 'channel goldenBlocksPerCycle');
  }

  get commandId(): number {
    return this.ownIds.command;
  }

  get statusId(): number {
    return this.ownIds.status;
  }

  get syncId(): number {
    return this.ownIds.sync;
  }

  /** Health this channel reports about itself in its status frames. */
  get health(): ChannelHealth {
    return this.faultReportsLeft > 0 ? 'failed' : 'healthy';
  }

  /** Handles one received frame at true time `trueMicros`. Unknown IDs are ignored. */
  receive(id: number, data: Uint8Array, trueMicros: number): void {
    this.receiveFrame(id, data, trueMicros);
    this.syncGuard.busUntil(trueMicros);
  }

  private receiveFrame(id: number, data: Uint8Array, trueMicros: number): void {
    const raw = this.clock.rawMicros(trueMicros);
    const imuRate = id - IMU_RATE_ID_1;
    if (imuRate >= 0 && imuRate < this.sources) { this.receiveRate(imuRate, data, raw); return; }
    const imuAccel = id - IMU_ACCEL_ID_1;
    if (imuAccel >= 0 && imuAccel < this.sources) { this.receiveAccel(imuAccel, data, raw); return; }
    const commandPeer = id - COMMAND_ID_A;
    if (commandPeer >= 0 && commandPeer < this.cfg.channelCount) { this.equalizer.receivePeer(commandPeer, data, raw); return; }
    const peer = id - CLOCK_SYNC_ID_A;
    if (peer >= 0 && peer < this.cfg.channelCount && peer !== this.cfg.index) this.receiveSync(peer, id, data, trueMicros);
  }

  /** One minor frame at true time `trueMicros`: consolidate, control, command, scrub, status. */
  step(trueMicros: number): void {
    const raw = this.clock.rawMicros(trueMicros);
    const k = this.cycleIndexAt(trueMicros);
    // More than DOWN_GAP_PERIODS without a step (crash and restart, hang): the clock must be re-acquired first.
    if (raw - this.lastStepRawMicros > DOWN_GAP_PERIODS * this.cfg.periodMicros) {
      this.syncGuard.reacquire();
      this.sync.forgetReadings();
    }
    this.lastStepRawMicros = raw;
    this.stepTrueMicros = trueMicros;
    this.lastCycleIndex = k;
    this.lastSelfFault = 'none';
    this.cycles++;
    if (k % this.cfg.syncEveryCycles === 1) this.resync();
    const flow = this.stepFlow;
    this.stepFlow = STEP_NORMAL;
    if (flow !== STEP_STALE) this.consolidateSensors(raw);
    if (this.computeFlip.armed && this.computeFlip.index >= REGISTER_COUNT) this.applySensorComputeFlip();
    setpointAt(this.cfg.schedule, Math.max(0, k) * this.cfg.periodMicros, this.setpoint);
    writeSetpoint(this.memory, this.setpoint);
    this.equalizer.apply(this.memory, raw, this.dtS);
    let lawStatus: number = LAW_OK;
    if (flow !== STEP_SKIP) {
      lawStatus = this.law.step(this.memory, this.registers, this.consolidator.output, this.dtS, this.commandDeg);
      if (flow === STEP_REPEAT && lawStatus === LAW_OK) lawStatus = this.law.step(this.memory, this.registers, this.consolidator.output, this.dtS, this.commandDeg);
    }
    if (this.memory.portFaults > 0) this.selfFault('memory_uncorrectable');
    else if (lawStatus === LAW_CONTROL_FLOW) this.selfFault('control_flow');
    else if (lawStatus !== LAW_OK) this.selfFault('law_fault');
    else this.sendCommand();
    this.scrub();
    if (this.goldenBudget > 0) this.guardGolden();
    this.registerRepairs += this.registers.refreshAll();
    if (k % this.cfg.statusEveryCycles === this.cfg.index % this.cfg.statusEveryCycles) this.sendStatus();
  }

  /** Sends this channel's clock-sync stamps (the host calls it at the channel's sync slot). */
  sendClockSync(trueMicros: number): void {
    const b = this.syncBuf;
    encodeSyncStamps(this.clock.localMicros(trueMicros), this.clock.rawMicros(trueMicros), b, this.body);
    protect(this.ownSyncCfg, this.syncProtect, b);
    this.outbox.send(this.syncId, b);
    this.syncGuard.busUntil(trueMicros + frameWireMicros(this.timing, mediumFrame(this.timing.medium, this.syncId, b)));
  }

  /** The minor-frame index k whose compute slot (kP + P/4 on the logical clock) is nearest. */
  cycleIndexAt(trueMicros: number): number {
    const p = this.cfg.periodMicros;
    return Math.round((this.clock.localMicros(trueMicros) - p / 4) / p);
  }

  /** True time at which this channel's logical clock reads `localMicros` (the clock is linear in true time). */
  trueTimeOfLocal(localMicros: number, nearTrueMicros: number): number {
    const rate = 1 + this.clock.driftPpm * 1e-6;
    return nearTrueMicros + (localMicros - this.clock.localMicros(nearTrueMicros)) / rate;
  }

  /**
   * Cold restart (after a crash, or after a self-detected fault): fresh control state from the
   * configured gains, fresh receive and send state. Allocates (not on the per-cycle path).
   */
  coldRestart(trueMicros: number): void {
    this.initialiseState(trueMicros);
    this.consolidator = new SensorConsolidator(defaultConsolidatorConfig(this.sources, this.cfg.sensorThresholds));
    this.rateState = this.rateCfg.map(createCheckStateFor);
    this.accelState = this.accelCfg.map(createCheckStateFor);
    this.syncState = this.syncCfg.map(createCheckStateFor);
    this.commandProtect = createProtectState();
    this.statusProtect = createProtectState();
    this.syncProtect = createProtectState();
    this.equalizer.reset();
    this.rateStamp.fill(-1e15);
    this.accelStamp.fill(-1e15);
  }

  /** Fault injection: flips register bit `bit` of copy `copy` after law stage `stage` of the next step. */
  armRegisterFlip(register: number, copy: RegisterCopy, bit: number, stage: number): void {
    assert(register >= 0 && register < this.registers.count && stage >= 0 && stage <= 3, 'armRegisterFlip');
    Object.assign(this.flip, { register, copy, bit, stage, armed: true });
  }

  get registerFlipArmed(): boolean {
    return this.flip.armed;
  }

  /**
   * Fault injection, a computation error (docs/FAULTS.md): working value `index` (a register, or
   * REGISTER_COUNT + a consolidated sensor axis) gets bit `bit` of its float32 flipped in every
   * copy after law stage `stage` of the next step (sensor values: before the law runs).
   */
  armComputeFlip(index: number, bit: number, stage: number): void {
    assert(Number.isInteger(index) && index >= 0 && index < REGISTER_COUNT + 6 && bit >= 0 && bit < 32 && stage >= 0 && stage <= 3, 'armComputeFlip');
    Object.assign(this.computeFlip, { index, bit, stage, armed: true });
  }

  /** Fault injection, a control-flow error of the next step: of the executive (`skip`, `repeat`, `stale`) or inside the law at `stage`. */
  armControlFlowError(mode: StepFlowError | LawFlowError, stage: number | undefined): void {
    if (stage === undefined && (mode === 'skip' || mode === 'repeat' || mode === 'stale')) {
      this.stepFlow = mode === 'skip' ? STEP_SKIP : mode === 'repeat' ? STEP_REPEAT : STEP_STALE;
      return;
    }
    if (mode === 'stale') { this.stepFlow = STEP_STALE; return; }
    this.law.armControlFlowError(LAW_FLOW_ERRORS[mode], stage ?? 0);
  }

  /** Control-flow errors the law's signature check caught. */
  get controlFlowErrorsDetected(): number {
    return this.law.controlFlowErrorsDetected;
  }

  /** StageHook: applies an armed register flip or computation error between two stages of the law. */
  afterStage(stage: number): void {
    const c = this.computeFlip;
    if (c.armed && c.index < REGISTER_COUNT && stage === c.stage) {
      const { index, bit } = c;
      disarm(c);
      for (let copy = 0; copy < 3; copy++) this.registers.flipAt(index, copy as RegisterCopy, bit);
    }
    const f = this.flip;
    if (!f.armed || stage !== f.stage) return;
    const { register, copy, bit } = f;
    disarm(f);
    this.registers.flipAt(register, copy, bit);
  }

  /**
   * One step of the golden guard. A bad block whose golden copy fails its own CRC cannot be
   * repaired: the channel cannot trust its configuration, so it goes fail-silent and restarts
   * cold from the configured gains (the program's constants, not the damaged copy).
   */
  private guardGolden(): void {
    const report = this.golden.step(this.scrubClockMicros, this.goldenBudget);
    this.goldenRepairs += report.repaired;
    if (report.mismatches > report.repaired && this.lastSelfFault === 'none') this.selfFault('golden_corrupt');
  }

  private applySensorComputeFlip(): void {
    const c = this.computeFlip;
    const { index, bit } = c;
    disarm(c);
    const out = this.consolidator.output;
    const axis = index - REGISTER_COUNT;
    this.f32[0] = out[axis] ?? 0;
    this.u32[0] = ((this.u32[0] ?? 0) ^ (1 << bit)) >>> 0;
    out[axis] = this.f32[0];
  }

  /** Consolidated sensor values of the last step [gx gy gz ax ay az]. */
  get consolidated(): Float64Array {
    return this.consolidator.output;
  }

  /** Sensor sources this channel consolidates (3, or 4 with IMU 4 in the four-channel configuration). */
  get sensorCount(): number {
    return this.sources;
  }

  get failedSensorMask(): number {
    return this.consolidator.failedMask;
  }

  /** One clock-sync round: apply the fault-tolerant midpoint, then release healed jump verdicts. */
  private resync(): void {
    this.clock.applyCorrection(this.syncGuard.resync(this.sync));
  }

  private initialiseState(trueMicros: number): void {
    const p = this.cfg.periodMicros;
    const k = Math.max(0, Math.round((this.clock.localMicros(trueMicros) - p / 4) / p));
    setpointAt(this.cfg.schedule, k * p, this.setpoint);
    const blank = new Uint8Array(CONTROL_MEMORY_BYTES);
    this.memory.restore(blank);
    initialiseControlMemory(this.memory, this.cfg.gains, this.setpoint);
    this.memory.clearPortFaults();
    for (let i = 0; i < this.registers.count; i++) this.registers.writeAt(i, 0);
  }

  private selfFault(kind: ChannelSelfFault): void {
    this.selfFaults++;
    this.lastSelfFault = kind;
    this.faultReportsLeft = FAULT_REPORT_STATUS_FRAMES;
    this.initialiseState(this.stepTrueMicros);
    this.sendStatus();
  }

  private sendCommand(): void {
    const c = this.command;
    c.engaged = true;
    for (let i = 0; i < ACTUATOR_COUNT; i++) {
      const deg = (this.commandDeg[i] ?? 0) + this.wrongCommandOffsetDeg;
      this.commandDeg[i] = deg;
      c.deflectionMrad[i] = commandCodeOf(deg);
    }
    this.equalizer.noteOwn(c.deflectionMrad, this.clock.rawMicros(this.stepTrueMicros));
    encodeCommand(c, this.commandBuf, this.body);
    protect(this.commandCfg, this.commandProtect, this.commandBuf);
    this.outbox.send(this.commandId, this.commandBuf);
  }

  private sendStatus(): void {
    const s = this.status;
    s.health = this.health;
    if (this.faultReportsLeft > 0) this.faultReportsLeft--;
    s.scrubCorrectedCount = this.scrubCorrected;
    s.scrubUncorrectableCount = this.scrubUncorrectable;
    s.scrubPassCount = this.scrubPasses;
    const offset = Math.round(this.clock.correctionMicros);
    s.clockOffsetMicros = offset > 32767 ? 32767 : offset < -32767 ? -32767 : offset;
    encodeChannelStatus(s, this.statusBuf, this.body);
    protect(this.statusCfg, this.statusProtect, this.statusBuf);
    this.outbox.send(this.statusId, this.statusBuf);
  }

  private scrub(): void {
    this.scrubClockMicros += this.cfg.periodMicros;
    const report = this.scrubber.step(this.scrubClockMicros, this.cfg.scrubWordsPerCycle);
    this.scrubCorrected += report.corrected;
    this.scrubUncorrectable += report.uncorrectable;
    if (report.passCompleted) this.scrubPasses++;
    if (report.uncorrectable > 0) this.selfFault('memory_uncorrectable');
  }

  // ---- p2p wiring (docs/BYZANTINE.md): the flight feeds the agreement layer's vector -------

  /** p2p: this channel's own IMU reading (source = its index) as received and E2E-checked; NaN when stale or absent. */
  ownReading(trueMicros: number, out: Float64Array): void {
    const i = this.cfg.index;
    const age = this.clock.rawMicros(trueMicros) - Math.min(this.rateStamp[i] ?? -1e15, this.accelStamp[i] ?? -1e15);
    const fresh = age >= 0 && age <= OWN_READING_FRESH_MICROS;
    for (let a = 0; a < 6; a++) out[a] = fresh ? (this.samples[i * 6 + a] ?? Number.NaN) : Number.NaN;
  }

  /** p2p: from now on each step consolidates `rows` (sources × 6, row i = source i, NaN = unusable; copied). */
  useExchangedInputs(rows: ArrayLike<number>): void {
    assert(rows.length >= this.sources * 6, 'useExchangedInputs: one row per source');
    this.exchangedRows ??= new Float64Array(this.sources * 6);
    for (let j = 0; j < this.sources * 6; j++) this.exchangedRows[j] = rows[j] ?? Number.NaN;
  }

  private consolidateExchanged(rows: Float64Array, rawMicros: number): void {
    for (let i = 0; i < this.sources; i++) {
      for (let a = 0; a < 6; a++) this.sample[a] = rows[i * 6 + a] ?? Number.NaN;
      this.consolidator.setSample(i, this.sample, rawMicros, true);
    }
    this.lastConsolidationStatus = this.consolidator.consolidate(rawMicros);
  }

  private consolidateSensors(rawMicros: number): void {
    if (this.exchangedRows !== undefined) {
      this.consolidateExchanged(this.exchangedRows, rawMicros);
      return;
    }
    for (let i = 0; i < this.sources; i++) {
      for (let a = 0; a < 6; a++) this.sample[a] = this.samples[i * 6 + a] ?? 0;
      const stamp = Math.min(this.rateStamp[i] ?? 0, this.accelStamp[i] ?? 0);
      this.consolidator.setSample(i, this.sample, stamp, true);
    }
    this.lastConsolidationStatus = this.consolidator.consolidate(rawMicros);
  }

  private countCheck(status: string, state: CheckState): boolean {
    if (status === 'OK') {
      this.framesLost += state.lostFramesLast;
      return true;
    }
    if (status === 'REPEATED') this.e2eRepeated++;
    else if (status === 'WRONGSEQUENCE') this.e2eWrongSequence++;
    else this.e2eErrors++;
    return false;
  }

  private receiveRate(i: number, data: Uint8Array, raw: number): void {
    const state = this.rateState[i];
    const cfg = this.rateCfg[i];
    if (state === undefined || cfg === undefined || !this.countCheck(check(cfg, state, data), state)) return;
    if (decodeImuRateInto(data, this.body, FRAME_BODY_BYTES, this.rate) !== null || (this.rate.sensorStatus & 1) !== 0) return;
    this.samples[i * 6] = rateOfCode(this.rate.rateXMradPerS);
    this.samples[i * 6 + 1] = rateOfCode(this.rate.rateYMradPerS);
    this.samples[i * 6 + 2] = rateOfCode(this.rate.rateZMradPerS);
    this.rateStamp[i] = raw;
  }

  private receiveAccel(i: number, data: Uint8Array, raw: number): void {
    const state = this.accelState[i];
    const cfg = this.accelCfg[i];
    if (state === undefined || cfg === undefined || !this.countCheck(check(cfg, state, data), state)) return;
    if (decodeImuAccelInto(data, this.body, FRAME_BODY_BYTES, this.accel) !== null || (this.accel.sensorStatus & 1) !== 0) return;
    this.samples[i * 6 + 3] = accelOfCode(this.accel.accelXCmPerS2);
    this.samples[i * 6 + 4] = accelOfCode(this.accel.accelYCmPerS2);
    this.samples[i * 6 + 5] = accelOfCode(this.accel.accelZCmPerS2);
    this.accelStamp[i] = raw;
  }

  private receiveSync(peer: number, id: number, data: Uint8Array, trueMicros: number): void {
    const state = this.syncState[peer];
    const cfg = this.syncCfg[peer];
    if (state === undefined || cfg === undefined || !this.countCheck(check(cfg, state, data), state)) return;
    const latencyMicros = frameWireMicros(this.timing, mediumFrame(this.timing.medium, id, data));
    if (!this.syncGuard.startedOnIdleBus(trueMicros, latencyMicros)) return;
    const logical = stampDifference(readStamp24(data, this.body + 1), this.clock.localMicros(trueMicros) - latencyMicros);
    const raw = stampDifference(readStamp24(data, this.body + 4), this.clock.rawMicros(trueMicros) - latencyMicros);
    this.sync.setReading(peer, logical, raw);
    this.syncGuard.noteReading(peer, logical);
  }
}
