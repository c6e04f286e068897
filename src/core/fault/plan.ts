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
import { CHANNEL_NAMES, type ChannelName, type FaultProfile, type FaultSpec, type ProfileError } from './profile.js';

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
  const order = out.map((inj, index) => ({ inj, index }));
  order.sort((a, b) => a.inj.atMicros - b.inj.atMicros || a.index - b.index);
  return ok(order.map((o) => o.inj));
}

export function channelIndexOf(name: ChannelName): number {
  return channelIndex(name);
}
