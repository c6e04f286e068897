/**
 * Expands a fault profile into the concrete injections of one flight: timed events as they
 * are, random processes as Poisson arrivals, SEU rates as arrivals per channel image, and every
 * open field (which word, which bit, which register copy, which wire bit) drawn from the run's
 * seeded PRNG. The result is a plain sorted list, so a profile plus a seed is a pure,
 * replayable description of the faults of a run (docs/FAULTS.md).
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';
import type { Prng } from '../sim/prng.js';
import {
  ACTUATORS, CHANNEL_NAMES, COMMAND_CODE_BITS, COMPUTE_VALUE_NAMES, VOTER_UPSET_FIELDS, voterFieldSize,
  type ChannelName, type FaultProfile, type FaultSpec, type ProfileError,
} from './profile.js';
import { CONTROL_READ_ONLY_BYTES } from '../control/state.js';
import { STUCK_BITS_MAX } from '../memory/memory-image.js';

/** Most injections one flight may hold (a bound on a mistyped rate). */
export const INJECTIONS_MAX = 200_000;

export interface FaultGeometry {
  readonly channelCount: number;
  readonly sensorCount: number;
  readonly memoryWordCount: number;
  readonly memoryCodeBits: number;
  readonly memoryPhysicalBits: number;
  readonly registerNames: readonly string[];
  readonly durationMicros: number;
  /** Voter lanes of the rig (default 3). */
  readonly voterLanes?: number;
}

export type InjectionSource = 'event' | 'process' | 'seu';

export interface Injection {
  readonly atMicros: number;
  /** Every optional field the kind has is resolved (word, bit, register, copy, physicalBit). */
  readonly fault: FaultSpec;
  readonly source: InjectionSource;
  /** register-flip: the law stage (0..2) after which the copy is flipped (a mid-computation upset). */
  readonly stage: number;
  /** bus-corrupt: the wire bit flipped (0 = SOF; within every 8-byte classic frame). */
  readonly wireBit: number;
}

const WIRE_BIT_FIRST = 1;
const WIRE_BIT_LAST = 100;

function channelIndex(name: ChannelName): number {
  return CHANNEL_NAMES.indexOf(name);
}

function badTarget(path: string, message: string): Result<never, ProfileError> {
  return err({ code: 'invalid_profile', path, message });
}

/** Checks the profile's channel and sensor references against the rig. */
function checkTargets(spec: FaultSpec, geometry: FaultGeometry, path: string): Result<void, ProfileError> {
  if ('channel' in spec && channelIndex(spec.channel) >= geometry.channelCount) return badTarget(`${path}.channel`, `channel ${spec.channel} is not on this rig (${geometry.channelCount} channels)`);
  if (spec.kind === 'bus-drop' && channelIndex(spec.receiver) >= geometry.channelCount) return badTarget(`${path}.receiver`, `channel ${spec.receiver} is not on this rig`);
  if (spec.kind === 'sensor' && spec.sensor > geometry.sensorCount) return badTarget(`${path}.sensor`, `sensor ${spec.sensor} is not on this rig (${geometry.sensorCount} sensors)`);
  if (spec.kind === 'memory-flip' && spec.word !== undefined && spec.word >= geometry.memoryWordCount) return badTarget(`${path}.word`, `word ${spec.word} outside the image (${geometry.memoryWordCount} words)`);
  if (spec.kind === 'memory-flip' && spec.bit !== undefined && spec.bit >= geometry.memoryCodeBits) return badTarget(`${path}.bit`, `bit ${spec.bit} outside the code word (${geometry.memoryCodeBits} bits)`);
  if (spec.kind === 'register-flip' && spec.register !== undefined && !geometry.registerNames.includes(spec.register)) return badTarget(`${path}.register`, `unknown register '${spec.register}'`);
  if ((spec.kind === 'word-mbu' || spec.kind === 'stuck-bit') && spec.word !== undefined && spec.word >= geometry.memoryWordCount) return badTarget(`${path}.word`, `word ${spec.word} outside the image (${geometry.memoryWordCount} words)`);
  if ((spec.kind === 'word-mbu' || spec.kind === 'stuck-bit') && spec.bit !== undefined && spec.bit >= geometry.memoryCodeBits) return badTarget(`${path}.bit`, `bit ${spec.bit} outside the code word (${geometry.memoryCodeBits} bits)`);
  const lanes = geometry.voterLanes ?? 3;
  if ((spec.kind === 'voter-upset' || spec.kind === 'command-flip') && spec.lane >= lanes) return badTarget(`${path}.lane`, `lane ${spec.lane} is not on this rig (${lanes} voter lane${lanes === 1 ? '' : 's'})`);
  if (spec.kind === 'voter-upset' && spec.field !== undefined) {
    const size = voterFieldSize(spec.field, geometry.channelCount);
    if (spec.index !== undefined && spec.index >= size.length) return badTarget(`${path}.index`, `${spec.field} has ${size.length} element${size.length === 1 ? '' : 's'}`);
    if (spec.bit !== undefined && spec.bit >= size.bits) return badTarget(`${path}.bit`, `${spec.field} elements have ${size.bits} bits`);
  }
  if (spec.kind === 'can-masquerade' && spec.victim !== undefined && channelIndex(spec.victim) >= geometry.channelCount) return badTarget(`${path}.victim`, `channel ${spec.victim} is not on this rig`);
  return ok(undefined);
}

/** Draws every open field of `spec`. */
function resolve(spec: FaultSpec, geometry: FaultGeometry, prng: Prng): FaultSpec {
  switch (spec.kind) {
    case 'memory-flip':
      return { ...spec, word: spec.word ?? prng.nextInt(geometry.memoryWordCount), bit: spec.bit ?? prng.nextInt(geometry.memoryCodeBits) };
    case 'mbu':
      return { ...spec, physicalBit: spec.physicalBit ?? prng.nextInt(Math.max(1, geometry.memoryPhysicalBits - spec.bits)) };
    case 'register-flip':
      return {
        ...spec,
        register: spec.register ?? geometry.registerNames[prng.nextInt(geometry.registerNames.length)] ?? '',
        copy: spec.copy ?? prng.nextInt(3),
        bit: spec.bit ?? prng.nextInt(32),
      };
    case 'compute-flip':
      return { ...spec, value: spec.value ?? COMPUTE_VALUE_NAMES[prng.nextInt(COMPUTE_VALUE_NAMES.length)] ?? 'ACT_OUT_0', bit: spec.bit ?? prng.nextInt(32), stage: spec.stage ?? prng.nextInt(4) };
    case 'control-flow':
      return spec.mode === 'jump' && spec.stage === undefined ? { ...spec, stage: prng.nextInt(3) } : spec;
    case 'word-mbu':
      return { ...spec, word: spec.word ?? prng.nextInt(geometry.memoryWordCount), bit: spec.bit ?? prng.nextInt(geometry.memoryCodeBits) };
    case 'stuck-bit':
      return { ...spec, word: spec.word ?? prng.nextInt(geometry.memoryWordCount), bit: spec.bit ?? prng.nextInt(geometry.memoryCodeBits), value: spec.value ?? prng.nextInt(2) };
    case 'scrubber-upset':
      return { ...spec, bit: spec.bit ?? prng.nextInt(7) };
    case 'decoder-upset':
      return { ...spec, bit: spec.bit ?? prng.nextInt(32) };
    case 'golden-flip':
      return { ...spec, byte: spec.byte ?? prng.nextInt(CONTROL_READ_ONLY_BYTES), bit: spec.bit ?? prng.nextInt(8) };
    case 'voter-upset': {
      const field = spec.field ?? VOTER_UPSET_FIELDS[prng.nextInt(VOTER_UPSET_FIELDS.length)] ?? 'health';
      const size = voterFieldSize(field, geometry.channelCount);
      // A given index or bit of a drawn field (a FaultSpec built in code; profiles must name the field) wraps into it.
      const index = spec.index === undefined ? prng.nextInt(size.length) : spec.index % size.length;
      return { ...spec, field, index, bit: spec.bit === undefined ? prng.nextInt(size.bits) : spec.bit % size.bits };
    }
    case 'command-flip':
      return { ...spec, actuator: spec.actuator ?? prng.nextInt(ACTUATORS), bit: spec.bit ?? prng.nextInt(COMMAND_CODE_BITS) };
    case 'payload-corrupt':
      return { ...spec, bits: spec.bits ?? 1, bit: spec.bit ?? prng.nextInt(64) };
    default:
      return spec;
  }
}

function injection(atMicros: number, spec: FaultSpec, source: InjectionSource, geometry: FaultGeometry, prng: Prng): Injection {
  return {
    atMicros,
    fault: resolve(spec, geometry, prng),
    source,
    stage: prng.nextInt(3),
    wireBit: WIRE_BIT_FIRST + prng.nextInt(WIRE_BIT_LAST - WIRE_BIT_FIRST + 1),
  };
}

/** Poisson arrival times in [from, until) at `ratePerS`, appended to `out` via `add`. */
function arrivals(ratePerS: number, fromMicros: number, untilMicros: number, prng: Prng, add: (atMicros: number) => void): Result<void, string> {
  if (ratePerS <= 0) return ok(undefined);
  let t = fromMicros;
  for (let n = 0; n <= INJECTIONS_MAX; n++) {
    t += Math.max(1, Math.round((-Math.log(1 - prng.nextFloat()) / ratePerS) * 1e6));
    if (t >= untilMicros) return ok(undefined);
    add(t);
  }
  return err(`more than ${INJECTIONS_MAX} arrivals`);
}

function seuInjections(profile: FaultProfile, geometry: FaultGeometry, prng: Prng, out: Injection[]): Result<void, ProfileError> {
  const seu = profile.seu;
  if (seu === undefined) return ok(undefined);
  for (const [i, name] of seu.channels.entries()) {
    const r = checkTargets({ kind: 'channel-crash', channel: name }, geometry, `seu.channels[${i}]`);
    if (!r.ok) return r;
    const memoryRate = seu.memoryPerBitPerS * geometry.memoryPhysicalBits;
    const m = arrivals(memoryRate, 0, geometry.durationMicros, prng, (t) => {
      const mbu = seu.mbuProbability > 0 && prng.nextBool(seu.mbuProbability);
      const spec: FaultSpec = mbu ? { kind: 'mbu', channel: name, bits: 2 + prng.nextInt(seu.mbuBitsMax - 1) } : { kind: 'memory-flip', channel: name };
      out.push(injection(t, spec, 'seu', geometry, prng));
    });
    const registerRate = seu.registerPerBitPerS * geometry.registerNames.length * 3 * 32;
    const g = m.ok ? arrivals(registerRate, 0, geometry.durationMicros, prng, (t) => out.push(injection(t, { kind: 'register-flip', channel: name }, 'seu', geometry, prng))) : m;
    if (!g.ok) return badTarget('seu', g.error);
  }
  return ok(undefined);
}

/**
 * The injections of one flight, sorted by time (stable: events, then processes, then SEUs at
 * the same instant). Errors name the profile path of a target the rig does not have.
 */
export function expandProfile(profile: FaultProfile, geometry: FaultGeometry, prng: Prng): Result<Injection[], ProfileError> {
  assert(geometry.channelCount >= 1 && geometry.memoryWordCount >= 1 && geometry.registerNames.length >= 1, 'fault geometry');
  const out: Injection[] = [];
  for (const [i, event] of profile.events.entries()) {
    const r = checkTargets(event.fault, geometry, `events[${i}]`);
    if (!r.ok) return r;
    if (event.atMicros < geometry.durationMicros) out.push(injection(event.atMicros, event.fault, 'event', geometry, prng));
  }
  for (const [i, process] of profile.processes.entries()) {
    const r = checkTargets(process.fault, geometry, `processes[${i}]`);
    if (!r.ok) return r;
    const until = Math.min(process.untilMicros, geometry.durationMicros);
    const a = arrivals(process.ratePerS, process.fromMicros, until, prng, (t) => out.push(injection(t, process.fault, 'process', geometry, prng)));
    if (!a.ok) return badTarget(`processes[${i}].ratePerS`, a.error);
  }
  const s = seuInjections(profile, geometry, prng, out);
  if (!s.ok) return s;
  if (out.length > INJECTIONS_MAX) return badTarget('$', `the profile produces ${out.length} injections (at most ${INJECTIONS_MAX})`);
  const stuck = new Array<number>(geometry.channelCount).fill(0);
  for (const inj of out) if (inj.fault.kind === 'stuck-bit') stuck[channelIndex(inj.fault.channel)] = (stuck[channelIndex(inj.fault.channel)] ?? 0) + 1;
  const most = Math.max(0, ...stuck);
  if (most > STUCK_BITS_MAX) return badTarget('$', `the profile sticks ${most} cells of one channel's image (at most ${STUCK_BITS_MAX})`);
  const order = out.map((inj, index) => ({ inj, index }));
  order.sort((a, b) => a.inj.atMicros - b.inj.atMicros || a.index - b.index);
  return ok(order.map((o) => o.inj));
}

export function channelIndexOf(name: ChannelName): number {
  return channelIndex(name);
}
