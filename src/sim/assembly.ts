/**
 * Assembles the emulated rig of a flight from its configuration: the plant and its IMUs, the
 * emulated CAN bus, channels A B C (D), the voter node, the IMU senders, the p2p wiring when
 * asked, and the expanded fault plan. Nodes attach to the bus in a fixed order (channels, voter,
 * IMUs, the babbling idiot, the log), and every random draw comes from the PRNG stream named in
 * src/core/sim/streams.ts, so the same configuration always builds the same rig.
 */
import { EmulatedCanBus } from './emulated-can.js';
import { FlightConfigError, flightMedium, sensorThresholds, type FlightConfig } from './config.js';
import type { ChannelFaultState } from './fault-state.js';
import { BABBLE_NODE } from './injector.js';
import { NodeOutbox, PayloadFaults, SensorFrameSender } from './outbox.js';
import type { CommandForger } from './forger.js';
import { ActuatorPath } from '../core/channel/actuator-path.js';
import { algorithmOf, byzantineFaultOf, isCommandFrame, P2pWiring, type ByzantineFault, type Links } from './p2p-wiring.js';
import { flightSchedule, scheduleMismatches } from './schedule.js';
import { flightTiming, type FlightTiming } from './timing.js';
import { assert } from '../core/assert.js';
import { ChannelRuntime, CONTROL_MEMORY_GEOMETRY, type ChannelOutbox } from '../core/channel/channel.js';
import type { CanMedium } from '../core/channel/medium.js';
import { VoterNode } from '../core/channel/voter-node.js';
import { defaultGains } from '../core/control/gains.js';
import { SCHEDULES, type SetpointSchedule } from '../core/control/setpoint.js';
import { REGISTER_NAMES } from '../core/control/state.js';
import { expandProfile, type Injection } from '../core/fault/plan.js';
import { canIdOf, CHANNEL_IDS_MAX, IMU_NUMBERS, IMU_NUMBERS_MAX } from '../core/frame/ids.js';
import { MemoryImage } from '../core/memory/memory-image.js';
import { createImus, DEFAULT_IMU, Imu } from '../core/plant/imu.js';
import { Plant } from '../core/plant/plant.js';
import { aerosondeVehicle } from '../core/plant/vehicle.js';
import type { SimClock } from '../core/sim/clock.js';
import { Prng } from '../core/sim/prng.js';
import { BUS_STREAM, CHANNEL_CLOCK_STREAM, IMU_STREAM_BASE, INJECTION_STREAM, PLANT_GUST_STREAM } from '../core/sim/streams.js';
import type { StateTransferFailure } from '../core/vote/voter.js';

/** Transmit queue of every node on the emulated bus (frames). */
export const TX_QUEUE_FRAMES_MAX = 16;
/** Scrubber budget of an emulated channel (words per cycle) unless the configuration sets one. */
export const SCRUB_WORDS_PER_CYCLE = 4;
/** Initial oscillator offset (±µs) and drift (±ppm) of an emulated channel, drawn per channel. */
const CLOCK_OFFSET_MICROS_MAX = 40;
const CLOCK_DRIFT_PPM_MAX = 30;

export interface FlightParts {
  readonly timing: FlightTiming;
  readonly medium: CanMedium;
  readonly links: Links;
  readonly schedule: SetpointSchedule;
  readonly plant: Plant;
  readonly imus: readonly Imu[];
  readonly bus: EmulatedCanBus;
  readonly channels: readonly ChannelRuntime[];
  readonly channelOutboxes: readonly NodeOutbox[];
  readonly sensors: SensorFrameSender;
  readonly voterNode: VoterNode;
  readonly p2p: P2pWiring | undefined;
  readonly injections: readonly Injection[];
  readonly byzantine: ByzantineFault | undefined;
  /** Transmit-buffer corruption past the CAN CRC (every node's outbox checks it). */
  readonly payloadFaults: PayloadFaults;
  /** Per victim channel, the forger sending under its command ID (can-masquerade), if any. */
  readonly forgers: (CommandForger | undefined)[];
  /** The surfaces downstream of the force voter, and their monitor. */
  readonly actuators: ActuatorPath;
}

/** What the assembled nodes call back into the flight for. */
export interface AssemblyHooks {
  /** The voter asks for a state transfer into channel `c` (true when it succeeded, else false or why not). */
  readonly transferState: (c: number) => boolean | StateTransferFailure;
}

function buildImus(count: number, root: Prng, gravityMPerS2: number): Imu[] {
  const imus = createImus(DEFAULT_IMU, IMU_NUMBERS.map((_, i) => root.fork(IMU_STREAM_BASE + i)), gravityMPerS2);
  for (let i = imus.length; i < count; i++) imus.push(new Imu(DEFAULT_IMU, root.fork(IMU_STREAM_BASE + i), gravityMPerS2));
  return imus;
}

/** The medium's FD options for the channels and the voter ({} on classic CAN). */
function fdOptions(cfg: FlightConfig, medium: CanMedium): { medium?: CanMedium; dataBitRateBps?: number } {
  return medium === 'can-fd' && cfg.rig.bus.dataBitRateBps !== undefined ? { medium, dataBitRateBps: cfg.rig.bus.dataBitRateBps } : {};
}

function expandFaults(cfg: FlightConfig, timing: FlightTiming, channelCount: number, sensorCount: number, voterLanes: number, root: Prng): Injection[] {
  const image = new MemoryImage(CONTROL_MEMORY_GEOMETRY);
  const expanded = expandProfile(cfg.profile, {
    channelCount, sensorCount, voterLanes, memoryWordCount: image.wordCount, memoryCodeBits: image.code.codeBits,
    memoryPhysicalBits: image.physicalBitCount, registerNames: REGISTER_NAMES, durationMicros: timing.cycleCount * timing.periodMicros,
  }, root.fork(INJECTION_STREAM));
  if (!expanded.ok) throw new FlightConfigError(`${expanded.error.path}: ${expanded.error.message}`);
  return expanded.value;
}

/**
 * A flight at the rig's own rate with the rig's channels and sensors must send exactly the
 * schedule the rig file lists (the one `triplex bus-load` certifies). Other configurations
 * (another --rate-hz, four channels) are not described by the rig's schedule at all.
 */
function checkRigSchedule(cfg: FlightConfig, timing: FlightTiming, medium: CanMedium, channelCount: number, sensorCount: number): void {
  const rig = cfg.rig;
  if (cfg.rateHz !== rig.rateHz || channelCount !== rig.channels.length || sensorCount !== rig.sensors) return;
  const problems = scheduleMismatches(rig, flightSchedule(timing, medium, channelCount, sensorCount));
  if (problems.length > 0) throw new FlightConfigError(`rig '${rig.name}': its frame schedule is not what the flight sends: ${problems[0] ?? ''}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
}

/** Builds every part of the flight; throws FlightConfigError for a configuration the rig cannot fly. */
export function assembleFlight(cfg: FlightConfig, clock: SimClock, faults: ChannelFaultState, hooks: AssemblyHooks): FlightParts {
  const schedule = cfg.schedule ?? SCHEDULES.standard ?? { name: 'hold', periodS: 0, segments: [] };
  const root = new Prng(cfg.seed);
  const vehicle = aerosondeVehicle();
  const plant = new Plant(vehicle, root.fork(PLANT_GUST_STREAM));
  const links = cfg.links ?? 'can';
  const algorithm = algorithmOf(links, cfg.exchange ?? 'plain', cfg.channelCount ?? 3);
  if (!algorithm.ok) throw new FlightConfigError(algorithm.error);
  if (algorithm.value === 'sm1' && cfg.keyring === undefined) throw new FlightConfigError('the signed exchange needs the channels\' keys (FlightConfig.keyring)');
  const imuNumbers = cfg.channelCount === 4 ? IMU_NUMBERS_MAX : IMU_NUMBERS;
  const imus = buildImus(imuNumbers.length, root, vehicle.gravityMPerS2);
  const medium = flightMedium(cfg.rig);
  if (medium === 'can-fd' && links !== 'can') throw new FlightConfigError(`rig '${cfg.rig.name}' is CAN FD; p2p links run on a classic CAN rig`);
  const fd = fdOptions(cfg, medium);
  const bus = new EmulatedCanBus({ clock, bitRateBps: cfg.rig.bus.bitRateBps, ...(fd.dataBitRateBps === undefined ? {} : { dataBitRateBps: fd.dataBitRateBps }), stuffing: cfg.rig.bus.stuffing, prng: root.fork(BUS_STREAM), txQueueFramesMax: TX_QUEUE_FRAMES_MAX });
  const n = cfg.channelCount ?? Math.min(3, cfg.rig.channels.length);
  const timing = flightTiming(cfg.rateHz, cfg.durationS, medium, n);
  checkRigSchedule(cfg, timing, medium, n, imus.length);
  const clocks = root.fork(CHANNEL_CLOCK_STREAM);
  const gains = defaultGains(vehicle);
  // The channels' command sinks tell the p2p wiring, which is built after them.
  const wiring: { p2p: P2pWiring | undefined } = { p2p: undefined };
  const channels: ChannelRuntime[] = [];
  const channelOutboxes: NodeOutbox[] = [];
  const payloadFaults = new PayloadFaults();
  const forgers: (CommandForger | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    const name = CHANNEL_IDS_MAX[i] ?? 'A';
    const node = bus.attach(name);
    const outbox = new NodeOutbox(node, (['command', 'channel-status', 'clock-sync'] as const).map((k) => canIdOf(k, name)), medium, payloadFaults);
    channelOutboxes.push(outbox);
    const commandId = canIdOf('command', name);
    const canSink: ChannelOutbox = {
      send: (id: number, data: Uint8Array): void => {
        outbox.send(id, data);
        const forger = forgers[i];
        if (forger === undefined || id !== commandId) return;
        if (forger.active(clock.nowMicros())) forger.victimSent(data);
        else forgers[i] = undefined;
      },
    };
    const sink: ChannelOutbox = links === 'can' ? canSink : { send: (id: number, data: Uint8Array): void => { if (id === commandId) wiring.p2p?.noteCommand(i, clock.nowMicros()); outbox.send(id, data); } };
    const channel = new ChannelRuntime({
      index: i, channelCount: n, periodMicros: timing.periodMicros, gains, schedule,
      clockOffsetMicros: clocks.nextRange(-CLOCK_OFFSET_MICROS_MAX, CLOCK_OFFSET_MICROS_MAX), clockDriftPpm: clocks.nextRange(-CLOCK_DRIFT_PPM_MAX, CLOCK_DRIFT_PPM_MAX),
      clockSync: timing.clockSync, syncEveryCycles: timing.syncEveryCycles, scrubWordsPerCycle: cfg.scrubWordsPerCycle ?? SCRUB_WORDS_PER_CYCLE,
      statusEveryCycles: timing.statusEveryCycles, bitRateBps: cfg.rig.bus.bitRateBps, ...fd, sensorThresholds: sensorThresholds(), ...(n === 4 ? { sensorCount: 4 } : {}),
      ...(cfg.goldenGuard === false ? { goldenBlocksPerCycle: 0 } : {}),
    }, sink);
    channels.push(channel);
    node.subscribe((frame, ts) => { if (!faults.isDown(i) && (links === 'can' || P2pWiring.channelHears(i, frame.id))) channel.receive(frame.id, frame.data, ts); });
  }
  const voterNode = new VoterNode({
    channelCount: n, actuatorLimitDeg: vehicle.actuator.positionLimitDeg, clockSync: timing.clockSync, syncEveryCycles: timing.syncEveryCycles,
    periodMicros: timing.periodMicros, bitRateBps: cfg.rig.bus.bitRateBps, ...fd, lanes: cfg.voterLanes ?? 3,
    ...(cfg.eagerVoterLanes === true ? { eagerLanes: true } : {}),
  }, { requestStateTransfer: hooks.transferState });
  const actuators = new ActuatorPath(vehicle.actuator.positionLimitDeg);
  bus.attach('V').subscribe((frame, ts) => { if (links === 'can' || !isCommandFrame(frame.id)) voterNode.receive(frame.id, frame.data, ts); });
  const sensors = new SensorFrameSender(medium, payloadFaults);
  // One sender per IMU model, each under its own IDs (IMU 4 of the four-channel rig: 0x124/0x134).
  for (const num of imuNumbers) sensors.addImu(num, bus.attach(`S${num}`));
  assert(sensors.imuCount === imus.length, `assembly: ${imus.length} IMU models but ${sensors.imuCount} IMU senders`);
  bus.attach(BABBLE_NODE);
  const frameLog = cfg.frameLog;
  if (frameLog !== undefined) bus.attach('log').subscribe((frame, ts) => { frameLog(frame, ts); });
  const injections = expandFaults(cfg, timing, n, imus.length, cfg.voterLanes ?? 3, root);
  const byzantine = byzantineFaultOf(injections, timing.periodMicros);
  if (typeof byzantine === 'string') throw new FlightConfigError(byzantine);
  const p2p = links === 'can' ? undefined : new P2pWiring({
    seed: cfg.seed, exchange: cfg.exchange ?? 'plain', keyring: cfg.keyring, channels, voter: voterNode, periodMicros: timing.periodMicros,
    byzantine, isDown: (c) => faults.isDown(c), isFaulty: (c) => faults.isFaulted(c),
  });
  wiring.p2p = p2p;
  return { timing, medium, links, schedule, plant, imus, bus, channels, channelOutboxes, sensors, voterNode, p2p, injections, byzantine, payloadFaults, forgers, actuators };
}
