import { describe, expect, test } from 'vitest';
import { expandProfile, type FaultGeometry } from '../../../src/core/fault/plan.js';
import { FAULT_KINDS, type FaultProfile, type FaultSpec } from '../../../src/core/fault/profile.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { testSeed } from '../../support/seed.js';

const BYZANTINE: ReadonlySet<string> = new Set(['two-faced', 'masquerade', 'replay']);
const GEOMETRY: FaultGeometry = {
  channelCount: 3, sensorCount: 3, memoryWordCount: 76, memoryCodeBits: 39, memoryPhysicalBits: 76 * 39,
  registerNames: ['R0', 'R1', 'R2'], durationMicros: 60_000_000,
};
const profile = (p: Partial<FaultProfile>): FaultProfile => ({ name: 't', description: '', events: [], processes: [], seu: undefined, ...p });

describe('expandProfile', () => {
  const seed = testSeed('injector');

  test('is deterministic per seed and differs between seeds', () => {
    const p = profile({ processes: [{ ratePerS: 2, fromMicros: 0, untilMicros: 60_000_000, fault: { kind: 'memory-flip', channel: 'A' } }] });
    const a = expandProfile(p, GEOMETRY, new Prng(seed));
    const b = expandProfile(p, GEOMETRY, new Prng(seed));
    const c = expandProfile(p, GEOMETRY, new Prng(seed + 1));
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  test('Poisson arrivals come at roughly the configured rate, sorted, inside the window', () => {
    const p = profile({ processes: [{ ratePerS: 5, fromMicros: 10_000_000, untilMicros: 50_000_000, fault: { kind: 'bus-corrupt' } }] });
    const r = expandProfile(p, GEOMETRY, new Prng(seed));
    if (!r.ok) throw new Error(r.error.message);
    // 200 expected; ±5σ (σ = √200 ≈ 14) with the fixed seed.
    expect(r.value.length).toBeGreaterThan(130);
    expect(r.value.length).toBeLessThan(270);
    for (let i = 0; i < r.value.length; i++) {
      const t = r.value[i]?.atMicros ?? 0;
      expect(t >= 10_000_000 && t < 50_000_000).toBe(true);
      if (i > 0) expect(t).toBeGreaterThanOrEqual(r.value[i - 1]?.atMicros ?? 0);
    }
  });

  test('SEU rates: arrivals per channel image scale with bits × rate', () => {
    const p = profile({ seu: { memoryPerBitPerS: 1e-4, registerPerBitPerS: 0, channels: ['A', 'B'], mbuProbability: 0, mbuBitsMax: 2 } });
    const r = expandProfile(p, GEOMETRY, new Prng(seed));
    if (!r.ok) throw new Error(r.error.message);
    const expected = 1e-4 * GEOMETRY.memoryPhysicalBits * 60 * 2; // ≈ 35.6
    expect(r.value.length).toBeGreaterThan(expected / 3);
    expect(r.value.length).toBeLessThan(expected * 3);
    expect(r.value.every((i) => i.source === 'seu' && i.fault.kind === 'memory-flip')).toBe(true);
  });

  test('every fault kind expands, with its open fields drawn in range', () => {
    const specs: FaultSpec[] = [
      { kind: 'memory-flip', channel: 'A' }, { kind: 'mbu', channel: 'B', bits: 3 }, { kind: 'register-flip', channel: 'C' },
      { kind: 'bus-corrupt' }, { kind: 'bus-drop', receiver: 'A' }, { kind: 'bus-delay', delayMicros: 100 }, { kind: 'bus-duplicate' },
      { kind: 'babble', durationMicros: 1000 }, { kind: 'channel-crash', channel: 'A' }, { kind: 'channel-hang', channel: 'B', durationMicros: 1000 },
      { kind: 'sensor', sensor: 1, mode: 'dead' }, { kind: 'wrong-command', channel: 'C', offsetDeg: 3, durationMicros: 1000 },
      { kind: 'clock-drift', channel: 'A', ppm: 500 }, { kind: 'clock-jump', channel: 'A', jumpMicros: 2000 },
      { kind: 'compute-flip', channel: 'A' }, { kind: 'control-flow', channel: 'B', mode: 'jump' }, { kind: 'word-mbu', channel: 'C', bits: 3 },
      { kind: 'stuck-bit', channel: 'A' }, { kind: 'scrubber-upset', channel: 'B' }, { kind: 'decoder-upset', channel: 'C' },
      { kind: 'golden-flip', channel: 'A' }, { kind: 'voter-upset', lane: 1 }, { kind: 'command-flip', lane: 2 },
      { kind: 'actuator', actuator: 1, mode: 'jam' }, { kind: 'payload-corrupt' }, { kind: 'voter-drop' },
      { kind: 'can-masquerade', channel: 'A', value: 5 },
    ];
    const covered = new Set(specs.map((s) => s.kind));
    // Byzantine kinds (two-faced, masquerade, replay) need the p2p links and 4 channels: test/core/byzantine covers them.
    for (const k of FAULT_KINDS.filter((kind) => !BYZANTINE.has(kind))) expect(covered, k).toContain(k);
    const r = expandProfile(profile({ events: specs.map((fault, i) => ({ atMicros: i * 1000, fault })) }), GEOMETRY, new Prng(seed));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.map((i) => i.fault.kind)).toEqual(specs.map((s) => s.kind));
    for (const inj of r.value) {
      const f = inj.fault;
      if (f.kind === 'memory-flip') expect((f.word ?? -1) >= 0 && (f.word ?? 99) < 76 && (f.bit ?? -1) >= 0 && (f.bit ?? 99) < 39).toBe(true);
      if (f.kind === 'mbu') expect(f.physicalBit).toBeDefined();
      if (f.kind === 'register-flip') expect(GEOMETRY.registerNames).toContain(f.register);
      if (f.kind === 'compute-flip') expect(f.value !== undefined && (f.bit ?? -1) >= 0 && (f.bit ?? 99) < 32 && (f.stage ?? -1) >= 0 && (f.stage ?? 9) <= 3).toBe(true);
      if (f.kind === 'control-flow') expect((f.stage ?? -1) >= 0 && (f.stage ?? 9) <= 2).toBe(true);
      if (f.kind === 'word-mbu' || f.kind === 'stuck-bit') expect((f.word ?? -1) >= 0 && (f.word ?? 99) < 76 && (f.bit ?? -1) >= 0 && (f.bit ?? 99) < 39).toBe(true);
      if (f.kind === 'stuck-bit') expect([0, 1]).toContain(f.value);
      if (f.kind === 'golden-flip') expect((f.byte ?? -1) >= 0 && (f.byte ?? 999) < 208 && (f.bit ?? -1) >= 0 && (f.bit ?? 9) < 8).toBe(true);
      if (f.kind === 'voter-upset') expect(f.field !== undefined && f.index !== undefined && f.bit !== undefined).toBe(true);
      if (f.kind === 'command-flip') expect((f.actuator ?? -1) >= 0 && (f.actuator ?? 9) < 4 && (f.bit ?? -1) >= 0 && (f.bit ?? 99) < 16).toBe(true);
      if (f.kind === 'payload-corrupt') expect(f.bits === 1 && (f.bit ?? -1) >= 0 && (f.bit ?? 99) < 64).toBe(true);
      expect(inj.stage >= 0 && inj.stage <= 2).toBe(true);
      expect(inj.wireBit >= 1 && inj.wireBit <= 100).toBe(true);
    }
  });

  test('a target the rig does not have is an error naming the profile path', () => {
    const r = expandProfile(profile({ events: [{ atMicros: 0, fault: { kind: 'channel-crash', channel: 'D' } }] }), GEOMETRY, new Prng(seed));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.path).toBe('events[0].channel');
  });
});
