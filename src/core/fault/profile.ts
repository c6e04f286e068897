/**
 * Fault profiles: what a flight is made to suffer. A profile is JSON (hil/scenarios/*.json),
 * decoded here into a validated, immutable plan: timed events (one fault at a given time) and
 * random processes (Poisson arrivals at a given rate, or SEU rates per bit per second).
 * Everything random is drawn later from the run's seeded PRNG, so a profile plus a seed is a
 * pure description of the faults of a run. docs/FAULTS.md documents the schema.
 */
import { CONTROL_READ_ONLY_BYTES, REGISTER_NAMES } from '../control/state.js';
import { err, ok, type Result } from '../result.js';

export const PROFILE_VERSION = 1;
export const PROFILE_EVENTS_MAX = 10_000;
export const PROFILE_PROCESSES_MAX = 64;
export const CHANNEL_NAMES = ['A', 'B', 'C', 'D'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export type SensorMode = 'stuck' | 'bias' | 'noise' | 'dead' | 'ok' | 'drift' | 'scale';
export const SENSOR_MODES: readonly SensorMode[] = ['stuck', 'bias', 'noise', 'dead', 'ok', 'drift', 'scale'];

/**
 * Control-flow errors of one law step (docs/FAULTS.md, "Control-flow errors"): `skip` a stage,
 * `repeat` a stage, `jump` from a stage straight to the output (the rest skipped), `stale` (the
 * step runs on the previous cycle's consolidated sensors), `wrong-branch` (the estimator's
 * accelerometer-gate branch taken the wrong way).
 */
export const CONTROL_FLOW_MODES = ['skip', 'repeat', 'jump', 'stale', 'wrong-branch'] as const;
export type ControlFlowMode = (typeof CONTROL_FLOW_MODES)[number];

/** Actuator faults downstream of every vote: the surface holds (`jam`), goes to a stop (`hard-over`), or moves at a rate (`runaway`). */
export const ACTUATOR_MODES = ['jam', 'hard-over', 'runaway'] as const;
export type ActuatorMode = (typeof ACTUATOR_MODES)[number];

/** Fields of a voter lane's state an upset can hit (src/core/vote/voter.ts `upsetState`). */
export const VOTER_UPSET_FIELDS = ['health', 'level', 'output', 'lastVoted', 'probation', 'healthySince', 'pairLevel'] as const;
export type VoterUpsetField = (typeof VOTER_UPSET_FIELDS)[number];

/** Elements and bits of each voter-lane state field (src/core/vote/voter.ts `upsetState`). */
export function voterFieldSize(field: VoterUpsetField, channels: number): { readonly length: number; readonly bits: number } {
  switch (field) {
    case 'health': return { length: channels, bits: 8 };
    case 'level': case 'probation': return { length: channels, bits: 32 };
    case 'output': case 'lastVoted': return { length: ACTUATORS, bits: 64 };
    case 'healthySince': return { length: channels, bits: 64 };
    case 'pairLevel': return { length: 1, bits: 32 };
  }
}

/** Voter lanes of the actuator electronics (docs/REDUNDANCY.md, "The voter and the actuator path"). */
export const VOTER_LANES_MAX = 3;
export const ACTUATORS = 4;
/** Working values a computation error can hit: the law's registers, then the consolidated sensor sample. */
export const SENSOR_VALUE_NAMES = ['SENSOR_GX', 'SENSOR_GY', 'SENSOR_GZ', 'SENSOR_AX', 'SENSOR_AY', 'SENSOR_AZ'] as const;

/** One fault, as it is injected. Times are simulated micros from the start of the flight. */
export type FaultSpec =
  | { readonly kind: 'memory-flip'; readonly channel: ChannelName; readonly word?: number; readonly bit?: number }
  | { readonly kind: 'mbu'; readonly channel: ChannelName; readonly bits: number; readonly physicalBit?: number }
  | { readonly kind: 'register-flip'; readonly channel: ChannelName; readonly register?: string; readonly copy?: number; readonly bit?: number }
  | { readonly kind: 'bus-corrupt'; readonly id?: number }
  | { readonly kind: 'bus-drop'; readonly receiver: ChannelName; readonly id?: number }
  | { readonly kind: 'bus-delay'; readonly delayMicros: number; readonly id?: number }
  | { readonly kind: 'bus-duplicate'; readonly id?: number }
  | { readonly kind: 'babble'; readonly durationMicros: number }
  | { readonly kind: 'channel-crash'; readonly channel: ChannelName; readonly restartAfterMicros?: number }
  | { readonly kind: 'channel-hang'; readonly channel: ChannelName; readonly durationMicros: number }
  | { readonly kind: 'sensor'; readonly sensor: number; readonly mode: SensorMode; readonly value?: number; readonly durationMicros?: number }
  | { readonly kind: 'wrong-command'; readonly channel: ChannelName; readonly offsetDeg: number; readonly durationMicros: number }
  | { readonly kind: 'clock-drift'; readonly channel: ChannelName; readonly ppm: number }
  | { readonly kind: 'clock-jump'; readonly channel: ChannelName; readonly jumpMicros: number }
  // Byzantine channel faults (docs/BYZANTINE.md): from `atS` to the end of the flight the
  // channel lies in the input exchange and its command (`value` added to every value it sends).
  | { readonly kind: 'two-faced'; readonly channel: ChannelName; readonly value: number }
  | { readonly kind: 'masquerade'; readonly channel: ChannelName; readonly value: number; readonly victim?: ChannelName }
  | { readonly kind: 'replay'; readonly channel: ChannelName; readonly lagCycles: number }
  // Sites beyond the stored words (issue 14, docs/FAULTS.md "Fault sites"): computation and
  // control flow, the ECC's own limits, the voter lanes and the actuator path, and bus shapes.
  | { readonly kind: 'compute-flip'; readonly channel: ChannelName; readonly value?: string; readonly bit?: number; readonly stage?: number }
  | { readonly kind: 'control-flow'; readonly channel: ChannelName; readonly mode: ControlFlowMode; readonly stage?: number }
  | { readonly kind: 'word-mbu'; readonly channel: ChannelName; readonly bits: number; readonly word?: number; readonly bit?: number }
  | { readonly kind: 'stuck-bit'; readonly channel: ChannelName; readonly word?: number; readonly bit?: number; readonly value?: number }
  | { readonly kind: 'scrubber-upset'; readonly channel: ChannelName; readonly bit?: number }
  | { readonly kind: 'decoder-upset'; readonly channel: ChannelName; readonly bit?: number }
  | { readonly kind: 'golden-flip'; readonly channel: ChannelName; readonly byte?: number; readonly bit?: number }
  | { readonly kind: 'voter-upset'; readonly lane: number; readonly field?: VoterUpsetField; readonly index?: number; readonly bit?: number }
  | { readonly kind: 'command-flip'; readonly lane: number; readonly actuator?: number; readonly bit?: number }
  | { readonly kind: 'actuator'; readonly actuator: number; readonly mode: ActuatorMode; readonly value?: number; readonly durationMicros?: number }
  | { readonly kind: 'payload-corrupt'; readonly id?: number; readonly bits?: number; readonly bit?: number }
  | { readonly kind: 'voter-drop'; readonly id?: number }
  | { readonly kind: 'can-masquerade'; readonly channel: ChannelName; readonly value: number; readonly victim?: ChannelName; readonly durationMicros?: number };

export type FaultKind = FaultSpec['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'memory-flip', 'mbu', 'register-flip', 'bus-corrupt', 'bus-drop', 'bus-delay', 'bus-duplicate', 'babble',
  'channel-crash', 'channel-hang', 'sensor', 'wrong-command', 'clock-drift', 'clock-jump',
  'two-faced', 'masquerade', 'replay',
  'compute-flip', 'control-flow', 'word-mbu', 'stuck-bit', 'scrubber-upset', 'decoder-upset', 'golden-flip',
  'voter-upset', 'command-flip', 'actuator', 'payload-corrupt', 'voter-drop', 'can-masquerade',
];

/**
 * Whether a fault is transient: its cause goes away by itself, so a flight that ends with a
 * channel lost to it has lost redundancy it should have kept (the oracle's `degraded` then fails
 * the run, docs/FLIGHT.md "Outcomes"). Upsets of memory and registers (the cell is rewritten or
 * scrubbed), every bus fault, a babble, a hang, a crash the profile restarts, a sensor fault or
 * wrong command with a duration, and a clock jump (resynchronisation removes the offset) are
 * transient. A crash without restart, a sensor fault without a duration, a drifting oscillator
 * and the Byzantine kinds (from `atS` to the end) are permanent.
 */
export function isTransientFault(f: FaultSpec): boolean {
  switch (f.kind) {
    case 'channel-crash': return f.restartAfterMicros !== undefined;
    case 'sensor': case 'actuator': case 'can-masquerade': return f.durationMicros !== undefined;
    case 'clock-drift': case 'two-faced': case 'masquerade': case 'replay': case 'stuck-bit': case 'golden-flip': return false;
    default: return true;
  }
}

/** When a transient fault's cause is gone (µs): its end for faults with a duration or restart, else the injection itself. */
export function faultEffectEndMicros(f: FaultSpec, atMicros: number): number {
  switch (f.kind) {
    case 'channel-crash': return atMicros + (f.restartAfterMicros ?? Number.POSITIVE_INFINITY);
    case 'sensor': case 'actuator': case 'can-masquerade': return atMicros + (f.durationMicros ?? Number.POSITIVE_INFINITY);
    case 'channel-hang': case 'wrong-command': case 'babble': return atMicros + f.durationMicros;
    default: return isTransientFault(f) ? atMicros : Number.POSITIVE_INFINITY;
  }
}

/** Byzantine kinds: a channel that lies in the exchange from its `atS` on (at most one per flight). */
export const BYZANTINE_KINDS: readonly FaultKind[] = ['two-faced', 'masquerade', 'replay'];
/** Largest lie (`value`) a Byzantine fault may add, in the exchanged values' units. */
export const BYZANTINE_VALUE_MAX = 1000;
export const BYZANTINE_LAG_CYCLES_MAX = 16;

export interface TimedFault {
  readonly atMicros: number;
  readonly fault: FaultSpec;
}

/** A Poisson process of one fault kind: arrivals at `ratePerS`, each a fresh draw of the spec's open fields. */
export interface RandomProcess {
  readonly ratePerS: number;
  readonly fault: FaultSpec;
  readonly fromMicros: number;
  readonly untilMicros: number;
}

/** Single-event upsets in every channel's memory and register images, per bit per second (accelerated). */
export interface SeuProcess {
  readonly memoryPerBitPerS: number;
  readonly registerPerBitPerS: number;
  readonly channels: readonly ChannelName[];
  /** Probability that an upset is a multi-bit upset of 2..mbuBitsMax adjacent physical bits. */
  readonly mbuProbability: number;
  readonly mbuBitsMax: number;
}

export interface FaultProfile {
  readonly name: string;
  readonly description: string;
  readonly events: readonly TimedFault[];
  readonly processes: readonly RandomProcess[];
  readonly seu: SeuProcess | undefined;
}

export interface ProfileError {
  readonly code: 'invalid_profile';
  /** JSON path of the offending value, e.g. `events[3].channel`. */
  readonly path: string;
  readonly message: string;
}

const MICROS_PER_S = 1_000_000;
const DURATION_S_MAX = 86_400;

type Obj = Readonly<Record<string, unknown>>;

/** Internal: unwinds the recursive decoder to the Result boundary in decodeFaultProfile. */
class ProfileDecodeError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

function fail(path: string, message: string): never {
  throw new ProfileDecodeError(path, message);
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, path: string): Obj {
  if (!isObject(value)) fail(path, 'expected an object');
  return value;
}

function allowKeys(value: Obj, path: string, keys: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`${path}.${key}`, `unknown field (expected one of: ${keys.join(', ')})`);
  }
}

function num(value: Obj, key: string, path: string, min: number, max: number, integer = false): number {
  const v = value[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}.${key}`, 'expected a number');
  if (integer && !Number.isInteger(v)) fail(`${path}.${key}`, 'expected an integer');
  if (v < min || v > max) fail(`${path}.${key}`, `expected a value from ${min} to ${max}, got ${v}`);
  return v;
}

function optNum(value: Obj, key: string, path: string, min: number, max: number, integer = false): number | undefined {
  return value[key] === undefined ? undefined : num(value, key, path, min, max, integer);
}

function str(value: Obj, key: string, path: string, lengthMax = 200): string {
  const v = value[key];
  if (typeof v !== 'string') fail(`${path}.${key}`, 'expected a string');
  if (v.length > lengthMax) fail(`${path}.${key}`, `string longer than ${lengthMax} characters`);
  return v;
}

function channel(value: Obj, key: string, path: string): ChannelName {
  const v = value[key];
  const found = CHANNEL_NAMES.find((name) => name === v);
  if (found === undefined) fail(`${path}.${key}`, `expected a channel name (${CHANNEL_NAMES.join(', ')})`);
  return found;
}

function micros(seconds: number): number {
  return Math.round(seconds * MICROS_PER_S);
}

function withOptional<T extends object, K extends string, V>(base: T, key: K, value: V | undefined): T & { readonly [P in K]?: V } {
  return value === undefined ? base : { ...base, [key]: value };
}

const CAN_ID_MAX = 0x1fffffff;
/** Largest sensor drift (rad/s per s) and scale factor a profile may ask for. */
export const SENSOR_DRIFT_MAX = 10;
export const SENSOR_SCALE_MAX = 100;
/** Working values of `compute-flip` (`value`): the law's registers, then the consolidated sensor sample. */
export const COMPUTE_VALUE_NAMES: readonly string[] = [...REGISTER_NAMES, ...SENSOR_VALUE_NAMES];
/** Most bits of a `word-mbu` (one code word, no interleaving) and of a `payload-corrupt`. */
export const WORD_MBU_BITS_MAX = 8;
export const PAYLOAD_CORRUPT_BITS_MAX = 8;
/** Bits of a voted command code on the lane-to-actuator link (int16 mrad, src/core/frame/scaling.ts). */
export const COMMAND_CODE_BITS = 16;

function oneOf<T extends string>(v: Obj, key: string, path: string, options: readonly T[]): T {
  const text = str(v, key, path, 40);
  const found = options.find((o) => o === text);
  if (found === undefined) fail(`${path}.${key}`, `expected one of: ${options.join(', ')}`);
  return found;
}

function optOneOf<T extends string>(v: Obj, key: string, path: string, options: readonly T[]): T | undefined {
  return v[key] === undefined ? undefined : oneOf(v, key, path, options);
}

function optMicros(v: Obj, key: string, path: string): number | undefined {
  const s = optNum(v, key, path, 0, DURATION_S_MAX);
  return s === undefined ? undefined : micros(s);
}

type SiteKind = 'compute-flip' | 'control-flow' | 'word-mbu' | 'stuck-bit' | 'scrubber-upset' | 'decoder-upset' | 'golden-flip'
  | 'voter-upset' | 'command-flip' | 'actuator' | 'payload-corrupt' | 'voter-drop' | 'can-masquerade';

/** The fault sites of issue 14 (docs/FAULTS.md, "Fault sites"). */
function decodeSiteFault(v: Obj, path: string, kind: SiteKind): FaultSpec {
  const timing = ['kind', 'atS', 'ratePerS', 'fromS', 'untilS'];
  switch (kind) {
    case 'compute-flip': {
      allowKeys(v, path, [...timing, 'channel', 'value', 'bit', 'stage']);
      const value = optOneOf(v, 'value', path, COMPUTE_VALUE_NAMES);
      const base = { kind, channel: channel(v, 'channel', path) };
      return withOptional(withOptional(withOptional(base, 'value', value), 'bit', optNum(v, 'bit', path, 0, 31, true)), 'stage', optNum(v, 'stage', path, 0, 3, true));
    }
    case 'control-flow': {
      allowKeys(v, path, [...timing, 'channel', 'mode', 'stage']);
      const mode = oneOf(v, 'mode', path, CONTROL_FLOW_MODES);
      const stage = optNum(v, 'stage', path, 0, mode === 'jump' ? 2 : 3, true);
      if (stage !== undefined && (mode === 'stale' || mode === 'wrong-branch')) fail(`${path}.stage`, `a '${mode}' control-flow error has no stage`);
      return withOptional({ kind, channel: channel(v, 'channel', path), mode }, 'stage', stage);
    }
    case 'word-mbu': {
      allowKeys(v, path, [...timing, 'channel', 'bits', 'word', 'bit']);
      const base = { kind, channel: channel(v, 'channel', path), bits: num(v, 'bits', path, 3, WORD_MBU_BITS_MAX, true) };
      return withOptional(withOptional(base, 'word', optNum(v, 'word', path, 0, 1 << 24, true)), 'bit', optNum(v, 'bit', path, 0, 71, true));
    }
    case 'stuck-bit': {
      allowKeys(v, path, [...timing, 'channel', 'word', 'bit', 'value']);
      const base = { kind, channel: channel(v, 'channel', path) };
      return withOptional(withOptional(withOptional(base, 'word', optNum(v, 'word', path, 0, 1 << 24, true)), 'bit', optNum(v, 'bit', path, 0, 71, true)), 'value', optNum(v, 'value', path, 0, 1, true));
    }
    case 'scrubber-upset':
      allowKeys(v, path, [...timing, 'channel', 'bit']);
      return withOptional({ kind, channel: channel(v, 'channel', path) }, 'bit', optNum(v, 'bit', path, 0, 30, true));
    case 'decoder-upset':
      allowKeys(v, path, [...timing, 'channel', 'bit']);
      return withOptional({ kind, channel: channel(v, 'channel', path) }, 'bit', optNum(v, 'bit', path, 0, 31, true));
    case 'golden-flip':
      allowKeys(v, path, [...timing, 'channel', 'byte', 'bit']);
      return withOptional(withOptional({ kind, channel: channel(v, 'channel', path) }, 'byte', optNum(v, 'byte', path, 0, CONTROL_READ_ONLY_BYTES - 1, true)), 'bit', optNum(v, 'bit', path, 0, 7, true));
    case 'voter-upset': {
      allowKeys(v, path, [...timing, 'lane', 'field', 'index', 'bit']);
      const base = { kind, lane: num(v, 'lane', path, 0, VOTER_LANES_MAX - 1, true) };
      const field = optOneOf(v, 'field', path, VOTER_UPSET_FIELDS);
      const index = optNum(v, 'index', path, 0, 15, true);
      const bit = optNum(v, 'bit', path, 0, 63, true);
      if (field === undefined && (index !== undefined || bit !== undefined)) fail(`${path}.field`, 'give the field an index or bit belongs to');
      return withOptional(withOptional(withOptional(base, 'field', field), 'index', index), 'bit', bit);
    }
    case 'command-flip':
      allowKeys(v, path, [...timing, 'lane', 'actuator', 'bit']);
      return withOptional(withOptional({ kind, lane: num(v, 'lane', path, 0, VOTER_LANES_MAX - 1, true) }, 'actuator', optNum(v, 'actuator', path, 0, ACTUATORS - 1, true)), 'bit', optNum(v, 'bit', path, 0, COMMAND_CODE_BITS - 1, true));
    case 'actuator': {
      allowKeys(v, path, [...timing, 'actuator', 'mode', 'value', 'durationS']);
      const base = { kind, actuator: num(v, 'actuator', path, 0, ACTUATORS - 1, true), mode: oneOf(v, 'mode', path, ACTUATOR_MODES) };
      return withOptional(withOptional(base, 'value', optNum(v, 'value', path, -1000, 1000)), 'durationMicros', optMicros(v, 'durationS', path));
    }
    case 'payload-corrupt':
      allowKeys(v, path, [...timing, 'id', 'bits', 'bit']);
      return withOptional(withOptional(withOptional({ kind }, 'id', optNum(v, 'id', path, 0, CAN_ID_MAX, true)), 'bits', optNum(v, 'bits', path, 1, PAYLOAD_CORRUPT_BITS_MAX, true)), 'bit', optNum(v, 'bit', path, 0, 63, true));
    case 'voter-drop':
      allowKeys(v, path, [...timing, 'id']);
      return withOptional({ kind }, 'id', optNum(v, 'id', path, 0, CAN_ID_MAX, true));
    case 'can-masquerade': {
      allowKeys(v, path, [...timing, 'channel', 'value', 'victim', 'durationS']);
      const ch = channel(v, 'channel', path);
      const victim = v.victim === undefined ? undefined : channel(v, 'victim', path);
      if (victim === ch) fail(`${path}.victim`, 'a channel cannot masquerade as itself');
      return withOptional(withOptional({ kind, channel: ch, value: num(v, 'value', path, -90, 90) }, 'victim', victim), 'durationMicros', optMicros(v, 'durationS', path));
    }
  }
}

function decodeMemoryFault(v: Obj, path: string, kind: 'memory-flip' | 'mbu' | 'register-flip'): FaultSpec {
  const ch = channel(v, 'channel', path);
  if (kind === 'memory-flip') {
    allowKeys(v, path, ['kind', 'channel', 'word', 'bit', 'atS', 'ratePerS', 'fromS', 'untilS']);
    const word = optNum(v, 'word', path, 0, 1 << 24, true);
    const bit = optNum(v, 'bit', path, 0, 71, true);
    return withOptional(withOptional({ kind, channel: ch }, 'word', word), 'bit', bit);
  }
  if (kind === 'mbu') {
    allowKeys(v, path, ['kind', 'channel', 'bits', 'physicalBit', 'atS', 'ratePerS', 'fromS', 'untilS']);
    const bits = num(v, 'bits', path, 2, 8, true);
    return withOptional({ kind, channel: ch, bits }, 'physicalBit', optNum(v, 'physicalBit', path, 0, 1 << 30, true));
  }
  allowKeys(v, path, ['kind', 'channel', 'register', 'copy', 'bit', 'atS', 'ratePerS', 'fromS', 'untilS']);
  const register = v.register === undefined ? undefined : str(v, 'register', path, 40);
  const copy = optNum(v, 'copy', path, 0, 2, true);
  const bit = optNum(v, 'bit', path, 0, 31, true);
  return withOptional(withOptional(withOptional({ kind, channel: ch }, 'register', register), 'copy', copy), 'bit', bit);
}

function decodeBusFault(v: Obj, path: string, kind: 'bus-corrupt' | 'bus-drop' | 'bus-delay' | 'bus-duplicate' | 'babble'): FaultSpec {
  const timing = ['kind', 'atS', 'ratePerS', 'fromS', 'untilS'];
  switch (kind) {
    case 'bus-corrupt':
    case 'bus-duplicate':
      allowKeys(v, path, [...timing, 'id']);
      return withOptional({ kind }, 'id', optNum(v, 'id', path, 0, CAN_ID_MAX, true));
    case 'bus-drop':
      allowKeys(v, path, [...timing, 'id', 'receiver']);
      return withOptional({ kind, receiver: channel(v, 'receiver', path) }, 'id', optNum(v, 'id', path, 0, CAN_ID_MAX, true));
    case 'bus-delay':
      allowKeys(v, path, [...timing, 'id', 'delayMs']);
      return withOptional({ kind, delayMicros: micros(num(v, 'delayMs', path, 0, 10_000) / 1000) }, 'id', optNum(v, 'id', path, 0, CAN_ID_MAX, true));
    case 'babble':
      allowKeys(v, path, [...timing, 'durationS']);
      return { kind, durationMicros: micros(num(v, 'durationS', path, 0, DURATION_S_MAX)) };
  }
}

function decodeChannelFault(v: Obj, path: string, kind: 'channel-crash' | 'channel-hang' | 'wrong-command' | 'clock-drift' | 'clock-jump'): FaultSpec {
  const timing = ['kind', 'channel', 'atS', 'ratePerS', 'fromS', 'untilS'];
  const ch = channel(v, 'channel', path);
  switch (kind) {
    case 'channel-crash': {
      allowKeys(v, path, [...timing, 'restartAfterS']);
      const restart = optNum(v, 'restartAfterS', path, 0, DURATION_S_MAX);
      return withOptional({ kind, channel: ch }, 'restartAfterMicros', restart === undefined ? undefined : micros(restart));
    }
    case 'channel-hang':
      allowKeys(v, path, [...timing, 'durationS']);
      return { kind, channel: ch, durationMicros: micros(num(v, 'durationS', path, 0, DURATION_S_MAX)) };
    case 'wrong-command':
      allowKeys(v, path, [...timing, 'offsetDeg', 'durationS']);
      return { kind, channel: ch, offsetDeg: num(v, 'offsetDeg', path, -90, 90), durationMicros: micros(num(v, 'durationS', path, 0, DURATION_S_MAX)) };
    case 'clock-drift':
      allowKeys(v, path, [...timing, 'ppm']);
      return { kind, channel: ch, ppm: num(v, 'ppm', path, -1_000_000, 1_000_000) };
    case 'clock-jump':
      allowKeys(v, path, [...timing, 'ms']);
      return { kind, channel: ch, jumpMicros: Math.round(num(v, 'ms', path, -1_000_000, 1_000_000) * 1000) };
  }
}

function decodeByzantineFault(v: Obj, path: string, kind: 'two-faced' | 'masquerade' | 'replay'): FaultSpec {
  const ch = channel(v, 'channel', path);
  switch (kind) {
    case 'two-faced':
      allowKeys(v, path, ['kind', 'channel', 'atS', 'value']);
      return { kind, channel: ch, value: num(v, 'value', path, -BYZANTINE_VALUE_MAX, BYZANTINE_VALUE_MAX) };
    case 'masquerade': {
      allowKeys(v, path, ['kind', 'channel', 'atS', 'value', 'victim']);
      const victim = v.victim === undefined ? undefined : channel(v, 'victim', path);
      if (victim === ch) fail(`${path}.victim`, 'a channel cannot masquerade as itself');
      return withOptional({ kind, channel: ch, value: num(v, 'value', path, -BYZANTINE_VALUE_MAX, BYZANTINE_VALUE_MAX) }, 'victim', victim);
    }
    case 'replay':
      allowKeys(v, path, ['kind', 'channel', 'atS', 'lagCycles']);
      return { kind, channel: ch, lagCycles: num(v, 'lagCycles', path, 1, BYZANTINE_LAG_CYCLES_MAX, true) };
  }
}

function decodeSensorFault(v: Obj, path: string): FaultSpec {
  allowKeys(v, path, ['kind', 'sensor', 'mode', 'value', 'durationS', 'atS', 'ratePerS', 'fromS', 'untilS']);
  const sensor = num(v, 'sensor', path, 1, 4, true);
  const modeText = str(v, 'mode', path, 10);
  const mode = SENSOR_MODES.find((m) => m === modeText);
  if (mode === undefined) fail(`${path}.mode`, `expected one of: ${SENSOR_MODES.join(', ')}`);
  const value = optNum(v, 'value', path, -1e6, 1e6);
  if (mode === 'bias' && value === undefined) fail(`${path}.value`, "a 'bias' sensor fault needs a value (rad/s)");
  if (mode === 'drift' && (value === undefined || Math.abs(value) > SENSOR_DRIFT_MAX)) fail(`${path}.value`, `a 'drift' sensor fault needs a value (rad/s per s) from -${SENSOR_DRIFT_MAX} to ${SENSOR_DRIFT_MAX}`);
  if (mode === 'scale' && (value === undefined || Math.abs(value) > SENSOR_SCALE_MAX)) fail(`${path}.value`, `a 'scale' sensor fault needs a value (the scale factor) from -${SENSOR_SCALE_MAX} to ${SENSOR_SCALE_MAX}`);
  const duration = optNum(v, 'durationS', path, 0, DURATION_S_MAX);
  return withOptional(withOptional({ kind: 'sensor' as const, sensor, mode }, 'value', value), 'durationMicros', duration === undefined ? undefined : micros(duration));
}

function decodeFault(value: unknown, path: string): FaultSpec {
  const v = object(value, path);
  const kindText = str(v, 'kind', path, 40);
  const kind = FAULT_KINDS.find((k) => k === kindText);
  if (kind === undefined) fail(`${path}.kind`, `unknown fault kind '${kindText}' (expected one of: ${FAULT_KINDS.join(', ')})`);
  switch (kind) {
    case 'memory-flip':
    case 'mbu':
    case 'register-flip':
      return decodeMemoryFault(v, path, kind);
    case 'bus-corrupt':
    case 'bus-drop':
    case 'bus-delay':
    case 'bus-duplicate':
    case 'babble':
      return decodeBusFault(v, path, kind);
    case 'channel-crash':
    case 'channel-hang':
    case 'wrong-command':
    case 'clock-drift':
    case 'clock-jump':
      return decodeChannelFault(v, path, kind);
    case 'sensor':
      return decodeSensorFault(v, path);
    case 'two-faced':
    case 'masquerade':
    case 'replay':
      return decodeByzantineFault(v, path, kind);
    default:
      return decodeSiteFault(v, path, kind);
  }
}

function array(value: unknown, path: string, lengthMax: number): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, 'expected an array');
  if (value.length > lengthMax) fail(path, `more than ${lengthMax} entries`);
  return value as readonly unknown[];
}

function decodeSeu(value: unknown): SeuProcess | undefined {
  if (value === undefined) return undefined;
  const v = object(value, 'seu');
  allowKeys(v, 'seu', ['memoryPerBitPerS', 'registerPerBitPerS', 'channels', 'mbuProbability', 'mbuBitsMax']);
  const channels = array(v.channels ?? ['A', 'B', 'C'], 'seu.channels', 4).map((c, i) => channel({ c }, 'c', `seu.channels[${i}]`));
  return {
    memoryPerBitPerS: optNum(v, 'memoryPerBitPerS', 'seu', 0, 1) ?? 0,
    registerPerBitPerS: optNum(v, 'registerPerBitPerS', 'seu', 0, 1) ?? 0,
    channels,
    mbuProbability: optNum(v, 'mbuProbability', 'seu', 0, 1) ?? 0,
    mbuBitsMax: optNum(v, 'mbuBitsMax', 'seu', 2, 8, true) ?? 2,
  };
}

function decodeProfileObject(value: unknown): FaultProfile {
  const v = object(value, '$');
  allowKeys(v, '$', ['version', 'name', 'description', 'events', 'processes', 'seu']);
  const version = num(v, 'version', '$', 0, 1000, true);
  if (version !== PROFILE_VERSION) fail('$.version', `unsupported profile version ${version} (this Triplex reads version ${PROFILE_VERSION})`);
  const events = array(v.events, 'events', PROFILE_EVENTS_MAX).map((e, i) => {
    const path = `events[${i}]`;
    const atMicros = micros(num(object(e, path), 'atS', path, 0, DURATION_S_MAX));
    return { atMicros, fault: decodeFault(e, path) };
  });
  const processes = array(v.processes, 'processes', PROFILE_PROCESSES_MAX).map((p, i) => {
    const path = `processes[${i}]`;
    const o = object(p, path);
    const fromMicros = micros(optNum(o, 'fromS', path, 0, DURATION_S_MAX) ?? 0);
    const untilMicros = micros(optNum(o, 'untilS', path, 0, DURATION_S_MAX) ?? DURATION_S_MAX);
    if (untilMicros < fromMicros) fail(`${path}.untilS`, 'untilS is before fromS');
    if (BYZANTINE_KINDS.some((k) => k === o.kind)) fail(`${path}.kind`, `'${String(o.kind)}' is a timed event (put it in events), not a random process`);
    return { ratePerS: num(o, 'ratePerS', path, 0, 1000), fault: decodeFault(p, path), fromMicros, untilMicros };
  });
  return {
    name: str(v, 'name', '$', 80),
    description: v.description === undefined ? '' : str(v, 'description', '$', 2000),
    events: [...events].sort((a, b) => a.atMicros - b.atMicros),
    processes,
    seu: decodeSeu(v.seu),
  };
}

/** Validates a parsed JSON value as a fault profile. Never throws on bad input. */
export function decodeFaultProfile(value: unknown): Result<FaultProfile, ProfileError> {
  try {
    return ok(decodeProfileObject(value));
  } catch (error: unknown) {
    if (error instanceof ProfileDecodeError) return err({ code: 'invalid_profile', path: error.path, message: error.message });
    throw error;
  }
}

/** Parses profile text (JSON) and validates it. Never throws on bad input. */
export function parseFaultProfile(text: string): Result<FaultProfile, ProfileError> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : 'bad JSON';
    return err({ code: 'invalid_profile', path: '$', message: `not valid JSON: ${message}` });
  }
  return decodeFaultProfile(value);
}

/** The empty profile: a fault-free (golden) flight. */
export const NO_FAULTS: FaultProfile = { name: 'none', description: 'No faults: the golden run.', events: [], processes: [], seu: undefined };
