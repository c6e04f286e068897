/**
 * The fault kinds of issue 14 (docs/FAULTS.md, "Fault sites") as a profile carries them: every
 * kind decodes from JSON with all its fields and with its optional fields absent (absent, not
 * `undefined`: exactOptionalPropertyTypes), every bad value is an error naming its JSON path, the
 * plan resolves open fields deterministically per seed and in range, and checkTargets rejects
 * targets the rig does not have.
 */
import { describe, expect, it, test } from 'vitest';
import { CONTROL_MEMORY_GEOMETRY } from '../../../src/core/channel/channel.js';
import { CONTROL_READ_ONLY_BYTES, REGISTER_NAMES } from '../../../src/core/control/state.js';
import { expandProfile, type FaultGeometry } from '../../../src/core/fault/plan.js';
import {
  COMPUTE_VALUE_NAMES, FAULT_KINDS, parseFaultProfile, VOTER_UPSET_FIELDS, voterFieldSize,
  type FaultProfile, type FaultSpec,
} from '../../../src/core/fault/profile.js';
import { MemoryImage } from '../../../src/core/memory/memory-image.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { testSeed } from '../../support/seed.js';

const SITE_KINDS = ['compute-flip', 'control-flow', 'word-mbu', 'stuck-bit', 'scrubber-upset', 'decoder-upset', 'golden-flip', 'voter-upset', 'command-flip', 'actuator', 'payload-corrupt', 'voter-drop', 'can-masquerade'] as const;

function decodeOne(event: Record<string, unknown>): FaultSpec {
  const r = parseFaultProfile(JSON.stringify({ version: 1, name: 't', events: [{ atS: 1.5, ...event }] }));
  if (!r.ok) throw new Error(`${r.error.path}: ${r.error.message}`);
  const e = r.value.events[0];
  if (e === undefined) throw new Error('no event');
  expect(e.atMicros).toBe(1_500_000);
  return e.fault;
}

/** [JSON event, decoded spec] with every field given. */
const FULL: readonly (readonly [Record<string, unknown>, FaultSpec])[] = [
  [{ kind: 'compute-flip', channel: 'B', value: 'RATE_ERR_X', bit: 27, stage: 2 }, { kind: 'compute-flip', channel: 'B', value: 'RATE_ERR_X', bit: 27, stage: 2 }],
  [{ kind: 'compute-flip', channel: 'C', value: 'SENSOR_AZ', bit: 0, stage: 0 }, { kind: 'compute-flip', channel: 'C', value: 'SENSOR_AZ', bit: 0, stage: 0 }],
  [{ kind: 'control-flow', channel: 'A', mode: 'jump', stage: 1 }, { kind: 'control-flow', channel: 'A', mode: 'jump', stage: 1 }],
  [{ kind: 'word-mbu', channel: 'A', bits: 8, word: 12, bit: 71 }, { kind: 'word-mbu', channel: 'A', bits: 8, word: 12, bit: 71 }],
  [{ kind: 'stuck-bit', channel: 'B', word: 3, bit: 38, value: 1 }, { kind: 'stuck-bit', channel: 'B', word: 3, bit: 38, value: 1 }],
  [{ kind: 'scrubber-upset', channel: 'C', bit: 30 }, { kind: 'scrubber-upset', channel: 'C', bit: 30 }],
  [{ kind: 'decoder-upset', channel: 'A', bit: 31 }, { kind: 'decoder-upset', channel: 'A', bit: 31 }],
  [{ kind: 'golden-flip', channel: 'B', byte: CONTROL_READ_ONLY_BYTES - 1, bit: 7 }, { kind: 'golden-flip', channel: 'B', byte: CONTROL_READ_ONLY_BYTES - 1, bit: 7 }],
  [{ kind: 'voter-upset', lane: 2, field: 'lastVoted', index: 3, bit: 62 }, { kind: 'voter-upset', lane: 2, field: 'lastVoted', index: 3, bit: 62 }],
  [{ kind: 'command-flip', lane: 1, actuator: 3, bit: 15 }, { kind: 'command-flip', lane: 1, actuator: 3, bit: 15 }],
  [{ kind: 'actuator', actuator: 2, mode: 'runaway', value: -20, durationS: 0.25 }, { kind: 'actuator', actuator: 2, mode: 'runaway', value: -20, durationMicros: 250_000 }],
  [{ kind: 'payload-corrupt', id: 0x101, bits: 8, bit: 63 }, { kind: 'payload-corrupt', id: 0x101, bits: 8, bit: 63 }],
  [{ kind: 'voter-drop', id: 0x102 }, { kind: 'voter-drop', id: 0x102 }],
  [{ kind: 'can-masquerade', channel: 'A', value: -5, victim: 'C', durationS: 1 }, { kind: 'can-masquerade', channel: 'A', value: -5, victim: 'C', durationMicros: 1_000_000 }],
  [{ kind: 'sensor', sensor: 2, mode: 'drift', value: -0.1, durationS: 2 }, { kind: 'sensor', sensor: 2, mode: 'drift', value: -0.1, durationMicros: 2_000_000 }],
  [{ kind: 'sensor', sensor: 3, mode: 'scale', value: 0.8 }, { kind: 'sensor', sensor: 3, mode: 'scale', value: 0.8 }],
];

/** [JSON event, decoded spec] with every optional field absent. */
const MINIMAL: readonly (readonly [Record<string, unknown>, FaultSpec])[] = [
  [{ kind: 'compute-flip', channel: 'A' }, { kind: 'compute-flip', channel: 'A' }],
  [{ kind: 'control-flow', channel: 'B', mode: 'stale' }, { kind: 'control-flow', channel: 'B', mode: 'stale' }],
  [{ kind: 'word-mbu', channel: 'C', bits: 3 }, { kind: 'word-mbu', channel: 'C', bits: 3 }],
  [{ kind: 'stuck-bit', channel: 'A' }, { kind: 'stuck-bit', channel: 'A' }],
  [{ kind: 'scrubber-upset', channel: 'B' }, { kind: 'scrubber-upset', channel: 'B' }],
  [{ kind: 'decoder-upset', channel: 'C' }, { kind: 'decoder-upset', channel: 'C' }],
  [{ kind: 'golden-flip', channel: 'A' }, { kind: 'golden-flip', channel: 'A' }],
  [{ kind: 'voter-upset', lane: 0 }, { kind: 'voter-upset', lane: 0 }],
  [{ kind: 'command-flip', lane: 2 }, { kind: 'command-flip', lane: 2 }],
  [{ kind: 'actuator', actuator: 0, mode: 'jam' }, { kind: 'actuator', actuator: 0, mode: 'jam' }],
  [{ kind: 'payload-corrupt' }, { kind: 'payload-corrupt' }],
  [{ kind: 'voter-drop' }, { kind: 'voter-drop' }],
  [{ kind: 'can-masquerade', channel: 'B', value: 5 }, { kind: 'can-masquerade', channel: 'B', value: 5 }],
];

describe('decoding the fault sites', () => {
  it('the tables cover every new kind, fully and minimally', () => {
    for (const kind of SITE_KINDS) {
      expect(FAULT_KINDS).toContain(kind);
      expect(FULL.map(([, s]) => s.kind), kind).toContain(kind);
      expect(MINIMAL.map(([, s]) => s.kind), kind).toContain(kind);
    }
  });

  it.each(FULL.map(([json, spec]) => [spec.kind, json, spec] as const))('%s with every field: %j', (_kind, json, spec) => {
    expect(decodeOne(json)).toStrictEqual(spec);
  });

  it.each(MINIMAL.map(([json, spec]) => [spec.kind, json, spec] as const))('%s with optional fields absent: %j (absent keys, not undefined)', (_kind, json, spec) => {
    const got = decodeOne(json);
    expect(got).toStrictEqual(spec);
    expect(Object.keys(got).sort()).toEqual(Object.keys(spec).sort());
  });

  it('every compute value name decodes; every control-flow mode and voter field too', () => {
    for (const value of COMPUTE_VALUE_NAMES) expect(decodeOne({ kind: 'compute-flip', channel: 'A', value })).toStrictEqual({ kind: 'compute-flip', channel: 'A', value });
    expect(COMPUTE_VALUE_NAMES).toEqual([...REGISTER_NAMES, 'SENSOR_GX', 'SENSOR_GY', 'SENSOR_GZ', 'SENSOR_AX', 'SENSOR_AY', 'SENSOR_AZ']);
    for (const mode of ['skip', 'repeat', 'jump', 'stale', 'wrong-branch']) expect(decodeOne({ kind: 'control-flow', channel: 'C', mode })).toStrictEqual({ kind: 'control-flow', channel: 'C', mode });
    for (const field of VOTER_UPSET_FIELDS) expect(decodeOne({ kind: 'voter-upset', lane: 1, field })).toStrictEqual({ kind: 'voter-upset', lane: 1, field });
  });

  // [event, JSON path, message fragment]
  const BAD: readonly (readonly [Record<string, unknown>, string, string])[] = [
    [{ kind: 'control-flow', channel: 'A', mode: 'leap' }, 'events[0].mode', 'expected one of: skip, repeat, jump, stale, wrong-branch'],
    [{ kind: 'control-flow', channel: 'A' }, 'events[0].mode', 'expected a string'],
    [{ kind: 'control-flow', channel: 'A', mode: 'skip', stage: 4 }, 'events[0].stage', 'from 0 to 3'],
    [{ kind: 'actuator', actuator: 0, mode: 'wobble' }, 'events[0].mode', 'expected one of: jam, hard-over, runaway'],
    [{ kind: 'actuator', actuator: 4, mode: 'jam' }, 'events[0].actuator', 'from 0 to 3'],
    [{ kind: 'word-mbu', channel: 'A', bits: 2 }, 'events[0].bits', 'from 3 to 8, got 2'],
    [{ kind: 'word-mbu', channel: 'A', bits: 9 }, 'events[0].bits', 'from 3 to 8, got 9'],
    [{ kind: 'word-mbu', channel: 'A', bits: 3, bit: 72 }, 'events[0].bit', 'from 0 to 71'],
    [{ kind: 'word-mbu', channel: 'A' }, 'events[0].bits', 'expected a number'],
    [{ kind: 'voter-upset', lane: 3 }, 'events[0].lane', 'from 0 to 2, got 3'],
    [{ kind: 'voter-upset', lane: 0, field: 'colour' }, 'events[0].field', 'expected one of: health'],
    [{ kind: 'voter-upset', lane: 0, bit: 64 }, 'events[0].bit', 'from 0 to 63'],
    [{ kind: 'command-flip', lane: 3 }, 'events[0].lane', 'from 0 to 2, got 3'],
    [{ kind: 'command-flip', lane: 0, bit: 16 }, 'events[0].bit', 'from 0 to 15'],
    [{ kind: 'compute-flip', channel: 'A', value: 'RATE_ERR_W' }, 'events[0].value', 'expected one of: RATE_MEAS_X'],
    [{ kind: 'compute-flip', channel: 'A', bit: 32 }, 'events[0].bit', 'from 0 to 31'],
    [{ kind: 'compute-flip', channel: 'A', stage: 4 }, 'events[0].stage', 'from 0 to 3'],
    [{ kind: 'compute-flip', channel: 'E' }, 'events[0].channel', 'expected a channel name'],
    [{ kind: 'can-masquerade', channel: 'B', value: 5, victim: 'B' }, 'events[0].victim', 'cannot masquerade as itself'],
    [{ kind: 'can-masquerade', channel: 'B', value: 91 }, 'events[0].value', 'from -90 to 90'],
    [{ kind: 'sensor', sensor: 1, mode: 'drift' }, 'events[0].value', "a 'drift' sensor fault needs a value"],
    [{ kind: 'sensor', sensor: 1, mode: 'drift', value: 10.5 }, 'events[0].value', "a 'drift' sensor fault needs a value"],
    [{ kind: 'sensor', sensor: 1, mode: 'scale' }, 'events[0].value', "a 'scale' sensor fault needs a value"],
    [{ kind: 'golden-flip', channel: 'A', byte: CONTROL_READ_ONLY_BYTES }, 'events[0].byte', `from 0 to ${CONTROL_READ_ONLY_BYTES - 1}`],
    [{ kind: 'golden-flip', channel: 'A', bit: 8 }, 'events[0].bit', 'from 0 to 7'],
    [{ kind: 'scrubber-upset', channel: 'A', bit: 31 }, 'events[0].bit', 'from 0 to 30'],
    [{ kind: 'decoder-upset', channel: 'A', bit: 32 }, 'events[0].bit', 'from 0 to 31'],
    [{ kind: 'stuck-bit', channel: 'A', value: 2 }, 'events[0].value', 'from 0 to 1'],
    [{ kind: 'payload-corrupt', bits: 9 }, 'events[0].bits', 'from 1 to 8'],
    [{ kind: 'payload-corrupt', bits: 0 }, 'events[0].bits', 'from 1 to 8'],
    [{ kind: 'voter-drop', receiver: 'A' }, 'events[0].receiver', 'unknown field'],
    [{ kind: 'command-flip', lane: 0, channel: 'A' }, 'events[0].channel', 'unknown field'],
  ];
  it.each(BAD.map(([e, path, message]) => [path, e, message] as const))('names the path %s: %j', (path, event, message) => {
    const r = parseFaultProfile(JSON.stringify({ version: 1, name: 't', events: [{ atS: 1, ...event }] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_profile');
    expect(r.error.path).toBe(path);
    expect(r.error.message).toContain(message);
  });

  it('errors in processes name the process path', () => {
    const r = parseFaultProfile(JSON.stringify({ version: 1, name: 't', processes: [{ kind: 'bus-corrupt', ratePerS: 1 }, { kind: 'word-mbu', channel: 'A', bits: 9, ratePerS: 1 }] }));
    expect(!r.ok && r.error.path).toBe('processes[1].bits');
  });
});

// ---- the plan: open fields resolved from the seed ----------------------------------------

const image = new MemoryImage(CONTROL_MEMORY_GEOMETRY);
const GEOMETRY: FaultGeometry = {
  channelCount: 3, sensorCount: 3, voterLanes: 3, memoryWordCount: image.wordCount, memoryCodeBits: image.code.codeBits,
  memoryPhysicalBits: image.physicalBitCount, registerNames: REGISTER_NAMES, durationMicros: 10_000_000,
};
const profileOf = (faults: readonly FaultSpec[]): FaultProfile => ({ name: 't', description: '', events: faults.map((fault, i) => ({ atMicros: 1000 * i, fault })), processes: [], seu: undefined });

const OPEN: readonly FaultSpec[] = MINIMAL.map(([, s]) => s);

function resolved(seed: number, faults: readonly FaultSpec[] = OPEN, geometry: FaultGeometry = GEOMETRY): FaultSpec[] {
  const r = expandProfile(profileOf(faults), geometry, new Prng(seed));
  if (!r.ok) throw new Error(`${r.error.path}: ${r.error.message}`);
  return r.value.map((i) => i.fault);
}

/** Every field the injector reads is present and in range. */
function expectInRange(f: FaultSpec): void {
  const int = (v: number | undefined, lo: number, hiExclusive: number, what: string): void => {
    expect(v, `${f.kind}.${what}`).toBeDefined();
    expect(Number.isInteger(v) && (v ?? -1) >= lo && (v ?? -1) < hiExclusive, `${f.kind}.${what} = ${String(v)}`).toBe(true);
  };
  switch (f.kind) {
    case 'compute-flip': expect(COMPUTE_VALUE_NAMES).toContain(f.value); int(f.bit, 0, 32, 'bit'); int(f.stage, 0, 4, 'stage'); return;
    case 'control-flow': if (f.mode === 'jump') int(f.stage, 0, 3, 'stage'); return;
    case 'word-mbu': int(f.word, 0, GEOMETRY.memoryWordCount, 'word'); int(f.bit, 0, GEOMETRY.memoryCodeBits, 'bit'); return;
    case 'stuck-bit': int(f.word, 0, GEOMETRY.memoryWordCount, 'word'); int(f.bit, 0, GEOMETRY.memoryCodeBits, 'bit'); int(f.value, 0, 2, 'value'); return;
    case 'scrubber-upset': int(f.bit, 0, 31, 'bit'); return;
    case 'decoder-upset': int(f.bit, 0, 32, 'bit'); return;
    case 'golden-flip': int(f.byte, 0, CONTROL_READ_ONLY_BYTES, 'byte'); int(f.bit, 0, 8, 'bit'); return;
    case 'voter-upset': {
      expect(VOTER_UPSET_FIELDS).toContain(f.field);
      const size = voterFieldSize(f.field ?? 'health', GEOMETRY.channelCount);
      int(f.index, 0, size.length, 'index'); int(f.bit, 0, size.bits, 'bit'); int(f.lane, 0, 3, 'lane');
      return;
    }
    case 'command-flip': int(f.actuator, 0, 4, 'actuator'); int(f.bit, 0, 16, 'bit'); return;
    case 'payload-corrupt': int(f.bits, 1, 9, 'bits'); int(f.bit, 0, 64, 'bit'); return;
    default:
  }
}

describe('expandProfile resolves the open fields of the sites', () => {
  const seed = testSeed('profile-sites plan');

  test(`same seed, same resolved fields; another seed, other fields (seed ${seed})`, () => {
    const a = resolved(seed);
    expect(resolved(seed)).toStrictEqual(a);
    expect(JSON.stringify(resolved(seed + 1))).not.toBe(JSON.stringify(a));
    expect(a.map((f) => f.kind)).toEqual(OPEN.map((f) => f.kind));
  });

  test(`resolved fields are in range, and resolving again changes nothing (seeds ${seed}..${seed + 199})`, () => {
    const seen = new Map<string, Set<string>>();
    for (let s = seed; s < seed + 200; s++) {
      const faults = resolved(s);
      for (const f of faults) {
        expectInRange(f);
        const values = seen.get(f.kind) ?? new Set<string>();
        values.add(JSON.stringify(f));
        seen.set(f.kind, values);
      }
      expect(resolved(s + 7, faults)).toStrictEqual(faults);
    }
    // The draws really vary where there is something to draw.
    for (const kind of ['compute-flip', 'word-mbu', 'stuck-bit', 'scrubber-upset', 'decoder-upset', 'golden-flip', 'voter-upset', 'command-flip', 'payload-corrupt']) {
      expect(seen.get(kind)?.size ?? 0, kind).toBeGreaterThan(5);
    }
  });

  test(`a control-flow without a stage stays stage-less (a whole-step error), except jump (seed ${seed})`, () => {
    const modes = ['skip', 'repeat', 'stale', 'wrong-branch', 'jump'] as const;
    for (let s = seed; s < seed + 50; s++) {
      const faults = resolved(s, modes.map((mode): FaultSpec => ({ kind: 'control-flow', channel: 'A', mode })));
      for (const f of faults.slice(0, 4)) expect('stage' in f, JSON.stringify(f)).toBe(false);
      expectInRange(faults[4] ?? { kind: 'voter-drop' });
    }
  });

  test(`given fields are kept as given (seed ${seed})`, () => {
    const given = FULL.map(([, s]) => s).filter((s) => s.kind !== 'word-mbu' || (s.bit ?? 0) < GEOMETRY.memoryCodeBits);
    expect(resolved(seed, given)).toStrictEqual(given);
  });
});

describe('checkTargets', () => {
  const seed = testSeed('profile-sites checkTargets');

  test.each([
    [{ kind: 'voter-upset', lane: 1 }, 'events[0].lane', '1 voter lane)'],
    [{ kind: 'command-flip', lane: 2, actuator: 0, bit: 3 }, 'events[0].lane', '1 voter lane)'],
  ] as const)('rejects %j on a simplex voter (voterLanes 1)', (fault, path, message) => {
    const r = expandProfile(profileOf([fault]), { ...GEOMETRY, voterLanes: 1 }, new Prng(seed));
    expect(r.ok).toBe(false);
    if (!r.ok) { expect(r.error.path).toBe(path); expect(r.error.message).toContain(message); }
    // Lane 0 is the simplex voter's one lane.
    expect(expandProfile(profileOf([{ ...fault, lane: 0 }]), { ...GEOMETRY, voterLanes: 1 }, new Prng(seed)).ok).toBe(true);
  });

  test.each([
    [{ kind: 'voter-upset', lane: 0, field: 'health', index: 3 }, 'events[0].index'],
    [{ kind: 'voter-upset', lane: 0, field: 'pairLevel', index: 1 }, 'events[0].index'],
    [{ kind: 'voter-upset', lane: 0, field: 'level', index: 0, bit: 32 }, 'events[0].bit'],
    [{ kind: 'word-mbu', channel: 'A', bits: 3, word: GEOMETRY.memoryWordCount }, 'events[0].word'],
    [{ kind: 'word-mbu', channel: 'A', bits: 3, bit: GEOMETRY.memoryCodeBits }, 'events[0].bit'],
    [{ kind: 'stuck-bit', channel: 'B', bit: 39 }, 'events[0].bit'],
    [{ kind: 'compute-flip', channel: 'D' }, 'events[0].channel'],
    [{ kind: 'can-masquerade', channel: 'A', value: 1, victim: 'D' }, 'events[0].victim'],
    [{ kind: 'sensor', sensor: 4, mode: 'drift', value: 0.1 }, 'events[0].sensor'],
  ] as const)(`rejects %j naming %s (seed ${seed})`, (fault, path) => {
    const r = expandProfile(profileOf([fault]), GEOMETRY, new Prng(seed));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.path).toBe(path);
  });

  // Bug (found by these tests): the per-field bounds of a voter-upset are checked only when both
  // `field` and `index` are given. A profile with a field and an out-of-range bit but no index
  // passes the decoder (bit 0..63) and checkTargets, and the flight then dies on an assertion in
  // ActuatorVoter.upsetState ("bad bit 40 for health"), for every seed.
  it(`rejects a voter-upset bit beyond its field when the index is left open (seed ${seed})`, () => {
    const r = expandProfile(profileOf([{ kind: 'voter-upset', lane: 0, field: 'health', bit: 40 }]), GEOMETRY, new Prng(seed));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.path).toBe('events[0].bit');
  });

  // Same bug, seed-dependent: with the field left open, a given index or bit is kept while the
  // field is drawn, so {lane 0, index 5} resolves to e.g. health[5] (3 elements) and crashes the
  // flight ("bad index 5 for probation" on seed 1 of the emulated rig). Either reject it or draw a
  // field it fits.
  it(`a voter-upset with an open field never resolves to an index or bit outside the drawn field (seeds ${seed}..${seed + 49})`, () => {
    for (let s = seed; s < seed + 50; s++) {
      for (const fault of [{ kind: 'voter-upset', lane: 0, index: 5 }, { kind: 'voter-upset', lane: 1, bit: 40 }] as const) {
        const r = expandProfile(profileOf([fault]), GEOMETRY, new Prng(s));
        if (!r.ok) continue;
        for (const inj of r.value) expectInRange(inj.fault);
      }
    }
  });
});
