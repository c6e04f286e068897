/** Byzantine fault kinds of the fault profile (docs/FAULTS.md): decoding and errors. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseFaultProfile } from '../../../src/core/fault/profile.js';

const profile = (events: unknown[], processes: unknown[] = []): string => JSON.stringify({ version: 1, name: 't', events, processes });

describe('Byzantine fault kinds', () => {
  test('the built-in byzantine profile is a two-faced channel A from 5 s', () => {
    const p = parseFaultProfile(readFileSync('hil/scenarios/byzantine.json', 'utf8'));
    expect(p.ok && p.value.events).toEqual([{ atMicros: 5_000_000, fault: { kind: 'two-faced', channel: 'A', value: 0.01 } }]);
  });

  test('two-faced, masquerade and replay decode with their fields', () => {
    const p = parseFaultProfile(profile([
      { atS: 1, kind: 'two-faced', channel: 'B', value: -0.02 },
      { atS: 2, kind: 'masquerade', channel: 'A', value: 1, victim: 'C' },
      { atS: 3, kind: 'replay', channel: 'C', lagCycles: 3 },
    ]));
    expect(p.ok && p.value.events.map((e) => e.fault)).toEqual([
      { kind: 'two-faced', channel: 'B', value: -0.02 },
      { kind: 'masquerade', channel: 'A', value: 1, victim: 'C' },
      { kind: 'replay', channel: 'C', lagCycles: 3 },
    ]);
  });

  test.each([
    [profile([{ atS: 1, kind: 'two-faced', channel: 'A' }]), 'events[0].value'],
    [profile([{ atS: 1, kind: 'masquerade', channel: 'A', value: 1, victim: 'A' }]), 'events[0].victim'],
    [profile([{ atS: 1, kind: 'replay', channel: 'A', lagCycles: 17 }]), 'events[0].lagCycles'],
    [profile([], [{ ratePerS: 1, kind: 'two-faced', channel: 'A', value: 1 }]), 'processes[0].kind'],
  ])('%s is rejected at %s', (text, path) => {
    const p = parseFaultProfile(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error.path).toBe(path);
  });
});
