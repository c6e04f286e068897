/**
 * Rig files (JSON, version 1): what a rig is made of — the bus, the channels and how each is
 * reached, the sensors, and the frame schedule the bus budget is computed from. `decodeRig`
 * validates everything and returns a Result whose error names the JSON path, what was
 * expected and what was found; it never throws. Format: docs/BUS.md.
 */
import { arbitrationKey } from './emulated-can.js';
import { CAN_EFF_MASK, CAN_FD_LENGTHS, CAN_SFF_MASK } from '../core/frame/can.js';
import { worstCaseClassicFrameBits, worstCaseFdFrameBits } from '../core/frame/can-bits.js';
import { analyseCanSchedule, type BudgetMessage } from '../core/frame/can-budget.js';
import { err, ok, type Result } from '../core/result.js';

export const RIG_VERSION = 1;
export const RIG_TEXT_BYTES_MAX = 1 << 20;
export const RIG_FRAMES_MAX = 256;
export const RIG_CHANNELS_MAX = 4;
export const RIG_SENSORS_MAX = 16;
export const RIG_NAME_LENGTH_MAX = 64;
const PERIOD_MICROS_MAX = 60_000_000;
const NS_PER_S = 1_000_000_000;

export type ChannelName = 'A' | 'B' | 'C' | 'D';
export type RigChannel =
  | { readonly name: ChannelName; readonly kind: 'emulated' }
  | { readonly name: ChannelName; readonly kind: 'serial'; readonly path: string; readonly baud: number }
  | { readonly name: ChannelName; readonly kind: 'slcan'; readonly path: string; readonly baud: number }
  | { readonly name: ChannelName; readonly kind: 'socketcan'; readonly interface: string }
  /** The Cortex-M image run by qemu-system-arm -M netduinoplus2; `kernel` absolute or relative to the repository root (docs/HIL.md). */
  | { readonly name: ChannelName; readonly kind: 'qemu'; readonly kernel: string };

export interface RigBus {
  readonly kind: 'can';
  readonly bitRateBps: number;
  readonly dataBitRateBps?: number;
  readonly loadLimitPercent: number;
  readonly stuffing: 'exact' | 'worst-case';
}

export interface RigFrame {
  readonly name: string;
  readonly id: number;
  readonly extended: boolean;
  readonly fd: boolean;
  readonly periodMicros: number;
  readonly payloadBytes: number;
  readonly deadlineMicros: number;
  readonly jitterMicros: number;
}

export interface Rig {
  readonly version: 1;
  readonly name: string;
  readonly bus: RigBus;
  readonly rateHz: number;
  readonly channels: readonly RigChannel[];
  readonly sensors: number;
  readonly frames: readonly RigFrame[];
}

export type RigError =
  | { readonly code: 'too_large'; readonly bytes: number; readonly bytesMax: number }
  | { readonly code: 'invalid_json'; readonly message: string }
  | { readonly code: 'invalid'; readonly path: string; readonly expected: string; readonly actual: string };

export function formatRigError(error: RigError): string {
  switch (error.code) {
    case 'too_large': return `file of ${error.bytes} bytes exceeds ${error.bytesMax}`;
    case 'invalid_json': return `not JSON: ${error.message}`;
    case 'invalid': return `${error.path}: expected ${error.expected}, got ${error.actual}`;
  }
}

/** Thrown only inside this module to unwind a decode; never escapes `decodeRigValue`. */
class Invalid extends Error {
  constructor(readonly error: RigError) {
    super('invalid rig');
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function fail(path: string, expected: string, actual: unknown): never {
  throw new Invalid({ code: 'invalid', path, expected, actual: describe(actual) });
}

type Obj = Readonly<Record<string, unknown>>;

/** `$.a.b` for plain keys; `$["odd key"]` (JSON-escaped, truncated) for anything else, so the message stays one line. */
function fieldPath(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key)) return `${path}.${key}`;
  const quoted = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
  return `${path}[${quoted}]`;
}

function object(value: unknown, path: string, keys: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  const obj = value as Obj;
  for (const key of Object.keys(obj)) if (!keys.includes(key)) fail(fieldPath(path, key), `no such field (known: ${keys.join(', ')})`, obj[key]);
  return obj;
}

function integer(value: unknown, path: string, min: number, max: number, what = `an integer ${min}..${max}`): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(path, what, value);
  return value;
}

function number(value: unknown, path: string, minExclusive: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= minExclusive || value > max) fail(path, `a number above ${minExclusive} and at most ${max}`, value);
  return value;
}

function string(value: unknown, path: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(path, what, value);
  return value;
}

function bool(value: unknown, path: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail(path, 'true or false', value);
  return value;
}

function array(value: unknown, path: string, min: number, max: number): readonly unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) fail(path, `an array of ${min}..${max} entries`, value);
  return value as readonly unknown[];
}

function bitRate(value: unknown, path: string, min: number, max: number): number {
  const rate = integer(value, path, min, max, `a bit rate ${min}..${max} bit/s that divides 10^9`);
  if (NS_PER_S % rate !== 0) fail(path, `a bit rate ${min}..${max} bit/s that divides 10^9`, value);
  return rate;
}

function decodeBus(value: unknown): RigBus {
  const o = object(value, '$.bus', ['kind', 'bitRateBps', 'dataBitRateBps', 'loadLimitPercent', 'stuffing']);
  if (o.kind !== 'can') fail('$.bus.kind', '"can"', o.kind);
  const bitRateBps = bitRate(o.bitRateBps, '$.bus.bitRateBps', 10_000, 1_000_000);
  const dataBitRateBps = o.dataBitRateBps === undefined ? undefined : bitRate(o.dataBitRateBps, '$.bus.dataBitRateBps', bitRateBps, 8_000_000);
  const loadLimitPercent = number(o.loadLimitPercent, '$.bus.loadLimitPercent', 0, 100);
  const stuffing = o.stuffing ?? 'worst-case';
  if (stuffing !== 'exact' && stuffing !== 'worst-case') fail('$.bus.stuffing', '"exact" or "worst-case"', stuffing);
  return { kind: 'can', bitRateBps, ...(dataBitRateBps === undefined ? {} : { dataBitRateBps }), loadLimitPercent, stuffing };
}

const DEVICE_PATH = /^\/[\x21-\x7e]{1,255}$/;
/** A kernel path: printable ASCII without spaces; not starting with '-' or ',' (QEMU would read an option). */
const KERNEL_PATH = /^[\x21-\x2b\x2e-\x7e][\x21-\x7e]{0,1023}$/;
const BAUDS = [9600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 500_000, 921_600, 1_000_000, 2_000_000, 3_000_000];

function decodeChannel(value: unknown, path: string): RigChannel {
  const o = object(value, path, ['name', 'kind', 'path', 'baud', 'interface', 'kernel']);
  const name = o.name;
  if (name !== 'A' && name !== 'B' && name !== 'C' && name !== 'D') fail(`${path}.name`, '"A", "B", "C" or "D"', name);
  const only = (allowed: readonly string[]): void => {
    for (const key of ['path', 'baud', 'interface', 'kernel']) if (!allowed.includes(key) && o[key] !== undefined) fail(`${path}.${key}`, `no ${key} for a ${String(o.kind)} channel`, o[key]);
  };
  const baud = (): number => {
    const v = o.baud ?? 115_200;
    if (typeof v !== 'number' || !BAUDS.includes(v)) fail(`${path}.baud`, `a baud rate (${BAUDS.join(', ')})`, v);
    return v;
  };
  switch (o.kind) {
    case 'emulated': only([]); return { name, kind: 'emulated' };
    case 'serial':
    case 'slcan': only(['path', 'baud']); return { name, kind: o.kind, path: string(o.path, `${path}.path`, DEVICE_PATH, 'an absolute device path such as "/dev/ttyUSB0"'), baud: baud() };
    case 'socketcan': only(['interface']); return { name, kind: 'socketcan', interface: string(o.interface, `${path}.interface`, /^[A-Za-z0-9_.-]{1,15}$/, 'a network interface name such as "can0"') };
    case 'qemu': only(['kernel']); return { name, kind: 'qemu', kernel: string(o.kernel, `${path}.kernel`, KERNEL_PATH, 'the path of a Cortex-M ELF image such as "firmware-bridge/build/qemu/triplex-board.elf"') };
    default: return fail(`${path}.kind`, '"emulated", "serial", "slcan", "socketcan" or "qemu"', o.kind);
  }
}

function decodeFrame(value: unknown, path: string, bus: RigBus): RigFrame {
  const o = object(value, path, ['name', 'id', 'periodMicros', 'payloadBytes', 'deadlineMicros', 'jitterMicros', 'extended', 'fd']);
  const name = string(o.name, `${path}.name`, /^[A-Za-z0-9_.:-]{1,64}$/, 'a name of 1..64 letters, digits, _ . : -');
  const extended = bool(o.extended, `${path}.extended`);
  const fd = bool(o.fd, `${path}.fd`);
  const id = integer(o.id, `${path}.id`, 0, extended ? CAN_EFF_MASK : CAN_SFF_MASK, extended ? 'a 29-bit id 0..0x1fffffff' : 'an 11-bit id 0..0x7ff (or set "extended": true)');
  const periodMicros = integer(o.periodMicros, `${path}.periodMicros`, 1, PERIOD_MICROS_MAX);
  const payloadBytes = fd
    ? integer(o.payloadBytes, `${path}.payloadBytes`, 0, 64, `a CAN FD length (${CAN_FD_LENGTHS.join(', ')})`)
    : integer(o.payloadBytes, `${path}.payloadBytes`, 0, 8, 'a classic CAN length 0..8 (or set "fd": true)');
  if (!CAN_FD_LENGTHS.includes(payloadBytes)) fail(`${path}.payloadBytes`, `a CAN FD length (${CAN_FD_LENGTHS.join(', ')})`, payloadBytes);
  if (fd && bus.dataBitRateBps === undefined) fail(`${path}.fd`, 'false, or "dataBitRateBps" on the bus for CAN FD', o.fd);
  const deadlineMicros = o.deadlineMicros === undefined ? periodMicros : integer(o.deadlineMicros, `${path}.deadlineMicros`, 1, PERIOD_MICROS_MAX);
  const jitterMicros = o.jitterMicros === undefined ? 0 : integer(o.jitterMicros, `${path}.jitterMicros`, 0, periodMicros - 1, `an integer 0..${periodMicros - 1} (below the period)`);
  return { name, id, extended, fd, periodMicros, payloadBytes, deadlineMicros, jitterMicros };
}

function decodeRigObject(value: unknown): Rig {
  const o = object(value, '$', ['version', 'name', 'bus', 'rateHz', 'channels', 'sensors', 'frames']);
  if (o.version !== RIG_VERSION) fail('$.version', `${RIG_VERSION}`, o.version);
  const name = string(o.name, '$.name', /^[A-Za-z0-9_.-]{1,64}$/, 'a rig name of 1..64 letters, digits, _ . -');
  const bus = decodeBus(o.bus);
  const rateHz = integer(o.rateHz, '$.rateHz', 1, 10_000);
  const channels = array(o.channels, '$.channels', 1, RIG_CHANNELS_MAX).map((c, i) => decodeChannel(c, `$.channels[${i}]`));
  channels.forEach((c, i) => { if (channels.findIndex((d) => d.name === c.name) !== i) fail(`$.channels[${i}].name`, 'a channel name not used before', c.name); });
  const sensors = integer(o.sensors, '$.sensors', 1, RIG_SENSORS_MAX);
  const frames = array(o.frames, '$.frames', 1, RIG_FRAMES_MAX).map((f, i) => decodeFrame(f, `$.frames[${i}]`, bus));
  frames.forEach((f, i) => {
    if (frames.findIndex((g) => g.name === f.name) !== i) fail(`$.frames[${i}].name`, 'a frame name not used before', f.name);
    if (frames.findIndex((g) => g.id === f.id && g.extended === f.extended) !== i) fail(`$.frames[${i}].id`, 'an id not used by an earlier frame (CAN ids are unique on a bus)', f.id);
  });
  return { version: RIG_VERSION, name, bus, rateHz, channels, sensors, frames };
}

/** Validates an already-parsed value. */
export function decodeRigValue(value: unknown): Result<Rig, RigError> {
  try {
    return ok(decodeRigObject(value));
  } catch (error: unknown) {
    if (error instanceof Invalid) return err(error.error);
    throw error;
  }
}

/** Parses and validates a rig file's text. */
export function decodeRig(text: string): Result<Rig, RigError> {
  if (text.length > RIG_TEXT_BYTES_MAX) return err({ code: 'too_large', bytes: text.length, bytesMax: RIG_TEXT_BYTES_MAX });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    return err({ code: 'invalid_json', message: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'parse error' });
  }
  return decodeRigValue(value);
}

/** One frame's line of the bus budget. */
export interface FrameBudget {
  readonly frame: RigFrame;
  /** Worst-case bits (can-utils CFL_WORSTCASE / Davis eq. 1, IFS included), split by bit rate for FD with BRS. */
  readonly nominalBits: number;
  readonly dataBits: number;
  readonly transmissionMicros: number;
  readonly responseMicros: number;
  readonly schedulable: boolean;
}

export interface RigBudget {
  readonly loadPercent: number;
  readonly loadLimitPercent: number;
  readonly frames: readonly FrameBudget[];
  /** Every frame meets its deadline and the load is within the limit. */
  readonly ok: boolean;
}

/** The bus budget of a rig's schedule (Davis et al. 2007 revised analysis, worst-case stuffing). */
export function rigBudget(rig: Rig): RigBudget {
  const bitNs = NS_PER_S / rig.bus.bitRateBps;
  const dataBitNs = rig.bus.dataBitRateBps === undefined ? bitNs : NS_PER_S / rig.bus.dataBitRateBps;
  const lengths = rig.frames.map((f) => (f.fd ? worstCaseFdFrameBits(f.payloadBytes, f.extended, true) : { nominalBits: worstCaseClassicFrameBits(f.payloadBytes, f.extended), dataBits: 0 }));
  const messages: BudgetMessage[] = rig.frames.map((f, i) => ({
    name: f.name,
    priority: arbitrationKey({ id: f.id, extended: f.extended, rtr: false, fd: f.fd, brs: f.fd, esi: false, error: false, data: new Uint8Array(0) }),
    periodNs: f.periodMicros * 1000,
    deadlineNs: f.deadlineMicros * 1000,
    jitterNs: f.jitterMicros * 1000,
    transmissionNs: (lengths[i]?.nominalBits ?? 0) * bitNs + (lengths[i]?.dataBits ?? 0) * dataBitNs,
  }));
  const analysis = analyseCanSchedule(messages, bitNs);
  const frames = rig.frames.map((frame, i) => {
    const result = analysis.results[i];
    const length = lengths[i];
    return {
      frame, nominalBits: length?.nominalBits ?? 0, dataBits: length?.dataBits ?? 0, transmissionMicros: (messages[i]?.transmissionNs ?? 0) / 1000,
      responseMicros: (result?.responseNs ?? Number.POSITIVE_INFINITY) / 1000, schedulable: result?.schedulable ?? false,
    };
  });
  const loadPercent = analysis.utilisationPercent;
  return { loadPercent, loadLimitPercent: rig.bus.loadLimitPercent, frames, ok: frames.every((f) => f.schedulable) && loadPercent <= rig.bus.loadLimitPercent };
}
