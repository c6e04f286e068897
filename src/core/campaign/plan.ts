/**
 * The fault space of a campaign and its deterministic plan.
 *
 * A fault is a (location, time slot) pair. Locations are enumerated per target (memory bits,
 * register bits, bus frame faults, sensor faults, channel faults, clock faults); time slots
 * are the control cycles of the injection window [INJECTION_WINDOW_FROM, INJECTION_WINDOW_UNTIL)
 * of the flight. The fault space size N = locations × slots is what Leveugle's formula sizes.
 *
 * Row i of a campaign is a pure function of (campaign seed, i, config): its flight seed comes
 * from hashing the campaign seed with i, its target from a fixed interleave of the per-target
 * counts, and its fault from a PRNG stream of its own seed. So shards, resumed runs and
 * replays agree on every row without sharing any state (docs/CAMPAIGNS.md).
 */
import { assert } from '../assert.js';
import {
  ACTUATORS, COMPUTE_VALUE_NAMES, VOTER_LANES_MAX, VOTER_UPSET_FIELDS, voterFieldSize,
  type ChannelName, type FaultSpec, type SensorMode, type TimedFault,
} from '../fault/profile.js';
import { CONTROL_READ_ONLY_BYTES } from '../control/state.js';
import { mix64, Prng } from '../sim/prng.js';
import { leveugleSampleSize } from './sampling.js';

/**
 * Campaign targets (docs/FAULTS.md, "Fault sites" and its coverage table). The first six are
 * the first wave's: stored words the ECC and TMR correct by construction, bus frames, sensors,
 * whole channels and clocks. The rest are the sites where one event can really reach a surface:
 * computation and control flow, upsets beyond the code's guarantee (3+ bits in a word, stuck
 * cells, the scrubber's and the decoder's own state, the golden copy), the voter lanes and the
 * actuators, bus corruption the CAN CRC misses, voter-only drops and a forged sender, and sensor
 * drift and scale faults.
 */
export const TARGETS = [
  'memory', 'registers', 'bus', 'sensor', 'channel', 'clock',
  'compute', 'control-flow', 'memory-mbu', 'stuck', 'ecc-logic', 'golden', 'voter', 'actuator', 'bus-e2e', 'sensor-shape',
] as const;
export type Target = (typeof TARGETS)[number];

/**
 * Campaign classes (`--class`): `single` one fault per row; `double` a second, independent fault
 * (drawn from the campaign's targets like any row's) within DOUBLE_WINDOW_MICROS after the first;
 * `common-mode` the row's fault in every replica at once (every channel, every voter lane, every
 * sensor, the frame of every sender of that kind), which no replication masks.
 */
export const FAULT_CLASSES = ['single', 'double', 'common-mode'] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];
export function isFaultClass(text: string): text is FaultClass {
  return (FAULT_CLASSES as readonly string[]).includes(text);
}
/** A double fault's second fault lands within this long after the first (µs): one fault window. */
export const DOUBLE_WINDOW_MICROS = 1_000_000;

export function isTarget(text: string): text is Target {
  return (TARGETS as readonly string[]).includes(text);
}

/** Most injections one campaign plans (the target interleave is one byte per row). */
export const CAMPAIGN_INJECTIONS_MAX = 10_000_000;
/** Faults are injected in this fraction of the flight, so that every one has time to show. */
export const INJECTION_WINDOW_FROM = 0.1;
export const INJECTION_WINDOW_UNTIL = 0.6;
/** PRNG stream (fork key) of a row's fault draws; the flight uses its seed for everything else. */
const FAULT_STREAM = 0x46a17;
const ROW_SEED_SALT = 0x7c3a_91d5_2f60_e14bn;
/** Row seeds are 48-bit: safe integers that read well in a results file. */
const ROW_SEED_MASK = (1n << 48n) - 1n;

/** Dimensions of the flight's images, which size the memory and register fault spaces. */
export interface FaultSpaceShape {
  readonly channels: readonly ChannelName[];
  readonly memoryWords: number;
  readonly memoryCodeBits: number;
  readonly registerNames: readonly string[];
  readonly registerBits: number;
  /** CAN identifiers of the frames on the bus. */
  readonly busIds: readonly number[];
  readonly sensors: readonly number[];
}

const SENSOR_VARIANTS: readonly { readonly mode: SensorMode; readonly value?: number }[] = [
  { mode: 'stuck' }, { mode: 'dead' }, { mode: 'noise', value: 0.1 },
  { mode: 'bias', value: 0.02 }, { mode: 'bias', value: -0.02 }, { mode: 'bias', value: 0.2 }, { mode: 'bias', value: -0.2 },
];
type ChannelVariant = (channel: ChannelName) => FaultSpec;
const CHANNEL_VARIANTS: readonly ChannelVariant[] = [
  (channel) => ({ kind: 'channel-crash', channel }),
  (channel) => ({ kind: 'channel-crash', channel, restartAfterMicros: 1_000_000 }),
  (channel) => ({ kind: 'channel-hang', channel, durationMicros: 200_000 }),
  (channel) => ({ kind: 'wrong-command', channel, offsetDeg: 2, durationMicros: 1_000_000 }),
  (channel) => ({ kind: 'wrong-command', channel, offsetDeg: -2, durationMicros: 1_000_000 }),
  (channel) => ({ kind: 'wrong-command', channel, offsetDeg: 10, durationMicros: 1_000_000 }),
  (channel) => ({ kind: 'wrong-command', channel, offsetDeg: -10, durationMicros: 1_000_000 }),
];
const CLOCK_VARIANTS: readonly ChannelVariant[] = [
  (channel) => ({ kind: 'clock-drift', channel, ppm: 100 }),
  (channel) => ({ kind: 'clock-drift', channel, ppm: -100 }),
  (channel) => ({ kind: 'clock-drift', channel, ppm: 1000 }),
  (channel) => ({ kind: 'clock-drift', channel, ppm: -1000 }),
  (channel) => ({ kind: 'clock-jump', channel, jumpMicros: 1000 }),
  (channel) => ({ kind: 'clock-jump', channel, jumpMicros: -1000 }),
  (channel) => ({ kind: 'clock-jump', channel, jumpMicros: 10_000 }),
  (channel) => ({ kind: 'clock-jump', channel, jumpMicros: -10_000 }),
];
/** Bus faults per frame identifier: corrupt, drop at each receiver, delay 20 ms, duplicate. */
const BUS_DELAY_MICROS = 20_000;

// ---- the sites of issue 14 ---------------------------------------------------------------

/** Stages after which a computation error lands (the law's four stages). */
const LAW_STAGES = 4;
const CONTROL_FLOW_VARIANTS: readonly ((channel: ChannelName) => FaultSpec)[] = [
  ...[0, 1, 2, 3].map((stage) => (channel: ChannelName): FaultSpec => ({ kind: 'control-flow', channel, mode: 'skip', stage })),
  ...[0, 1, 2, 3].map((stage) => (channel: ChannelName): FaultSpec => ({ kind: 'control-flow', channel, mode: 'repeat', stage })),
  ...[0, 1, 2].map((stage) => (channel: ChannelName): FaultSpec => ({ kind: 'control-flow', channel, mode: 'jump', stage })),
  (channel) => ({ kind: 'control-flow', channel, mode: 'stale' }),
  (channel) => ({ kind: 'control-flow', channel, mode: 'wrong-branch' }),
];
/** Sizes of a beyond-ECC upset in one code word. */
const WORD_MBU_SIZES = [3, 4, 5, 6, 7, 8] as const;
/** Scrubber cursor bits (the image has < 128 words: higher bits wrap the same way) and decoder data bits. */
const SCRUBBER_BITS = 7;
const DECODER_BITS = 32;
/** Actuator faults: jam (for good, or 0.5 s), hard-over to either stop, runaway at ±20°/s. */
const ACTUATOR_VARIANTS: readonly ((actuator: number) => FaultSpec)[] = [
  (actuator) => ({ kind: 'actuator', actuator, mode: 'jam' }),
  (actuator) => ({ kind: 'actuator', actuator, mode: 'jam', durationMicros: 500_000 }),
  (actuator) => ({ kind: 'actuator', actuator, mode: 'hard-over', value: 1 }),
  (actuator) => ({ kind: 'actuator', actuator, mode: 'hard-over', value: -1 }),
  (actuator) => ({ kind: 'actuator', actuator, mode: 'hard-over', value: 1, durationMicros: 200_000 }),
  (actuator) => ({ kind: 'actuator', actuator, mode: 'runaway', value: 20 }),
  (actuator) => ({ kind: 'actuator', actuator, mode: 'runaway', value: -20 }),
];
const SENSOR_SHAPE_VARIANTS: readonly { readonly mode: SensorMode; readonly value: number }[] = [
  { mode: 'drift', value: 0.01 }, { mode: 'drift', value: -0.01 }, { mode: 'drift', value: 0.1 }, { mode: 'drift', value: -0.1 },
  { mode: 'scale', value: 1.1 }, { mode: 'scale', value: 0.8 }, { mode: 'scale', value: -1 },
];
/** bus-e2e variants per frame identifier: one payload bit, four payload bits (both past the CAN CRC), a drop at the voter. */
const BUS_E2E_ID_VARIANTS = 3;
/** A forged sender on CAN: offset of the forged commands (deg) and how long it lasts. */
const MASQUERADE_OFFSETS_DEG = [5, -5] as const;
const MASQUERADE_MICROS = 1_000_000;

function voterLaneLocations(channels: number): number {
  return VOTER_UPSET_FIELDS.reduce((sum, f) => { const z = voterFieldSize(f, channels); return sum + z.length * z.bits; }, 0);
}

/** The voter target: every bit of every lane's state, then every bit of every lane's command code to each actuator. */
function voterFault(index: number, channels: number): FaultSpec {
  const perLane = voterLaneLocations(channels);
  const upsets = VOTER_LANES_MAX * perLane;
  if (index >= upsets) {
    const rest = index - upsets;
    const bit = rest % 16;
    const actuator = Math.floor(rest / 16) % ACTUATORS;
    return { kind: 'command-flip', lane: Math.floor(rest / (16 * ACTUATORS)), actuator, bit };
  }
  const lane = Math.floor(index / perLane);
  let within = index % perLane;
  for (const field of VOTER_UPSET_FIELDS) {
    const z = voterFieldSize(field, channels);
    if (within < z.length * z.bits) return { kind: 'voter-upset', lane, field, index: Math.floor(within / z.bits), bit: within % z.bits };
    within -= z.length * z.bits;
  }
  assert(false, 'voter location out of range');
}

/** Number of distinct fault locations of a target. */
export function locationCount(target: Target, shape: FaultSpaceShape): number {
  const channels = shape.channels.length;
  switch (target) {
    case 'memory': return channels * shape.memoryWords * shape.memoryCodeBits;
    case 'registers': return channels * shape.registerNames.length * 3 * shape.registerBits;
    case 'bus': return shape.busIds.length * (3 + channels);
    case 'sensor': return shape.sensors.length * SENSOR_VARIANTS.length;
    case 'channel': return channels * CHANNEL_VARIANTS.length;
    case 'clock': return channels * CLOCK_VARIANTS.length;
    case 'compute': return channels * COMPUTE_VALUE_NAMES.length * 32 * LAW_STAGES;
    case 'control-flow': return channels * CONTROL_FLOW_VARIANTS.length;
    case 'memory-mbu': return channels * shape.memoryWords * shape.memoryCodeBits * WORD_MBU_SIZES.length;
    case 'stuck': return channels * shape.memoryWords * shape.memoryCodeBits * 2;
    case 'ecc-logic': return channels * (SCRUBBER_BITS + DECODER_BITS);
    case 'golden': return channels * CONTROL_READ_ONLY_BYTES * 8;
    case 'voter': return VOTER_LANES_MAX * (voterLaneLocations(channels) + ACTUATORS * 16);
    case 'actuator': return ACTUATORS * ACTUATOR_VARIANTS.length;
    case 'bus-e2e': return shape.busIds.length * BUS_E2E_ID_VARIANTS + channels * (channels - 1) * MASQUERADE_OFFSETS_DEG.length;
    case 'sensor-shape': return shape.sensors.length * SENSOR_SHAPE_VARIANTS.length;
  }
}

function pick<T>(items: readonly T[], index: number): T {
  const item = items[index];
  assert(item !== undefined, `index ${index} out of range (${items.length})`);
  return item;
}

/** The fault at location `index` (0 ≤ index < locationCount) of a target. */
export function faultAtLocation(target: Target, shape: FaultSpaceShape, index: number): FaultSpec {
  assert(Number.isInteger(index) && index >= 0 && index < locationCount(target, shape), `location ${index} out of range for ${target}`);
  const channels = shape.channels.length;
  switch (target) {
    case 'memory': {
      const bit = index % shape.memoryCodeBits;
      const rest = Math.floor(index / shape.memoryCodeBits);
      return { kind: 'memory-flip', channel: pick(shape.channels, rest % channels), word: Math.floor(rest / channels), bit };
    }
    case 'registers': {
      const bit = index % shape.registerBits;
      const rest = Math.floor(index / shape.registerBits);
      const copy = rest % 3;
      const rest2 = Math.floor(rest / 3);
      const register = pick(shape.registerNames, rest2 % shape.registerNames.length);
      return { kind: 'register-flip', channel: pick(shape.channels, Math.floor(rest2 / shape.registerNames.length)), register, copy, bit };
    }
    case 'bus': {
      const id = pick(shape.busIds, index % shape.busIds.length);
      const variant = Math.floor(index / shape.busIds.length);
      if (variant === 0) return { kind: 'bus-corrupt', id };
      if (variant === 1) return { kind: 'bus-delay', id, delayMicros: BUS_DELAY_MICROS };
      if (variant === 2) return { kind: 'bus-duplicate', id };
      return { kind: 'bus-drop', id, receiver: pick(shape.channels, variant - 3) };
    }
    case 'sensor': {
      const variant = pick(SENSOR_VARIANTS, index % SENSOR_VARIANTS.length);
      const sensor = pick(shape.sensors, Math.floor(index / SENSOR_VARIANTS.length));
      return variant.value === undefined ? { kind: 'sensor', sensor, mode: variant.mode } : { kind: 'sensor', sensor, mode: variant.mode, value: variant.value };
    }
    case 'channel':
      return pick(CHANNEL_VARIANTS, index % CHANNEL_VARIANTS.length)(pick(shape.channels, Math.floor(index / CHANNEL_VARIANTS.length)));
    case 'clock':
      return pick(CLOCK_VARIANTS, index % CLOCK_VARIANTS.length)(pick(shape.channels, Math.floor(index / CLOCK_VARIANTS.length)));
    case 'compute': {
      const stage = index % LAW_STAGES;
      const bit = Math.floor(index / LAW_STAGES) % 32;
      const rest = Math.floor(index / (LAW_STAGES * 32));
      const value = pick(COMPUTE_VALUE_NAMES, rest % COMPUTE_VALUE_NAMES.length);
      return { kind: 'compute-flip', channel: pick(shape.channels, Math.floor(rest / COMPUTE_VALUE_NAMES.length)), value, bit, stage };
    }
    case 'control-flow':
      return pick(CONTROL_FLOW_VARIANTS, index % CONTROL_FLOW_VARIANTS.length)(pick(shape.channels, Math.floor(index / CONTROL_FLOW_VARIANTS.length)));
    case 'memory-mbu': {
      const bits = pick(WORD_MBU_SIZES, index % WORD_MBU_SIZES.length);
      const rest = Math.floor(index / WORD_MBU_SIZES.length);
      const bit = rest % shape.memoryCodeBits;
      const rest2 = Math.floor(rest / shape.memoryCodeBits);
      return { kind: 'word-mbu', channel: pick(shape.channels, rest2 % channels), word: Math.floor(rest2 / channels), bits, bit };
    }
    case 'stuck': {
      const value = index % 2;
      const rest = Math.floor(index / 2);
      const bit = rest % shape.memoryCodeBits;
      const rest2 = Math.floor(rest / shape.memoryCodeBits);
      return { kind: 'stuck-bit', channel: pick(shape.channels, rest2 % channels), word: Math.floor(rest2 / channels), bit, value };
    }
    case 'ecc-logic': {
      const within = index % (SCRUBBER_BITS + DECODER_BITS);
      const channel = pick(shape.channels, Math.floor(index / (SCRUBBER_BITS + DECODER_BITS)));
      return within < SCRUBBER_BITS ? { kind: 'scrubber-upset', channel, bit: within } : { kind: 'decoder-upset', channel, bit: within - SCRUBBER_BITS };
    }
    case 'golden': {
      const bit = index % 8;
      const byte = Math.floor(index / 8) % CONTROL_READ_ONLY_BYTES;
      return { kind: 'golden-flip', channel: pick(shape.channels, Math.floor(index / (8 * CONTROL_READ_ONLY_BYTES))), byte, bit };
    }
    case 'voter': return voterFault(index, channels);
    case 'actuator':
      return pick(ACTUATOR_VARIANTS, index % ACTUATOR_VARIANTS.length)(Math.floor(index / ACTUATOR_VARIANTS.length));
    case 'bus-e2e': {
      const perId = shape.busIds.length * BUS_E2E_ID_VARIANTS;
      if (index < perId) {
        const id = pick(shape.busIds, index % shape.busIds.length);
        const variant = Math.floor(index / shape.busIds.length);
        if (variant === 0) return { kind: 'payload-corrupt', id, bits: 1 };
        if (variant === 1) return { kind: 'payload-corrupt', id, bits: 4 };
        return { kind: 'voter-drop', id };
      }
      const rest = index - perId;
      const value = pick(MASQUERADE_OFFSETS_DEG, rest % MASQUERADE_OFFSETS_DEG.length);
      const pair = Math.floor(rest / MASQUERADE_OFFSETS_DEG.length);
      const forger = Math.floor(pair / (channels - 1));
      const victimSlot = pair % (channels - 1);
      const victim = victimSlot >= forger ? victimSlot + 1 : victimSlot;
      return { kind: 'can-masquerade', channel: pick(shape.channels, forger), victim: pick(shape.channels, victim), value, durationMicros: MASQUERADE_MICROS };
    }
    case 'sensor-shape': {
      const variant = pick(SENSOR_SHAPE_VARIANTS, index % SENSOR_SHAPE_VARIANTS.length);
      return { kind: 'sensor', sensor: pick(shape.sensors, Math.floor(index / SENSOR_SHAPE_VARIANTS.length)), mode: variant.mode, value: variant.value };
    }
  }
}

/** A short human-readable name of a fault's location, e.g. `A word 12 bit 40`. */
export function describeLocation(fault: FaultSpec): string {
  switch (fault.kind) {
    case 'memory-flip': return `${fault.channel} word ${fault.word ?? '?'} bit ${fault.bit ?? '?'}`;
    case 'register-flip': return `${fault.channel} ${fault.register ?? '?'} copy ${fault.copy ?? '?'} bit ${fault.bit ?? '?'}`;
    case 'bus-corrupt': case 'bus-duplicate': return `${fault.kind} id 0x${(fault.id ?? 0).toString(16)}`;
    case 'bus-delay': return `bus-delay ${fault.delayMicros / 1000} ms id 0x${(fault.id ?? 0).toString(16)}`;
    case 'bus-drop': return `bus-drop at ${fault.receiver} id 0x${(fault.id ?? 0).toString(16)}`;
    case 'sensor': return `IMU ${fault.sensor} ${fault.mode}${fault.value === undefined ? '' : ` ${fault.value}`}`;
    case 'channel-crash': return `${fault.channel} crash${fault.restartAfterMicros === undefined ? '' : ` restart ${fault.restartAfterMicros / 1e6} s`}`;
    case 'channel-hang': return `${fault.channel} hang ${fault.durationMicros / 1e6} s`;
    case 'wrong-command': return `${fault.channel} wrong command ${fault.offsetDeg}°`;
    case 'clock-drift': return `${fault.channel} drift ${fault.ppm} ppm`;
    case 'clock-jump': return `${fault.channel} jump ${fault.jumpMicros / 1000} ms`;
    case 'mbu': return `${fault.channel} mbu ${fault.bits} bits`;
    case 'babble': return `babble ${fault.durationMicros / 1e6} s`;
    case 'two-faced': return `${fault.channel} two-faced ±${fault.value}`;
    case 'masquerade': return `${fault.channel} masquerade as ${fault.victim ?? 'next'} ${fault.value}`;
    case 'replay': return `${fault.channel} replay ${fault.lagCycles} cycles`;
    case 'compute-flip': return `${fault.channel} compute ${fault.value ?? '?'} bit ${fault.bit ?? '?'} after stage ${fault.stage ?? '?'}`;
    case 'control-flow': return `${fault.channel} ${fault.mode}${fault.stage === undefined ? '' : ` stage ${fault.stage}`}`;
    case 'word-mbu': return `${fault.channel} word ${fault.word ?? '?'} ${fault.bits} bits from ${fault.bit ?? '?'}`;
    case 'stuck-bit': return `${fault.channel} word ${fault.word ?? '?'} bit ${fault.bit ?? '?'} stuck at ${fault.value ?? '?'}`;
    case 'scrubber-upset': return `${fault.channel} scrubber cursor bit ${fault.bit ?? '?'}`;
    case 'decoder-upset': return `${fault.channel} ECC decoder bit ${fault.bit ?? '?'}`;
    case 'golden-flip': return `${fault.channel} golden byte ${fault.byte ?? '?'} bit ${fault.bit ?? '?'}`;
    case 'voter-upset': return `lane ${fault.lane} ${fault.field ?? '?'}[${fault.index ?? '?'}] bit ${fault.bit ?? '?'}`;
    case 'command-flip': return `lane ${fault.lane} actuator ${fault.actuator ?? '?'} code bit ${fault.bit ?? '?'}`;
    case 'actuator': return `actuator ${fault.actuator} ${fault.mode}${fault.value === undefined ? '' : ` ${fault.value}`}${fault.durationMicros === undefined ? '' : ` ${fault.durationMicros / 1e6} s`}`;
    case 'payload-corrupt': return `payload ${fault.bits ?? 1} bits id 0x${(fault.id ?? 0).toString(16)}`;
    case 'voter-drop': return `voter-drop id 0x${(fault.id ?? 0).toString(16)}`;
    case 'can-masquerade': return `${fault.channel} forges ${fault.victim ?? 'next'} ${fault.value}°`;
  }
}

/**
 * The row's fault in every replica (the common-mode class): the same upset in every channel,
 * every voter lane, every sensor, or the frames of every sender of the same kind. A fault with no
 * replica (an actuator, a babble, a delay of one frame id's kind with one sender) stays single.
 */
export function commonModeFaults(fault: FaultSpec, shape: FaultSpaceShape): FaultSpec[] {
  if (fault.kind === 'voter-upset' || fault.kind === 'command-flip') {
    return Array.from({ length: VOTER_LANES_MAX }, (_, lane) => ({ ...fault, lane }));
  }
  if (fault.kind === 'sensor') return shape.sensors.map((sensor) => ({ ...fault, sensor }));
  if (fault.kind === 'can-masquerade' || fault.kind === 'two-faced' || fault.kind === 'masquerade' || fault.kind === 'replay') return [fault];
  if ('channel' in fault) return shape.channels.map((channel) => ({ ...fault, channel }));
  const id = (fault as { readonly id?: number }).id;
  if (id !== undefined) {
    const replicas = shape.busIds.filter((other) => other - (other % 16) === id - (id % 16));
    return replicas.map((other) => ({ ...fault, id: other }));
  }
  if (fault.kind === 'bus-drop') return shape.channels.map((receiver) => ({ ...fault, receiver }));
  return [fault];
}

/** Control cycles in the injection window of a flight. */
export function timeSlotCount(durationS: number, rateHz: number): number {
  const cycles = Math.floor(durationS * rateHz);
  return Math.max(1, Math.floor(cycles * INJECTION_WINDOW_UNTIL) - Math.floor(cycles * INJECTION_WINDOW_FROM));
}

/** Fault space size N of one target: locations × time slots. */
export function faultSpaceSize(target: Target, shape: FaultSpaceShape, durationS: number, rateHz: number): number {
  return locationCount(target, shape) * timeSlotCount(durationS, rateHz);
}

export interface CampaignPlanConfig {
  readonly seed: number;
  readonly durationS: number;
  readonly rateHz: number;
  /** Injections per target, in the order rows are interleaved. */
  readonly counts: readonly { readonly target: Target; readonly injections: number }[];
  /** The campaign class (default single). */
  readonly faultClass?: FaultClass;
}

export interface PlannedRow {
  readonly row: number;
  readonly seed: number;
  readonly target: Target;
  readonly location: string;
  readonly fault: TimedFault;
  /** The class's further faults of the row (double: the second; common-mode: the other replicas). */
  readonly extra: readonly TimedFault[];
}

/** Sizes each target by Leveugle's formula over its own fault space. */
export function leveugleCounts(targets: readonly Target[], shape: FaultSpaceShape, durationS: number, rateHz: number, margin: number, confidence: number): CampaignPlanConfig['counts'] {
  return targets.map((target) => ({ target, injections: leveugleSampleSize(faultSpaceSize(target, shape, durationS, rateHz), margin, confidence) }));
}

/** Splits `total` injections over targets as evenly as possible (the first ones get the remainder). */
export function evenCounts(targets: readonly Target[], total: number): CampaignPlanConfig['counts'] {
  assert(targets.length > 0, 'at least one target');
  const base = Math.floor(total / targets.length);
  return targets.map((target, i) => ({ target, injections: base + (i < total % targets.length ? 1 : 0) }));
}

/** The seed of row `row` of a campaign seeded `campaignSeed` (48-bit, never 0-dependent on other rows). */
export function rowSeed(campaignSeed: number, row: number): number {
  const key = mix64((BigInt(campaignSeed) * 0x1_0000_0000n + BigInt(row)) ^ ROW_SEED_SALT);
  return Number(mix64(key) & ROW_SEED_MASK);
}

/** A built plan: the config and the target of every row (a weighted round-robin interleave). */
export class CampaignPlan {
  readonly total: number;
  private readonly targetOfRow: Uint8Array;

  constructor(readonly config: CampaignPlanConfig, readonly shape: FaultSpaceShape) {
    this.total = config.counts.reduce((sum, c) => sum + c.injections, 0);
    assert(this.total <= CAMPAIGN_INJECTIONS_MAX, `at most ${CAMPAIGN_INJECTIONS_MAX} injections`);
    assert(config.counts.length > 0 && config.counts.length < 256, 'between 1 and 255 targets');
    this.targetOfRow = interleave(config.counts.map((c) => c.injections), this.total);
  }

  target(row: number): Target {
    assert(Number.isInteger(row) && row >= 0 && row < this.total, `row ${row} out of range (${this.total} rows)`);
    return pick(this.config.counts, this.targetOfRow[row] ?? 0).target;
  }

  /** Row `row`'s seed, target and fault: a pure function of the config and `row`. */
  row(row: number): PlannedRow {
    const target = this.target(row);
    const seed = rowSeed(this.config.seed, row);
    const draws = new Prng(seed).fork(FAULT_STREAM);
    const fault = faultAtLocation(target, this.shape, draws.nextInt(locationCount(target, this.shape)));
    const periodMicros = 1_000_000 / this.config.rateHz;
    const firstCycle = Math.floor(Math.floor(this.config.durationS * this.config.rateHz) * INJECTION_WINDOW_FROM);
    const cycle = firstCycle + draws.nextInt(timeSlotCount(this.config.durationS, this.config.rateHz));
    const atMicros = Math.round(cycle * periodMicros);
    const planned = { row, seed, target, location: describeLocation(fault), fault: { atMicros, fault } };
    switch (this.config.faultClass ?? 'single') {
      case 'single': return { ...planned, extra: [] };
      case 'common-mode': {
        const replicas = commonModeFaults(fault, this.shape);
        const extra = replicas.filter((f) => describeLocation(f) !== planned.location).map((f) => ({ atMicros, fault: f }));
        return { ...planned, location: extra.length === 0 ? planned.location : `${planned.location} in all ${extra.length + 1}`, extra };
      }
      case 'double': {
        // The second fault: a target drawn by the campaign's weights, its location, and a time within the window.
        let pickAt = draws.nextInt(this.total);
        let second: Target = target;
        for (const c of this.config.counts) {
          if (pickAt < c.injections) { second = c.target; break; }
          pickAt -= c.injections;
        }
        const other = faultAtLocation(second, this.shape, draws.nextInt(locationCount(second, this.shape)));
        const lastMicros = Math.floor(this.config.durationS * this.config.rateHz - 1) * periodMicros;
        const offsetCycles = 1 + draws.nextInt(Math.max(1, Math.floor(DOUBLE_WINDOW_MICROS / periodMicros)));
        const at2 = Math.min(Math.round(lastMicros), atMicros + Math.round(offsetCycles * periodMicros));
        return { ...planned, location: `${planned.location} + ${second} ${describeLocation(other)} at +${(at2 - atMicros) / 1000} ms`, extra: [{ atMicros: at2, fault: other }] };
      }
    }
  }
}

/**
 * Row → target index such that every prefix of rows has each target's share as close to its
 * final proportion as whole rows allow (the largest-deficit rule; ties go to the first target).
 */
function interleave(counts: readonly number[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  const given = counts.map(() => 0);
  for (let row = 0; row < total; row++) {
    let best = 0;
    let bestDeficit = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < counts.length; k++) {
      const wanted = counts[k] ?? 0;
      const have = given[k] ?? 0;
      if (have >= wanted) continue;
      const deficit = (wanted * (row + 1)) / total - have;
      if (deficit > bestDeficit) { best = k; bestDeficit = deficit; }
    }
    out[row] = best;
    given[best] = (given[best] ?? 0) + 1;
  }
  return out;
}
