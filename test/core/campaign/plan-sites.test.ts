/**
 * The campaign's new targets (src/core/campaign/plan.ts, docs/FAULTS.md "Fault sites"): each
 * target enumerates distinct, well-named locations of the kinds it claims, every location is a
 * fault the flight accepts as it is, and the classes (`double`, `common-mode`) add exactly the
 * faults they describe while leaving the first wave's single-fault plans byte-identical (checked
 * against the recorded campaign of test/sim/fixtures/campaign-emulated-60.json).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_FAULT_SPACE } from '../../../src/campaign/models.js';
import {
  CampaignPlan, commonModeFaults, describeLocation, DOUBLE_WINDOW_MICROS, evenCounts, faultAtLocation, locationCount, TARGETS,
  type CampaignPlanConfig, type FaultSpaceShape, type Target,
} from '../../../src/core/campaign/plan.js';
import { CONTROL_MEMORY_GEOMETRY } from '../../../src/core/channel/channel.js';
import { CONTROL_READ_ONLY_BYTES, REGISTER_NAMES } from '../../../src/core/control/state.js';
import { expandProfile, type FaultGeometry } from '../../../src/core/fault/plan.js';
import { COMPUTE_VALUE_NAMES, VOTER_LANES_MAX, VOTER_UPSET_FIELDS, voterFieldSize, type FaultKind, type FaultSpec } from '../../../src/core/fault/profile.js';
import { MemoryImage } from '../../../src/core/memory/memory-image.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { testSeed } from '../../support/seed.js';

const image = new MemoryImage(CONTROL_MEMORY_GEOMETRY);
/** The emulated rig's fault space (src/campaign/models.ts emulatedShape): what a campaign of real flights plans over. */
const SHAPE: FaultSpaceShape = { ...SYNTHETIC_FAULT_SPACE, memoryWords: image.wordCount, memoryCodeBits: image.code.codeBits };
const GEOMETRY: FaultGeometry = {
  channelCount: 3, sensorCount: 3, voterLanes: 3, memoryWordCount: image.wordCount, memoryCodeBits: image.code.codeBits,
  memoryPhysicalBits: image.physicalBitCount, registerNames: REGISTER_NAMES, durationMicros: 10_000_000,
};

const NEW_TARGETS = ['compute', 'control-flow', 'memory-mbu', 'stuck', 'ecc-logic', 'golden', 'voter', 'actuator', 'bus-e2e', 'sensor-shape'] as const satisfies readonly Target[];
const KINDS: Readonly<Record<(typeof NEW_TARGETS)[number], readonly FaultKind[]>> = {
  compute: ['compute-flip'], 'control-flow': ['control-flow'], 'memory-mbu': ['word-mbu'], stuck: ['stuck-bit'],
  'ecc-logic': ['scrubber-upset', 'decoder-upset'], golden: ['golden-flip'], voter: ['voter-upset', 'command-flip'],
  actuator: ['actuator'], 'bus-e2e': ['payload-corrupt', 'voter-drop', 'can-masquerade'], 'sensor-shape': ['sensor'],
};
const SMALL: readonly Target[] = ['actuator', 'control-flow', 'ecc-logic', 'sensor-shape', 'bus-e2e', 'voter', 'golden'];

function all(target: Target): FaultSpec[] {
  return Array.from({ length: locationCount(target, SHAPE) }, (_, i) => faultAtLocation(target, SHAPE, i));
}

/** The fault as the flight would inject it: checked against the rig and with no field left to draw. */
function asInjected(fault: FaultSpec, seed: number): FaultSpec {
  const r = expandProfile({ name: 't', description: '', events: [{ atMicros: 0, fault }], processes: [], seu: undefined }, GEOMETRY, new Prng(seed));
  if (!r.ok) throw new Error(`${JSON.stringify(fault)}: ${r.error.path}: ${r.error.message}`);
  const f = r.value[0]?.fault;
  if (f === undefined) throw new Error('no injection');
  return f;
}

describe('the new targets', () => {
  const seed = testSeed('plan-sites locations');

  it.each(NEW_TARGETS.map((t) => [t]))(`%s: locations of its kinds at 0, count-1 and random indices, each named (seed ${seed})`, (target) => {
    expect(TARGETS).toContain(target);
    const count = locationCount(target, SHAPE);
    expect(count).toBeGreaterThan(0);
    const prng = new Prng(seed);
    for (const i of [0, count - 1, ...Array.from({ length: 20 }, () => prng.nextInt(count))]) {
      const f = faultAtLocation(target, SHAPE, i);
      expect(KINDS[target], `${target}[${i}]`).toContain(f.kind);
      if (target === 'sensor-shape' && f.kind === 'sensor') expect(['drift', 'scale']).toContain(f.mode);
      expect(describeLocation(f).length).toBeGreaterThan(0);
      expect(describeLocation(f)).not.toContain('?');
    }
    expect(() => faultAtLocation(target, SHAPE, count)).toThrow();
    expect(() => faultAtLocation(target, SHAPE, -1)).toThrow();
  });

  it.each(SMALL.map((t) => [t]))('%s: every location index is a distinct fault with a distinct name', (target) => {
    const faults = all(target);
    expect(new Set(faults.map((f) => JSON.stringify(f))).size).toBe(faults.length);
    expect(new Set(faults.map(describeLocation)).size).toBe(faults.length);
  });

  it.each(['compute', 'memory-mbu', 'stuck'] as const)('%s (large): every location has a distinct name', (target) => {
    const names = new Set<string>();
    const count = locationCount(target, SHAPE);
    for (let i = 0; i < count; i++) names.add(describeLocation(faultAtLocation(target, SHAPE, i)));
    expect(names.size).toBe(count);
  });

  it('the sizes are the products the docs state', () => {
    const channels = SHAPE.channels.length;
    const perLane = VOTER_UPSET_FIELDS.reduce((s, f) => s + voterFieldSize(f, channels).length * voterFieldSize(f, channels).bits, 0);
    expect(perLane).toBe(3 * 8 + 3 * 32 + 4 * 64 + 4 * 64 + 3 * 32 + 3 * 64 + 32);
    expect(locationCount('voter', SHAPE)).toBe(VOTER_LANES_MAX * (perLane + 4 * 16));
    expect(locationCount('compute', SHAPE)).toBe(channels * COMPUTE_VALUE_NAMES.length * 32 * 4);
    expect(locationCount('control-flow', SHAPE)).toBe(channels * (4 + 4 + 3 + 2));
    expect(locationCount('memory-mbu', SHAPE)).toBe(channels * 76 * 39 * 6);
    expect(locationCount('stuck', SHAPE)).toBe(channels * 76 * 39 * 2);
    expect(locationCount('ecc-logic', SHAPE)).toBe(channels * (7 + 32));
    expect(locationCount('golden', SHAPE)).toBe(channels * CONTROL_READ_ONLY_BYTES * 8);
    expect(locationCount('actuator', SHAPE)).toBe(4 * 7);
    expect(locationCount('bus-e2e', SHAPE)).toBe(SHAPE.busIds.length * 3 + channels * (channels - 1) * 2);
    expect(locationCount('sensor-shape', SHAPE)).toBe(SHAPE.sensors.length * 7);
  });

  it('the voter target is every (lane, field, element, bit) once, then every (lane, actuator, code bit) once', () => {
    const expected = new Set<string>();
    for (let lane = 0; lane < VOTER_LANES_MAX; lane++) {
      for (const field of VOTER_UPSET_FIELDS) {
        const z = voterFieldSize(field, 3);
        for (let index = 0; index < z.length; index++) for (let bit = 0; bit < z.bits; bit++) expected.add(`u ${lane} ${field} ${index} ${bit}`);
      }
      for (let actuator = 0; actuator < 4; actuator++) for (let bit = 0; bit < 16; bit++) expected.add(`c ${lane} ${actuator} ${bit}`);
    }
    const got = all('voter').map((f) => f.kind === 'voter-upset' ? `u ${f.lane} ${f.field ?? '?'} ${f.index ?? '?'} ${f.bit ?? '?'}` : f.kind === 'command-flip' ? `c ${f.lane} ${f.actuator ?? '?'} ${f.bit ?? '?'}` : f.kind);
    expect(new Set(got)).toEqual(expected);
  });

  it('control-flow covers every (mode, stage) CFCSS checks and the unsigned errors, on every channel', () => {
    const got = new Set(all('control-flow').map(describeLocation));
    for (const ch of SHAPE.channels) {
      for (const s of [0, 1, 2, 3]) { expect(got).toContain(`${ch} skip stage ${s}`); expect(got).toContain(`${ch} repeat stage ${s}`); }
      for (const s of [0, 1, 2]) expect(got).toContain(`${ch} jump stage ${s}`);
      expect(got).toContain(`${ch} stale`);
      expect(got).toContain(`${ch} wrong-branch`);
    }
  });

  it(`every location of every new target is accepted by the flight's plan, as given (sampled, seed ${seed})`, () => {
    const prng = new Prng(seed ^ 0x5a);
    for (const target of NEW_TARGETS) {
      const count = locationCount(target, SHAPE);
      const indices = count <= 5000 ? Array.from({ length: count }, (_, i) => i) : Array.from({ length: 3000 }, () => prng.nextInt(count));
      for (const i of indices) {
        const f = faultAtLocation(target, SHAPE, i);
        const injected = asInjected(f, seed + i);
        // payload-corrupt locations leave the payload bit to the flight's draw (one location per id and width).
        if (f.kind === 'payload-corrupt') expect({ ...injected, bit: undefined }).toEqual({ ...f, bit: undefined });
        else expect(injected, `${target}[${i}]`).toStrictEqual(f);
      }
    }
  });
});

// ---- the classes ---------------------------------------------------------------------------

/** The field a replica differs in, by kind. */
function replicaKey(f: FaultSpec): string {
  if (f.kind === 'voter-upset' || f.kind === 'command-flip') return `lane ${f.lane}`;
  if (f.kind === 'sensor') return `sensor ${f.sensor}`;
  if ('channel' in f) return `channel ${f.channel}`;
  if ('id' in f) return `id ${String(f.id)}`;
  return 'none';
}

/** `f` with its replica field blanked: equal for every replica of one fault. */
function sansReplica(f: FaultSpec): string {
  const o: Record<string, unknown> = { ...f };
  if (f.kind === 'voter-upset' || f.kind === 'command-flip') delete o.lane;
  else if (f.kind === 'sensor') delete o.sensor;
  else if ('channel' in f) delete o.channel;
  else if ('id' in f) delete o.id;
  return JSON.stringify(o);
}

const baseConfig = (seed: number, counts: CampaignPlanConfig['counts']): CampaignPlanConfig => ({ seed, durationS: 10, rateHz: 250, counts });

/** Rows 0..199 of `plan` carry the same seed, target and first fault as the single-class plan's. */
function expectFirstFaultsOfSingleClass(plan: CampaignPlan, seed: number, counts: Parameters<typeof baseConfig>[1]): void {
  const single = new CampaignPlan(baseConfig(seed, counts), SHAPE);
  for (let row = 0; row < 200; row++) {
    const a = single.row(row);
    const b = plan.row(row);
    expect([b.seed, b.target, b.fault]).toStrictEqual([a.seed, a.target, a.fault]);
  }
}

describe('common-mode rows', () => {
  const seed = testSeed('plan-sites common-mode');
  const counts = evenCounts(NEW_TARGETS, 600);
  const plan = new CampaignPlan({ ...baseConfig(seed, counts), faultClass: 'common-mode' }, SHAPE);

  it(`every row's fault is repeated in every other replica, at the same instant (seed ${seed})`, () => {
    for (let row = 0; row < plan.total; row++) {
      const r = plan.row(row);
      const f = r.fault.fault;
      const extras = r.extra.map((e) => e.fault);
      for (const e of r.extra) expect(e.atMicros).toBe(r.fault.atMicros);
      for (const e of extras) {
        expect(e.kind).toBe(f.kind);
        expect(sansReplica(e)).toBe(sansReplica(f));
      }
      const keys = [f, ...extras].map(replicaKey);
      expect(new Set(keys).size, r.location).toBe(keys.length);
      const expected = f.kind === 'voter-upset' || f.kind === 'command-flip' ? VOTER_LANES_MAX
        : f.kind === 'sensor' ? SHAPE.sensors.length
        : f.kind === 'can-masquerade' || f.kind === 'actuator' ? 1
        : 'channel' in f ? SHAPE.channels.length
        : f.kind === 'payload-corrupt' || f.kind === 'voter-drop' ? 3 // three senders of each frame kind (0x101..0x103, ...)
        : 1;
      expect(keys.length, r.location).toBe(expected);
      expect(r.location).toBe(expected === 1 ? describeLocation(f) : `${describeLocation(f)} in all ${expected}`);
    }
  });

  it.each([
    [{ kind: 'compute-flip', channel: 'A', value: 'ACT_OUT_0', bit: 30, stage: 3 }, ['B', 'C']],
    [{ kind: 'control-flow', channel: 'C', mode: 'skip', stage: 1 }, ['A', 'B']],
    [{ kind: 'golden-flip', channel: 'B', byte: 9, bit: 2 }, ['A', 'C']],
  ] as const)('%j gets extras on channels %j', (fault, others) => {
    const replicas = commonModeFaults(fault, SHAPE).filter((f) => describeLocation(f) !== describeLocation(fault));
    expect(replicas).toStrictEqual(others.map((channel) => ({ ...fault, channel })));
  });

  it('a voter-upset on lane 1 gets lanes 0 and 2; a command flip on lane 0 gets lanes 1 and 2', () => {
    const v: FaultSpec = { kind: 'voter-upset', lane: 1, field: 'level', index: 2, bit: 30 };
    expect(commonModeFaults(v, SHAPE)).toStrictEqual([0, 1, 2].map((lane) => ({ ...v, lane })));
    const c: FaultSpec = { kind: 'command-flip', lane: 0, actuator: 1, bit: 14 };
    expect(commonModeFaults(c, SHAPE).filter((f) => describeLocation(f) !== describeLocation(c))).toStrictEqual([1, 2].map((lane) => ({ ...c, lane })));
  });

  it('an actuator fault and a forged sender have no replica', () => {
    for (const f of [{ kind: 'actuator', actuator: 2, mode: 'jam' }, { kind: 'can-masquerade', channel: 'A', victim: 'B', value: 5, durationMicros: 1e6 }] as const) {
      expect(commonModeFaults(f, SHAPE)).toStrictEqual([f]);
    }
  });

  it(`the row's own fault, seed and target are the single-class row's (seed ${seed})`, () => {
    expectFirstFaultsOfSingleClass(plan, seed, counts);
  });
});

describe('double rows', () => {
  const seed = testSeed('plan-sites double');
  const counts = evenCounts([...NEW_TARGETS, 'memory', 'sensor'], 500);
  const plan = new CampaignPlan({ ...baseConfig(seed, counts), faultClass: 'double' }, SHAPE);
  const kindsOfCounts = new Set(counts.flatMap((c) => all(c.target).map((f) => f.kind)));

  it(`one extra fault, later than the first and within ${DOUBLE_WINDOW_MICROS / 1e6} s, from the campaign's targets (seed ${seed})`, () => {
    const offsets = new Set<number>();
    for (let row = 0; row < plan.total; row++) {
      const r = plan.row(row);
      expect(r.extra.length).toBe(1);
      const second = r.extra[0];
      if (second === undefined) continue;
      const dt = second.atMicros - r.fault.atMicros;
      expect(dt, r.location).toBeGreaterThan(0);
      expect(dt, r.location).toBeLessThanOrEqual(DOUBLE_WINDOW_MICROS);
      expect(kindsOfCounts).toContain(second.fault.kind);
      expect(r.location).toContain(` + `);
      expect(r.location).toContain(describeLocation(second.fault));
      offsets.add(dt);
    }
    // The second fault's time is drawn, not fixed.
    expect(offsets.size).toBeGreaterThan(50);
  });

  it(`the row's own fault, seed and target are the single-class row's (seed ${seed})`, () => {
    expectFirstFaultsOfSingleClass(plan, seed, counts);
  });
});

describe('single rows are the first wave\'s, unchanged', () => {
  const seed = testSeed('plan-sites single');

  it.each([[TARGETS.slice(0, 6)], [TARGETS], [NEW_TARGETS]] as const)(`faultClass 'single' and no faultClass give byte-identical rows 0..199 (%j, seed ${seed})`, (targets) => {
    const counts = evenCounts(targets, 400);
    const none = new CampaignPlan(baseConfig(seed, counts), SHAPE);
    const single = new CampaignPlan({ ...baseConfig(seed, counts), faultClass: 'single' }, SHAPE);
    for (let row = 0; row < 200; row++) {
      const a = none.row(row);
      expect(JSON.stringify(single.row(row))).toBe(JSON.stringify(a));
      expect(a.extra).toEqual([]);
    }
  });

  it('a recorded first-wave campaign (test/sim/fixtures/campaign-emulated-60.json) plans the same rows today', () => {
    const fixture = JSON.parse(readFileSync('test/sim/fixtures/campaign-emulated-60.json', 'utf8')) as { results: string[] };
    const lines = fixture.results.map((l) => JSON.parse(l) as Record<string, unknown>);
    const header = lines[0] as { config: { seed: number; durationS: number; rateHz: number; counts: CampaignPlanConfig['counts']; shape: FaultSpaceShape } };
    const plan = new CampaignPlan({ seed: header.config.seed, durationS: header.config.durationS, rateHz: header.config.rateHz, counts: header.config.counts }, header.config.shape);
    const rows = lines.filter((l) => l.type === 'row') as unknown as { row: number; fault: { target: string; location: string; timeS: number; spec: FaultSpec } }[];
    expect(rows.length).toBe(60);
    for (const r of rows) {
      const p = plan.row(r.row);
      expect({ target: p.target, location: p.location, timeS: p.fault.atMicros / 1e6, spec: p.fault.fault }).toStrictEqual(r.fault);
      expect(p.extra).toEqual([]);
    }
  });
});
