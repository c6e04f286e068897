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
import type { ChannelName, FaultSpec, SensorMode, TimedFault } from '../fault/profile.js';
import { mix64, Prng } from '../sim/prng.js';
import { leveugleSampleSize } from './sampling.js';

export const TARGETS = ['memory', 'registers', 'bus', 'sensor', 'channel', 'clock'] as const;
export type Target = (typeof TARGETS)[number];

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
  }
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
}

export interface PlannedRow {
  readonly row: number;
  readonly seed: number;
  readonly target: Target;
  readonly location: string;
  readonly fault: TimedFault;
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
    return { row, seed, target, location: describeLocation(fault), fault: { atMicros: Math.round(cycle * periodMicros), fault } };
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
