import { describe, expect, it } from 'vitest';
import { decodeFaultProfile, FAULT_KINDS, parseFaultProfile } from '../../../src/core/fault/profile.js';

const every = {
  version: 1,
  name: 'every',
  events: [
    { atS: 1, kind: 'memory-flip', channel: 'A', word: 3, bit: 5 },
    { atS: 2, kind: 'mbu', channel: 'B', bits: 3 },
    { atS: 3, kind: 'register-flip', channel: 'C', register: 'rateErrX', copy: 1, bit: 30 },
    { atS: 4, kind: 'bus-corrupt', id: 0x100 },
    { atS: 5, kind: 'bus-drop', receiver: 'B' },
    { atS: 6, kind: 'bus-delay', delayMs: 3 },
    { atS: 7, kind: 'bus-duplicate' },
    { atS: 8, kind: 'babble', durationS: 0.2 },
    { atS: 9, kind: 'channel-crash', channel: 'A', restartAfterS: 2 },
    { atS: 10, kind: 'channel-hang', channel: 'B', durationS: 1 },
    { atS: 11, kind: 'sensor', sensor: 2, mode: 'bias', value: 0.2, durationS: 2 },
    { atS: 12, kind: 'wrong-command', channel: 'C', offsetDeg: 3, durationS: 1 },
    { atS: 13, kind: 'clock-drift', channel: 'B', ppm: 800 },
    { atS: 14, kind: 'two-faced', channel: 'A', value: 0.01 },
    { atS: 15, kind: 'masquerade', channel: 'A', value: 1, victim: 'B' },
    { atS: 16, kind: 'replay', channel: 'C', lagCycles: 3 },
    { atS: 17, kind: 'compute-flip', channel: 'A', value: 'ACT_OUT_0', bit: 30, stage: 3 },
    { atS: 18, kind: 'control-flow', channel: 'B', mode: 'skip', stage: 1 },
    { atS: 19, kind: 'word-mbu', channel: 'C', bits: 3, word: 5, bit: 2 },
    { atS: 20, kind: 'stuck-bit', channel: 'A', word: 6, bit: 3, value: 1 },
    { atS: 21, kind: 'scrubber-upset', channel: 'B', bit: 4 },
    { atS: 22, kind: 'decoder-upset', channel: 'C', bit: 30 },
    { atS: 23, kind: 'golden-flip', channel: 'A', byte: 10, bit: 2 },
    { atS: 24, kind: 'voter-upset', lane: 1, field: 'health', index: 0, bit: 1 },
    { atS: 25, kind: 'command-flip', lane: 2, actuator: 1, bit: 14 },
    { atS: 26, kind: 'actuator', actuator: 2, mode: 'hard-over', value: -1, durationS: 0.2 },
    { atS: 27, kind: 'payload-corrupt', id: 0x101, bits: 4 },
    { atS: 28, kind: 'voter-drop', id: 0x102 },
    { atS: 29, kind: 'can-masquerade', channel: 'A', victim: 'B', value: 5, durationS: 1 },
    { atS: 0.5, kind: 'clock-jump', channel: 'A', ms: 2 },
  ],
  processes: [{ kind: 'bus-corrupt', ratePerS: 0.5, fromS: 1, untilS: 50 }],
  seu: { memoryPerBitPerS: 1e-6, registerPerBitPerS: 1e-7, mbuProbability: 0.1, mbuBitsMax: 3 },
};

describe('fault profiles', () => {
  it('decodes every fault kind, in time order, with times in micros', () => {
    const result = decodeFaultProfile(every);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const kinds = new Set(result.value.events.map((e) => e.fault.kind));
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
    expect(result.value.events[0]).toEqual({ atMicros: 500_000, fault: { kind: 'clock-jump', channel: 'A', jumpMicros: 2000 } });
    expect(result.value.events.map((e) => e.atMicros)).toEqual([...result.value.events.map((e) => e.atMicros)].sort((a, b) => a - b));
    expect(result.value.processes[0]).toEqual({ ratePerS: 0.5, fault: { kind: 'bus-corrupt' }, fromMicros: 1_000_000, untilMicros: 50_000_000 });
    expect(result.value.seu?.channels).toEqual(['A', 'B', 'C']);
  });

  it.each([
    [{ ...every, version: 2 }, '$.version', 'unsupported profile version 2'],
    [{ ...every, events: [{ atS: 1, kind: 'cosmic-ray' }] }, 'events[0].kind', "unknown fault kind 'cosmic-ray'"],
    [{ ...every, events: [{ atS: 1, kind: 'memory-flip', channel: 'E' }] }, 'events[0].channel', 'expected a channel name'],
    [{ ...every, events: [{ atS: -1, kind: 'bus-corrupt' }] }, 'events[0].atS', 'expected a value from 0'],
    [{ ...every, events: [{ atS: 1, kind: 'sensor', sensor: 1, mode: 'bias' }] }, 'events[0].value', 'needs a value'],
    [{ ...every, events: [{ atS: 1, kind: 'bus-corrupt', colour: 'red' }] }, 'events[0].colour', 'unknown field'],
    [{ ...every, seu: { memoryPerBitPerS: 'lots' } }, 'seu.memoryPerBitPerS', 'expected a number'],
    [{ ...every, processes: [{ kind: 'babble', durationS: 1, ratePerS: 1, fromS: 5, untilS: 2 }] }, 'processes[0].untilS', 'before fromS'],
    [[], '$', 'expected an object'],
  ])('names the problem and its JSON path (%#)', (input, path, message) => {
    const result = decodeFaultProfile(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.path).toBe(path);
    expect(result.error.message).toContain(message);
  });

  it('reports JSON syntax errors as a typed error', () => {
    const result = parseFaultProfile('{"version": 1,');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_profile', path: '$' } });
  });
});
