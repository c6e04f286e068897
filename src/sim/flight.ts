/**
 * The emulated rig in lockstep (docs/FLIGHT.md): plant, three IMUs as sensor nodes, channels
 * A B C and the voter node on one EmulatedCanBus, driven by a Scheduler on a SimClock. A
 * flight is a pure function of its configuration and seed: same inputs, same result and the
 * same candump log, byte for byte.
 *
 * Minor frame k (period P, true time): at kP the plant integrates to kP with the last voted
 * command and the IMUs sample and send their frames; each channel computes at its own logical
 * clock's kP + P/4 (so clock faults really move it) and sends command (and status); every
 * resync period each channel sends its clock stamps at logical kP + P/2 + i·P/12; the voter
 * votes at its logical kP + 3P/4 and sets the actuator command. Every handler first runs the
 * bus up to its instant, so frames arrive when the bus model says they do.
 */
import { EmulatedCanBus, type EmulatedCanNode } from './emulated-can.js';
import { ChannelRuntime } from '../core/channel/channel.js';
import { layoutOf, mediumFrame, type CanMedium } from '../core/channel/medium.js';
import { VoterNode } from '../core/channel/voter-node.js';
import { defaultGains } from '../core/control/gains.js';
import { SCHEDULES, setpointAt, type SetpointSchedule } from '../core/control/setpoint.js';
import { REGISTER_NAMES, CONTROL_MEMORY_BYTES } from '../core/control/state.js';
import { classicFrame, type CanFrame } from '../core/frame/can.js';
import { createProtectState, e2eConfigOf, protect, type E2eConfig, type ProtectState } from '../core/frame/e2e/index.js';
import { canIdOf, CHANNEL_IDS_MAX, IMU_NUMBERS, IMU_NUMBERS_MAX } from '../core/frame/ids.js';
import { encodeImuAccel, encodeImuRate, type ImuAccel, type ImuRate } from '../core/frame/sensor-frame.js';
import { FaultLedger, type FaultFate } from '../core/fault/accounting.js';
import { channelIndexOf, expandProfile, type Injection } from '../core/fault/injector.js';
import type { FaultProfile, FaultSpec } from '../core/fault/profile.js';
import { MemoryImage } from '../core/memory/memory-image.js';
import { createImus, DEFAULT_IMU, Imu, IMU_SAMPLE_LENGTH } from '../core/plant/imu.js';
import { Plant, STATE_P, STATE_QW } from '../core/plant/plant.js';
import { attitudeErrorDeg } from '../core/plant/quaternion.js';
import { IMU_STREAM_BASE, PLANT_GUST_STREAM } from '../core/plant/random.js';
import { aerosondeVehicle, FLIGHT_ENVELOPE } from '../core/plant/vehicle.js';
import { err, ok, type Result } from '../core/result.js';
import { SimClock } from '../core/sim/clock.js';
import { Prng } from '../core/sim/prng.js';
import { Scheduler } from '../core/sim/scheduler.js';
import { defaultClockSyncConfig, type ClockSyncConfig } from '../core/vote/clock-sync.js';
import { thresholdFromNoise } from '../core/vote/select.js';
import { VOTER_ALARM_DEGRADED, VOTER_ALARM_FAILSAFE, VOTER_ALARM_PAIR_DISAGREE, VOTER_ALARM_SINGLE } from '../core/vote/voter.js';
import { CONSOLIDATION_ALARM_NO_DATA, CONSOLIDATION_ALARM_PAIR_DISAGREE, CONSOLIDATION_ALARM_SINGLE_SOURCE, CONSOLIDATION_ALARM_SOURCE_FAILED, CONSOLIDATION_ALARM_SOURCE_MISSING, CONSOLIDATION_USED_MASK } from '../core/vote/consolidate.js';
import { simLogRecord, formatCandumpLine } from '../io/candump.js';
import { algorithmOf, byzantineFaultOf, isCommandFrame, P2pWiring, type ByzantineFault, type ExchangeMode, type Links } from './p2p-wiring.js';
import type { Rig } from './rig.js';

const RING_FRAMES = 64;
const BABBLE_NODE = 'X';
/** The ID each IMU index sends its frames under (index ≥ IMU_NUMBERS.length sends IMU 1's IDs, as before). */
const IMU_RATE_SEND_IDS = IMU_NUMBERS_MAX.map((_, i) => canIdOf('imu-rate', IMU_NUMBERS[i] ?? 1));
const IMU_ACCEL_SEND_IDS = IMU_NUMBERS_MAX.map((_, i) => canIdOf('imu-accel', IMU_NUMBERS[i] ?? 1));
/** A sensor value to the int16 range of the frame fields. */
const clamp = (v: number): number => (v > 32767 ? 32767 : v < -32767 ? -32767 : v);
/** Observation window of a fault record (longer than every detection bound of docs/FLIGHT.md). */
export const FAULT_WINDOW_MICROS = 2_500_000;
/** SDC tolerance on a voted actuator command beyond the healthy channels' range (deg). */
export const SDC_TOLERANCE_DEG = 1;
/** An attitude excursion is silent when no alarm was raised in this long before it. */
export const ALARM_LOOKBACK_MICROS = 5_000_000;
const VOTER_ALARMS = VOTER_ALARM_DEGRADED | VOTER_ALARM_PAIR_DISAGREE | VOTER_ALARM_SINGLE | VOTER_ALARM_FAILSAFE;
const SENSOR_ALARMS = CONSOLIDATION_ALARM_SINGLE_SOURCE | CONSOLIDATION_ALARM_NO_DATA | CONSOLIDATION_ALARM_PAIR_DISAGREE | CONSOLIDATION_ALARM_SOURCE_FAILED | CONSOLIDATION_ALARM_SOURCE_MISSING;

export interface FlightConfig {
  readonly seed: number;
  readonly durationS: number;
  readonly rateHz: number;
  readonly profile: FaultProfile;
  readonly rig: Rig;
  readonly schedule?: SetpointSchedule;
  /** Collect a candump log of every frame on the bus. */
  readonly candump?: boolean;
  readonly scrubWordsPerCycle?: number;
  /** p2p/Byzantine (docs/BYZANTINE.md): links between channels and voter, 'can' (default) or 'p2p'. */
  readonly links?: Links;
  /** p2p input exchange: 'plain' (default; OM(1) with 4 channels) or 'signed' (SM(1), Ed25519). */
  readonly exchange?: ExchangeMode;
  /** Channels: 3 (default) or 4 (p2p only; IMU 4 and channel D are added). */
  readonly channelCount?: number;
}

/** Preallocated frames of one sender and ID, reused round-robin (more than any queue holds). */
class FrameRing {
  private readonly frames: CanFrame[];
  private next = 0;

  constructor(id: number, private readonly medium: CanMedium) {
    this.frames = Array.from({ length: RING_FRAMES }, () => mediumFrame(medium, id, new Uint8Array(layoutOf(medium).frameBytes)));
  }

  take(data: Uint8Array): CanFrame {
    const f = this.frames[this.next] ?? mediumFrame(this.medium, 0, new Uint8Array(layoutOf(this.medium).frameBytes));
    this.next = (this.next + 1) % RING_FRAMES;
    const d = f.data;
    // A plain copy: TypedArray#set is a builtin call that costs more than eight stores.
    if (data.length > d.length) d.set(data);
    for (let j = 0; j < data.length; j++) d[j] = data[j] ?? 0;
    return f;
  }
}

class NodeOutbox {
  /** IDs and their rings (two or three per sender: a linear scan beats a Map lookup). */
  private readonly ids: number[] = [];
  private readonly rings: FrameRing[] = [];
  dropped = 0;

  constructor(private readonly node: EmulatedCanNode, ids: readonly number[], medium: CanMedium) {
    for (const id of ids) {
      if (this.ids.includes(id)) continue;
      this.ids.push(id);
      this.rings.push(new FrameRing(id, medium));
    }
  }

  send(canId: number, data: Uint8Array): void {
    const at = this.ids.indexOf(canId);
    const ring = at < 0 ? undefined : this.rings[at];
    if (ring === undefined || !this.node.send(ring.take(data)).ok) this.dropped++;
  }
}

export interface IsolationReport { readonly channel: string; readonly atS: number; readonly reason: string; readonly detectionLatencyMs: number }
export interface FaultReport {
  readonly id: number; readonly kind: string; readonly target: string; readonly atS: number; readonly source: string;
  readonly fate: FaultFate; readonly detectedBy: string; readonly detectionLatencyMs: number | null;
}

export interface AgreementReport {
  readonly links: 'p2p';
  readonly algorithm: string;
  readonly channelCount: number;
  readonly exchanges: number;
  readonly firstViolationS: number | null;
  readonly byzantine: { readonly channel: string; readonly atS: number } | null;
  readonly rejected: Readonly<Record<string, number>>;
}

export interface FlightResult {
  readonly seed: number;
  readonly cycles: number;
  readonly simSeconds: number;
  readonly rateHz: number;
  readonly profile: string;
  readonly rig: string;
  readonly faults: { readonly injected: number } & Record<FaultFate, number>;
  readonly maxAttitudeErrorDeg: number;
  readonly maxBodyRateRadPerS: number;
  readonly envelope: { readonly attitudeErrorDegMax: number; readonly bodyRateRadPerSMax: number; readonly exceededCycles: number };
  readonly isolations: IsolationReport[];
  readonly reintegrations: { readonly channel: string; readonly atS: number }[];
  readonly failSafe: { readonly kind: string; readonly atS: number; readonly reason: string }[];
  readonly deadlineMisses: number;
  readonly healthyIsolations: { readonly channel: string; readonly atS: number; readonly reason: string }[];
  /** Cycles in which healthy channels consolidated different inputs (measured with p2p links; docs/BYZANTINE.md). */
  readonly agreementViolations: number;
  /** Healthy channels isolated: healthyIsolations plus SM(1) proofs against healthy channels. */
  readonly falseIsolations: number;
  /** p2p only: the agreement layer's configuration and counters. */
  readonly agreement?: AgreementReport;
  readonly unattributed: { readonly sdc: number; readonly failSafe: number };
  readonly channels: Record<string, Record<string, number | string>>;
  readonly voter: { readonly mode: string; readonly e2eRejected: number; readonly clockFaultMask: number };
  readonly bus: { readonly frames: number; readonly errorFrames: number; readonly loadPercent: number; readonly dropped: number };
  readonly faultList: FaultReport[];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Consolidation thresholds from the IMU noise model and the frame quantisation (docs/FLIGHT.md). */
export function sensorThresholds(): number[] {
  const gyro = thresholdFromNoise(DEFAULT_IMU.gyroNoiseRadPerS, 0.001) + 0.01;
  const accel = thresholdFromNoise(DEFAULT_IMU.accelNoiseMPerS2, 0.01) + 0.1;
  return [gyro, gyro, gyro, accel, accel, accel];
}

export function flightClockSyncConfig(channelCount: number): ClockSyncConfig {
  return { ...defaultClockSyncConfig(channelCount), resyncPeriodMicros: 100_000, driftWindowRounds: 10 };
}

export class Flight {
  readonly clock = new SimClock();
  readonly scheduler: Scheduler;
  readonly bus: EmulatedCanBus;
  readonly plant: Plant;
  readonly imus: Imu[];
  readonly channels: ChannelRuntime[];
  readonly voterNode: VoterNode;
  readonly ledger = new FaultLedger();
  readonly injections: Injection[];
  readonly periodMicros: number;
  readonly cycleCount: number;
  readonly candumpLines: string[] = [];
  cyclesRun = 0;
  deadlineMisses = 0;
  maxAttitudeErrorDeg = 0;
  maxBodyRateRadPerS = 0;
  envelopeExceededCycles = 0;
  private readonly cfg: FlightConfig;
  private readonly schedule: SetpointSchedule;
  private readonly outboxes: NodeOutbox[] = [];
  private readonly imuOutbox: NodeOutbox[] = [];
  private readonly imuProtect: { rate: ProtectState; accel: ProtectState; rateCfg: E2eConfig; accelCfg: E2eConfig }[];
  /** The bus medium, from the rig (flightMedium); `body` is where a frame's 7-byte body starts on it. */
  readonly medium: CanMedium;
  private readonly body: number;
  /**
   * Offset of the first clock-sync slot in the minor frame (logical µs): P/2 on classic CAN; on
   * CAN FD 3P/4, after the vote, because at 1 kHz the sensor and command burst fills the bus
   * until about 0.55 P and a sync frame queued behind it is dropped as late (docs/FLIGHT.md).
   */
  private readonly syncSlotMicros: number;
  private readonly imuBuf: Uint8Array;
  private readonly imuSample = new Float64Array(IMU_SAMPLE_LENGTH);
  private readonly imuAlive: boolean[];
  private readonly rate: ImuRate = { sensorStatus: 0, rateXMradPerS: 0, rateYMradPerS: 0, rateZMradPerS: 0 };
  private readonly accel: ImuAccel = { sensorStatus: 0, accelXCmPerS2: 0, accelYCmPerS2: 0, accelZCmPerS2: 0 };
  private readonly commandDeg = new Float64Array(4);
  private readonly setpoint = new Float64Array(6);
  private readonly down: boolean[];
  private readonly faulted: boolean[];
  private readonly channelStep: ((t: number) => void)[];
  private readonly channelSync: ((t: number) => void)[];
  private readonly lastStepMicros: Float64Array;
  private readonly prevUsedMask: Int32Array;
  private readonly prevFailedMask: Int32Array;
  private readonly prevSelfFaults: Int32Array;
  private readonly memoryRecords: { id: number; channel: number; words: number[]; corrections: number }[] = [];
  private readonly registerRecords: { id: number; channel: number; repairs: number }[] = [];
  private readonly busRecords: { id: number; errorFrames: number }[] = [];
  private nextInjection = 0;
  private eventsSeen = 0;
  private lastAlarmMicros = -1e15;
  private inExcursion = false;
  private voteIndex = 0;
  private sensorIndex = 0;
  private readonly logSeen = new Map<number, number>();
  /** p2p/Byzantine wiring (src/hil/p2p-wiring.ts); undefined on CAN. */
  readonly p2p: P2pWiring | undefined;
  private readonly byzantine: ByzantineFault | undefined;

  constructor(cfg: FlightConfig) {
    this.cfg = cfg;
    this.periodMicros = Math.round(1e6 / cfg.rateHz);
    this.cycleCount = Math.round((cfg.durationS * 1e6) / this.periodMicros);
    this.schedule = cfg.schedule ?? SCHEDULES.standard ?? { name: 'hold', periodS: 0, segments: [] };
    const root = new Prng(cfg.seed);
    const vehicle = aerosondeVehicle();
    this.plant = new Plant(vehicle, root.fork(PLANT_GUST_STREAM));
    const links = cfg.links ?? 'can';
    const algorithm = algorithmOf(links, cfg.exchange ?? 'plain', cfg.channelCount ?? 3);
    if (!algorithm.ok) throw new FlightConfigError(algorithm.error);
    const imuNumbers = cfg.channelCount === 4 ? IMU_NUMBERS_MAX : IMU_NUMBERS;
    this.imus = createImus(DEFAULT_IMU, IMU_NUMBERS.map((_, i) => root.fork(IMU_STREAM_BASE + i)), vehicle.gravityMPerS2);
    for (let i = this.imus.length; i < imuNumbers.length; i++) this.imus.push(new Imu(DEFAULT_IMU, root.fork(IMU_STREAM_BASE + i), vehicle.gravityMPerS2));
    this.imuAlive = this.imus.map(() => true);
    this.scheduler = new Scheduler(this.clock, { capacity: 1024 });
    this.medium = flightMedium(cfg.rig);
    if (this.medium === 'can-fd' && links !== 'can') throw new FlightConfigError(`rig '${cfg.rig.name}' is CAN FD; p2p links run on a classic CAN rig`);
    this.body = layoutOf(this.medium).bodyOffsetBytes;
    this.syncSlotMicros = this.medium === 'can-fd' ? (3 * this.periodMicros) / 4 : this.periodMicros / 2;
    this.imuBuf = new Uint8Array(layoutOf(this.medium).frameBytes);
    const fd = this.medium === 'can-fd' && cfg.rig.bus.dataBitRateBps !== undefined ? { medium: this.medium, dataBitRateBps: cfg.rig.bus.dataBitRateBps } : {};
    this.bus = new EmulatedCanBus({ clock: this.clock, bitRateBps: cfg.rig.bus.bitRateBps, ...('dataBitRateBps' in fd ? { dataBitRateBps: fd.dataBitRateBps } : {}), stuffing: cfg.rig.bus.stuffing, prng: root.fork(200), txQueueFramesMax: 16 });
    const n = cfg.channelCount ?? Math.min(3, cfg.rig.channels.length);
    const syncCfg = flightClockSyncConfig(n);
    const syncEveryCycles = Math.max(1, Math.round(syncCfg.resyncPeriodMicros / this.periodMicros));
    const clocks = root.fork(300);
    const gains = defaultGains(vehicle);
    this.channels = [];
    for (let i = 0; i < n; i++) {
      const node = this.bus.attach(CHANNEL_IDS_MAX[i] ?? 'A');
      const ids = ['command', 'channel-status', 'clock-sync'] as const;
      const outbox = new NodeOutbox(node, ids.map((k) => canIdOf(k, CHANNEL_IDS_MAX[i] ?? 'A')), this.medium);
      this.outboxes.push(outbox);
      const commandId = canIdOf('command', CHANNEL_IDS_MAX[i] ?? 'A');
      const sink = links === 'can' ? outbox : { send: (id: number, data: Uint8Array): void => { if (id === commandId) this.p2p?.noteCommand(i, this.clock.nowMicros()); outbox.send(id, data); } };
      const channel = new ChannelRuntime({
        index: i, channelCount: n, periodMicros: this.periodMicros, gains, schedule: this.schedule,
        clockOffsetMicros: clocks.nextRange(-40, 40), clockDriftPpm: clocks.nextRange(-30, 30), clockSync: syncCfg, syncEveryCycles,
        scrubWordsPerCycle: cfg.scrubWordsPerCycle ?? 4, statusEveryCycles: Math.max(1, Math.round(20_000 / this.periodMicros)),
        bitRateBps: cfg.rig.bus.bitRateBps, ...fd, sensorThresholds: sensorThresholds(), ...(n === 4 ? { sensorCount: 4 } : {}),
      }, sink);
      this.channels.push(channel);
      node.subscribe((frame, ts) => { if (!this.down[i] && (links === 'can' || P2pWiring.channelHears(i, frame.id))) channel.receive(frame.id, frame.data, ts); });
    }
    this.down = this.channels.map(() => false);
    this.faulted = this.channels.map(() => false);
    this.lastStepMicros = new Float64Array(n).fill(-1);
    this.prevUsedMask = new Int32Array(n).fill(CONSOLIDATION_USED_MASK & 0x7);
    this.prevFailedMask = new Int32Array(n);
    this.prevSelfFaults = new Int32Array(n);
    this.voterNode = new VoterNode({
      channelCount: n, actuatorLimitDeg: vehicle.actuator.positionLimitDeg, clockSync: syncCfg, syncEveryCycles,
      periodMicros: this.periodMicros, bitRateBps: cfg.rig.bus.bitRateBps, ...fd,
    }, { requestStateTransfer: (c) => this.transferState(c) });
    const voterBus = this.bus.attach('V');
    voterBus.subscribe((frame, ts) => { if (links === 'can' || !isCommandFrame(frame.id)) this.voterNode.receive(frame.id, frame.data, ts); });
    this.imuProtect = imuNumbers.map((num) => {
      const node = this.bus.attach(`S${num}`);
      this.imuOutbox.push(new NodeOutbox(node, [canIdOf('imu-rate', num), canIdOf('imu-accel', num)], this.medium));
      return { rate: createProtectState(), accel: createProtectState(), rateCfg: e2eConfigOf('imu-rate', num, this.medium), accelCfg: e2eConfigOf('imu-accel', num, this.medium) };
    });
    this.bus.attach(BABBLE_NODE);
    if (cfg.candump === true) this.bus.attach('log').subscribe((frame, ts) => { this.logFrame(frame, ts); });
    const image = new MemoryImage({ sizeBytes: CONTROL_MEMORY_BYTES, code: 'secded-39-32', interleave: 4 });
    const expanded = expandProfile(cfg.profile, {
      channelCount: n, sensorCount: this.imus.length, memoryWordCount: image.wordCount, memoryCodeBits: image.code.codeBits,
      memoryPhysicalBits: image.physicalBitCount, registerNames: REGISTER_NAMES, durationMicros: this.cycleCount * this.periodMicros,
    }, root.fork(400));
    if (!expanded.ok) throw new FlightConfigError(`${expanded.error.path}: ${expanded.error.message}`);
    this.injections = expanded.value;
    const byzantine = byzantineFaultOf(this.injections, this.periodMicros);
    if (typeof byzantine === 'string') throw new FlightConfigError(byzantine);
    this.byzantine = byzantine;
    this.p2p = links === 'can' ? undefined : new P2pWiring({
      seed: cfg.seed, exchange: cfg.exchange ?? 'plain', channels: this.channels, voter: this.voterNode, periodMicros: this.periodMicros,
      byzantine, isDown: (c) => this.down[c] ?? false, isFaulty: (c) => this.faulted[c] ?? false,
    });
    this.channelStep = this.channels.map((_, i) => (t: number) => { this.onChannelStep(i, t); });
    this.channelSync = this.channels.map((_, i) => (t: number) => { this.onChannelSync(i, t); });
    this.arm();
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

  get done(): boolean {
    return this.cyclesRun >= this.cycleCount;
  }

  private arm(): void {
    const p = this.periodMicros;
    this.scheduler.schedule(0, 0, this.sensorTick);
    this.scheduler.schedule(Math.round((3 * p) / 4), 20, this.voteTick);
    this.channels.forEach((c, i) => {
      const first = Math.max(0, Math.ceil(c.trueTimeOfLocal(p / 4, 0)));
      this.scheduler.schedule(first, 10, this.channelStep[i] ?? (() => undefined));
    });
    this.armInjection();
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
    this.scheduler.schedule(this.voterTrueTime(this.sensorIndex * this.periodMicros, t), 0, this.sensorTick);
  };

  private readonly voteTick = (t: number): void => {
    this.onVote(t);
    this.scheduler.schedule(this.voterTrueTime(this.voteIndex * this.periodMicros + Math.round((3 * this.periodMicros) / 4), t), 20, this.voteTick);
  };

  /** True time (µs, after `t`) at which the voter node's logical clock reads `localMicros` (its oscillator has no drift). */
  private voterTrueTime(localMicros: number, t: number): number {
    return Math.max(t + 1, Math.ceil(t + localMicros - this.voterNode.clock.localMicros(t)));
  }

  private armInjection(): void {
    const next = this.injections[this.nextInjection];
    if (next === undefined) return;
    this.scheduler.schedule(Math.max(next.atMicros, this.clock.nowMicros()), 5, (t) => { this.onInjection(t); });
  }

  private onSensors(t: number): void {
    this.bus.runUntil(t);
    if (t > 0) this.plant.step(this.commandDeg, this.periodMicros * 1e-6);
    for (let i = 0; i < this.imus.length; i++) {
      const imu = this.imus[i];
      const io = this.imuProtect[i];
      const out = this.imuOutbox[i];
      if (imu === undefined || io === undefined || out === undefined) continue;
      this.imuAlive[i] = imu.sample(this.plant.state, t, this.imuSample, 0);
      if (!this.imuAlive[i]) continue;
      this.sendImu(i, io, out);
    }
  }

  private sendImu(i: number, io: (typeof this.imuProtect)[number], out: NodeOutbox): void {
    const s = this.imuSample;
    this.rate.rateXMradPerS = clamp(Math.round((s[0] ?? 0) * 1000));
    this.rate.rateYMradPerS = clamp(Math.round((s[1] ?? 0) * 1000));
    this.rate.rateZMradPerS = clamp(Math.round((s[2] ?? 0) * 1000));
    encodeImuRate(this.rate, this.imuBuf, this.body);
    protect(io.rateCfg, io.rate, this.imuBuf);
    out.send(IMU_RATE_SEND_IDS[i] ?? canIdOf('imu-rate', 1), this.imuBuf);
    this.accel.accelXCmPerS2 = clamp(Math.round((s[3] ?? 0) * 100));
    this.accel.accelYCmPerS2 = clamp(Math.round((s[4] ?? 0) * 100));
    this.accel.accelZCmPerS2 = clamp(Math.round((s[5] ?? 0) * 100));
    encodeImuAccel(this.accel, this.imuBuf, this.body);
    protect(io.accelCfg, io.accel, this.imuBuf);
    out.send(IMU_ACCEL_SEND_IDS[i] ?? canIdOf('imu-accel', 1), this.imuBuf);
  }

  private onChannelStep(i: number, t: number): void {
    this.bus.runUntil(t);
    const c = this.channels[i];
    if (c === undefined) return;
    if (!this.down[i]) {
      this.p2p?.beforeStep(i, t);
      c.step(t);
      this.lastStepMicros[i] = t;
      const syncEvery = Math.max(1, Math.round(100_000 / this.periodMicros));
      if (c.lastCycleIndex % syncEvery === 0) {
        const at = c.trueTimeOfLocal(c.lastCycleIndex * this.periodMicros + this.syncSlotMicros + (i * this.periodMicros) / 12, t);
        this.scheduler.schedule(Math.max(t + 1, Math.ceil(at)), 10, this.channelSync[i] ?? (() => undefined));
      }
    }
    const k = c.cycleIndexAt(t) + 1;
    const next = Math.ceil(c.trueTimeOfLocal(k * this.periodMicros + this.periodMicros / 4, t));
    this.scheduler.schedule(Math.max(t + 1, next), 10, this.channelStep[i] ?? (() => undefined));
  }

  private onChannelSync(i: number, t: number): void {
    this.bus.runUntil(t);
    if (!this.down[i]) this.channels[i]?.sendClockSync(t);
  }

  private onVote(t: number): void {
    this.bus.runUntil(t);
    const k = this.voteIndex++;
    this.p2p?.beforeVote(t);
    const status = this.voterNode.vote(t, k);
    this.commandDeg.set(this.voterNode.outputDeg);
    this.countDeadlineMisses(t);
    this.observe(t, status);
  }

  private countDeadlineMisses(t: number): void {
    for (let c = 0; c < this.channels.length; c++) {
      const stepped = this.lastStepMicros[c] ?? -1;
      if (this.down[c] || stepped < t - this.periodMicros || stepped > t) continue;
      if ((this.voterNode.lastCommandMicros[c] ?? -1) < stepped && this.channels[c]?.lastSelfFault === 'none') this.deadlineMisses++;
    }
  }

  private transferState(target: number): boolean {
    const dst = this.channels[target];
    if (dst === undefined) return false;
    const order = this.channels.map((_, c) => c).filter((c) => c !== target && !this.down[c]);
    order.sort((a, b) => this.healthRank(a) - this.healthRank(b));
    for (const c of order) {
      const snap = this.channels[c]?.memory.snapshot();
      const srcCrc = this.channels[c]?.memory.dataCrc32();
      if (snap === undefined || !snap.ok || srcCrc === undefined || !srcCrc.ok) continue;
      dst.memory.restore(snap.value);
      const dstCrc = dst.memory.dataCrc32();
      return dstCrc.ok && dstCrc.value === srcCrc.value;
    }
    return false;
  }

  private healthRank(c: number): number {
    const h = this.voterNode.voter.channelHealth(c);
    return h === 'active' ? 0 : h === 'suspect' ? 1 : h === 'reintegrating' ? 2 : h === 'isolated' ? 3 : 4;
  }

  private logFrame(frame: CanFrame, ts: number): void {
    this.logSeen.set(frame.id, (this.logSeen.get(frame.id) ?? 0) + 1);
    this.candumpLines.push(formatCandumpLine(simLogRecord(Math.floor(ts), 'can0', frame)));
  }

  // ---- fault injection ------------------------------------------------------------------

  private onInjection(t: number): void {
    this.bus.runUntil(t);
    for (let inj = this.injections[this.nextInjection]; inj !== undefined && inj.atMicros <= t; inj = this.injections[this.nextInjection]) {
      this.inject(inj, t);
      this.nextInjection++;
    }
    this.armInjection();
  }

  private inject(inj: Injection, t: number): void {
    const f = inj.fault;
    const channel = 'channel' in f ? channelIndexOf(f.channel) : -1;
    const sensor = f.kind === 'sensor' ? f.sensor - 1 : -1;
    const byzantineKind = f.kind === 'two-faced' || f.kind === 'masquerade' || f.kind === 'replay';
    // A Byzantine channel stays faulty to the end: its record stays open, so its isolation is never a healthy one.
    const id = this.ledger.add(f.kind, channel, sensor, t, byzantineKind ? Math.max(FAULT_WINDOW_MICROS, this.cycleCount * this.periodMicros - t + 1) : FAULT_WINDOW_MICROS);
    const c = channel >= 0 ? this.channels[channel] : undefined;
    switch (f.kind) {
      case 'memory-flip':
      case 'mbu': this.injectMemory(id, inj, c, channel); return;
      case 'register-flip':
        c?.armRegisterFlip(Math.max(0, REGISTER_NAMES.indexOf(f.register as (typeof REGISTER_NAMES)[number])), (f.copy ?? 0) as 0 | 1 | 2, f.bit ?? 0, inj.stage);
        this.registerRecords.push({ id, channel, repairs: c?.registerRepairs ?? 0 });
        return;
      case 'bus-corrupt':
      case 'bus-drop':
      case 'bus-delay':
      case 'bus-duplicate':
      case 'babble': this.injectBus(id, inj, t); return;
      case 'channel-crash': this.injectStop(channel, t, f.restartAfterMicros, true); return;
      case 'channel-hang': this.injectStop(channel, t, f.durationMicros, false); return;
      case 'sensor': this.injectSensor(f.sensor - 1, f.mode, f.value, f.durationMicros, t); return;
      case 'wrong-command':
        if (c === undefined) return;
        c.wrongCommandOffsetDeg = f.offsetDeg;
        this.faulted[channel] = true;
        this.scheduler.schedule(t + f.durationMicros, 5, () => { c.wrongCommandOffsetDeg = 0; this.faulted[channel] = false; });
        return;
      case 'clock-drift':
        c?.clock.setDriftPpm(f.ppm, t);
        if (Math.abs(f.ppm) > 100) this.faulted[channel] = true;
        return;
      case 'clock-jump':
        c?.clock.injectJump(f.jumpMicros);
        return;
      case 'two-faced':
      case 'masquerade':
      case 'replay':
        // p2p: the adversary in the agreement layer lies from this cycle on. CAN: the channel relays
        // nothing and the bus lets it tell everyone the same thing, so only its command can lie.
        this.faulted[channel] = true;
        if (this.p2p === undefined && c !== undefined && f.kind !== 'replay') c.wrongCommandOffsetDeg = f.value;
        return;
    }
  }

  private injectMemory(id: number, inj: Injection, c: ChannelRuntime | undefined, channel: number): void {
    if (c === undefined) return;
    const f = inj.fault;
    const words: number[] = [];
    if (f.kind === 'memory-flip') {
      c.memory.flipBit(f.word ?? 0, f.bit ?? 0);
      words.push(f.word ?? 0);
    } else if (f.kind === 'mbu') {
      for (let b = 0; b < f.bits; b++) {
        const p = Math.min(c.memory.physicalBitCount - 1, (f.physicalBit ?? 0) + b);
        c.memory.flipPhysicalBit(p);
        words.push(c.memory.interleaver.wordOf(p));
      }
    }
    this.memoryRecords.push({ id, channel, words, corrections: this.correctionsOf(c) });
  }

  private correctionsOf(c: ChannelRuntime): number {
    return c.scrubCorrected + c.memory.statistics().readCorrected;
  }

  private injectBus(id: number, inj: Injection, t: number): void {
    const f = inj.fault;
    const faults = this.bus.faults;
    const live = faults.hooks.filter((h) => !('remaining' in h) || h.remaining > 0);
    faults.hooks.length = 0;
    faults.hooks.push(...live);
    const frameId = (f as { readonly id?: number }).id;
    const match = frameId === undefined ? {} : { id: frameId };
    switch (f.kind) {
      case 'bus-corrupt':
        faults.flipBit({ bitIndex: inj.wireBit, scope: 'bus', match });
        this.busRecords.push({ id, errorFrames: this.bus.statistics().errorFrames });
        return;
      case 'bus-drop': faults.drop({ at: f.receiver, match }); return;
      case 'bus-delay': faults.delay({ delayMicros: f.delayMicros, match }); return;
      case 'bus-duplicate': faults.duplicate({ match }); return;
      case 'babble':
        faults.babble(BABBLE_NODE, classicFrame(0x000, new Uint8Array(8)));
        this.scheduler.schedule(t + f.durationMicros, 5, () => { faults.stopBabble(BABBLE_NODE); });
        return;
      default:
    }
  }

  private injectStop(channel: number, t: number, afterMicros: number | undefined, cold: boolean): void {
    const c = this.channels[channel];
    if (c === undefined) return;
    this.down[channel] = true;
    this.faulted[channel] = true;
    if (afterMicros === undefined) return;
    this.scheduler.schedule(t + afterMicros, 5, (now) => {
      if (cold) c.coldRestart(now);
      this.down[channel] = false;
      this.faulted[channel] = false;
    });
  }

  private injectSensor(s: number, mode: string, value: number | undefined, durationMicros: number | undefined, t: number): void {
    const imu = this.imus[s];
    if (imu === undefined) return;
    const v = value ?? 0;
    switch (mode) {
      case 'stuck': imu.injectFault({ kind: 'stuck' }, t); break;
      case 'bias': imu.injectFault({ kind: 'bias_jump', gyroRadPerS: [v, v, v], accelMPerS2: [0, 0, 0] }, t); break;
      case 'noise': imu.injectFault({ kind: 'noise_burst', factor: value ?? 20, durationMicros: durationMicros ?? 1e12 }, t); break;
      case 'dead': imu.injectFault({ kind: 'dead' }, t); break;
      default: imu.injectFault({ kind: 'ok' }, t);
    }
    if (durationMicros !== undefined) this.scheduler.schedule(t + durationMicros, 5, (now) => { imu.injectFault({ kind: 'ok' }, now); });
  }

  // ---- observation ------------------------------------------------------------------------

  private observe(t: number, status: number): void {
    if ((status & VOTER_ALARMS) !== 0) this.lastAlarmMicros = t;
    this.observeVoterEvents();
    this.observeChannels(t);
    if (this.memoryRecords.length + this.registerRecords.length + this.busRecords.length > 0) this.observeCorrections(t);
    this.checkSdc(t, status);
    this.ledger.tick(t);
  }

  private observeVoterEvents(): void {
    const ring = this.voterNode.voter.events;
    if (ring.totalCount === this.eventsSeen) return;
    const fresh = ring.list().slice(-(ring.totalCount - this.eventsSeen));
    this.eventsSeen = ring.totalCount;
    for (const e of fresh) {
      this.lastAlarmMicros = e.atMicros;
      if (e.kind === 'isolated') this.ledger.isolation(e.channel, e.atMicros, e.reason);
      if (e.kind === 'failsafe_entered') this.ledger.failSafe(e.atMicros);
    }
  }

  private observeChannels(t: number): void {
    for (let c = 0; c < this.channels.length; c++) {
      const ch = this.channels[c];
      if (ch === undefined) continue;
      const s = ch.lastConsolidationStatus;
      if ((s & SENSOR_ALARMS) !== 0) this.lastAlarmMicros = t;
      if (ch.selfFaults !== this.prevSelfFaults[c]) {
        this.prevSelfFaults[c] = ch.selfFaults;
        this.lastAlarmMicros = t;
        this.ledger.channelSelfFault(c, t);
      }
      const used = s & 0x7;
      const excluded = (this.prevUsedMask[c] ?? 0) & ~used;
      const failed = ch.failedSensorMask & ~(this.prevFailedMask[c] ?? 0);
      this.prevUsedMask[c] = used;
      this.prevFailedMask[c] = ch.failedSensorMask;
      for (let i = 0; i < 3; i++) {
        if ((failed & (1 << i)) !== 0) this.ledger.sensorExcluded(i, t, `monitor:${ch.name}`);
        else if ((excluded & (1 << i)) !== 0 && !this.down[c]) this.ledger.sensorExcluded(i, t, `stale:${ch.name}`);
      }
    }
  }

  private observeCorrections(t: number): void {
    for (let i = this.memoryRecords.length - 1; i >= 0; i--) {
      const r = this.memoryRecords[i];
      const c = r === undefined ? undefined : this.channels[r.channel];
      if (r === undefined || c === undefined) continue;
      if (!r.words.every((w) => c.memory.syndromeOf(w) === 0)) continue;
      if (this.correctionsOf(c) > r.corrections) this.ledger.observe(r.id, 'corrected', t, 'ecc');
      this.ledger.close(r.id);
      this.memoryRecords.splice(i, 1);
    }
    for (let i = this.registerRecords.length - 1; i >= 0; i--) {
      const r = this.registerRecords[i];
      const c = r === undefined ? undefined : this.channels[r.channel];
      if (r === undefined || c === undefined || c.registerFlipArmed) continue;
      if (c.registerRepairs > r.repairs || c.registers.statistics().maskedDisagreements > 0) this.ledger.observe(r.id, 'corrected', t, 'tmr');
      this.ledger.close(r.id);
      this.registerRecords.splice(i, 1);
    }
    const errorFrames = this.busRecords.length > 0 ? this.bus.statistics().errorFrames : 0;
    for (let i = this.busRecords.length - 1; i >= 0; i--) {
      const r = this.busRecords[i];
      if (r === undefined || errorFrames <= r.errorFrames) continue;
      this.ledger.observe(r.id, 'corrected', t, 'can-crc');
      this.busRecords.splice(i, 1);
    }
  }

  private checkSdc(t: number, status: number): void {
    setpointAt(this.schedule, t, this.setpoint);
    const error = attitudeErrorDeg(this.plant.state, STATE_QW, this.setpoint[0] ?? 0, this.setpoint[1] ?? 0, this.setpoint[2] ?? 0);
    let rate = 0;
    for (let i = 0; i < 3; i++) rate = Math.max(rate, Math.abs(this.plant.state[STATE_P + i] ?? 0));
    if (error > this.maxAttitudeErrorDeg) this.maxAttitudeErrorDeg = error;
    if (rate > this.maxBodyRateRadPerS) this.maxBodyRateRadPerS = rate;
    const outside = error > FLIGHT_ENVELOPE.attitudeErrorDegMax || rate > FLIGHT_ENVELOPE.bodyRateRadPerSMax;
    if (outside) this.envelopeExceededCycles++;
    if (outside && !this.inExcursion && t - this.lastAlarmMicros > ALARM_LOOKBACK_MICROS) this.ledger.sdc(t, 'envelope');
    this.inExcursion = outside;
    if ((status & VOTER_ALARMS) === 0 && this.commandOutsideHealthy()) this.ledger.sdc(t, 'command');
  }

  /** The voted command lies outside [min, max] ± tolerance of the fault-free, voting channels' commands. */
  private commandOutsideHealthy(): boolean {
    const out = this.voterNode.outputDeg;
    for (let a = 0; a < out.length; a++) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < this.channels.length; c++) {
        const ch = this.channels[c];
        if (ch === undefined || this.down[c] || this.faulted[c] || ch.lastSelfFault !== 'none' || this.voterNode.voter.channelHealth(c) !== 'active') continue;
        const v = ch.commandDeg[a] ?? 0;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo <= hi && ((out[a] ?? 0) < lo - SDC_TOLERANCE_DEG || (out[a] ?? 0) > hi + SDC_TOLERANCE_DEG)) return true;
    }
    return false;
  }

  // ---- console (src/hil/flight-control.ts) ---------------------------------------------------

  /** Injects one fault now, between cycles, by the same path (and fault ledger) as a profile event. */
  injectNow(fault: FaultSpec, wireBit = 1): void {
    const t = this.clock.nowMicros();
    this.bus.runUntil(t);
    this.inject({ atMicros: t, fault, source: 'event', stage: 0, wireBit }, t);
  }

  /** A board drives channel `channel` (src/hil/board-bridge.ts): its emulated twin stays down for good. */
  setExternal(channel: number): void {
    this.down[channel] = true;
  }

  /** Whether a kill or hang holds channel `channel` down. */
  isDown(channel: number): boolean {
    return this.down[channel] ?? false;
  }

  /** Ends a console kill (cold restart) or hang (resumes with its state): the channel runs again. */
  revive(channel: number, cold: boolean): void {
    const c = this.channels[channel];
    if (c === undefined || this.down[channel] !== true) return;
    if (cold) c.coldRestart(this.clock.nowMicros());
    this.down[channel] = false;
    this.faulted[channel] = false;
  }

  // ---- result -----------------------------------------------------------------------------

  private agreementReport(p2p: P2pWiring): AgreementReport {
    const b = this.byzantine;
    return {
      links: 'p2p', algorithm: p2p.algorithm, channelCount: this.channels.length, exchanges: p2p.exchanges,
      firstViolationS: p2p.firstViolationMicros < 0 ? null : round6(p2p.firstViolationMicros / 1e6),
      byzantine: b === undefined ? null : { channel: CHANNEL_IDS_MAX[b.channel] ?? '?', atS: round6(b.atMicros / 1e6) },
      rejected: { ...p2p.exchange.rejected },
    };
  }

  result(): FlightResult {
    this.ledger.finishAll();
    const names = this.channels.map((c) => c.name);
    const events = this.voterNode.voter.events.list();
    const counts = this.ledger.counts();
    const stats = this.bus.statistics();
    return {
      seed: this.cfg.seed,
      cycles: this.cyclesRun,
      simSeconds: round6((this.cyclesRun * this.periodMicros) / 1e6),
      rateHz: this.cfg.rateHz,
      profile: this.cfg.profile.name,
      rig: this.cfg.rig.name,
      faults: { injected: this.ledger.records.length, ...counts, sdc: counts.sdc + this.ledger.unattributedSdc },
      maxAttitudeErrorDeg: round3(this.maxAttitudeErrorDeg),
      maxBodyRateRadPerS: round3(this.maxBodyRateRadPerS),
      envelope: { ...FLIGHT_ENVELOPE, exceededCycles: this.envelopeExceededCycles },
      isolations: events.filter((e) => e.kind === 'isolated').map((e) => ({ channel: names[e.channel] ?? '?', atS: round6(e.atMicros / 1e6), reason: e.reason, detectionLatencyMs: round3(e.detectionLatencyMicros / 1000) })),
      reintegrations: events.filter((e) => e.kind === 'reintegrated').map((e) => ({ channel: names[e.channel] ?? '?', atS: round6(e.atMicros / 1e6) })),
      failSafe: events.filter((e) => e.kind === 'failsafe_entered' || e.kind === 'failsafe_exited' || e.kind === 'failed').map((e) => ({ kind: e.kind, atS: round6(e.atMicros / 1e6), reason: e.reason })),
      deadlineMisses: this.deadlineMisses,
      agreementViolations: this.p2p?.agreementViolations ?? 0,
      falseIsolations: this.ledger.healthyIsolations.length + (this.p2p?.proofFalseIsolations ?? 0),
      ...(this.p2p === undefined ? {} : { agreement: this.agreementReport(this.p2p) }),
      healthyIsolations: this.ledger.healthyIsolations.map((h) => ({ channel: names[h.channel] ?? '?', atS: round6(h.atMicros / 1e6), reason: h.reason })),
      unattributed: { sdc: this.ledger.unattributedSdc, failSafe: this.ledger.unattributedFailSafe },
      channels: Object.fromEntries(this.channels.map((c, i) => [c.name, {
        health: this.voterNode.voter.channelHealth(i), cycles: c.cycles, selfFaults: c.selfFaults, scrubCorrected: c.scrubCorrected,
        scrubUncorrectable: c.scrubUncorrectable, scrubPasses: c.scrubPasses, readCorrected: c.memory.statistics().readCorrected,
        registerRepairs: c.registerRepairs, e2eErrors: c.e2eErrors, e2eRepeated: c.e2eRepeated, e2eWrongSequence: c.e2eWrongSequence,
        framesLost: c.framesLost, clockCorrectionMicros: round3(c.clock.correctionMicros), framesDropped: this.outboxes[i]?.dropped ?? 0,
      }])),
      voter: { mode: this.voterNode.voter.mode, e2eRejected: this.voterNode.e2eRejected, clockFaultMask: this.voterNode.clockFaultMask },
      bus: { frames: stats.frames, errorFrames: stats.errorFrames, loadPercent: round3(stats.loadPercent), dropped: this.imuOutbox.reduce((s, o) => s + o.dropped, 0) },
      faultList: this.ledger.records.map((r) => ({
        id: r.id, kind: r.kind, target: r.channel >= 0 ? (names[r.channel] ?? '?') : r.sensor >= 0 ? `S${r.sensor + 1}` : 'bus',
        atS: round6(r.atMicros / 1e6), source: this.injections[r.id]?.source ?? 'event', fate: r.fate ?? 'masked', detectedBy: r.detectedBy,
        detectionLatencyMs: r.detectionLatencyMicros === undefined ? null : round3(r.detectionLatencyMicros / 1000),
      })),
    };
  }
}

/**
 * The medium a flight on `rig` runs on: 'can-fd' (every Triplex frame a 20-byte P4 frame with
 * BRS, docs/WIRE.md) when the bus has a data-phase bit rate and the schedule's frames are FD;
 * 'can' (classic, P11/P22) when none is. A schedule that mixes both is not a flight rig.
 */
export function flightMedium(rig: Rig): CanMedium {
  const fd = rig.frames.filter((f) => f.fd).length;
  if (fd === 0 || rig.bus.dataBitRateBps === undefined) return 'can';
  if (fd !== rig.frames.length) throw new FlightConfigError(`rig '${rig.name}' mixes classic and FD frames; a flight runs every frame on one medium`);
  return 'can-fd';
}

/** A flight configuration the rig cannot run (e.g. a profile naming channel D on a 3-channel rig). */
export class FlightConfigError extends Error {
  override readonly name = 'FlightConfigError';
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
