import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAN_ID_BASE } from '../../src/core/frame/ids.js';
import { decodeRig, decodeRigValue, formatRigError, rigBudget, type Rig } from '../../src/sim/rig.js';

const ROOT = new URL('../../', import.meta.url);
const emulatedText = readFileSync(new URL('hil/rigs/emulated.json', ROOT), 'utf8');

function valid(): Record<string, unknown> {
  return JSON.parse(emulatedText) as Record<string, unknown>;
}

function errorOf(mutate: (rig: Record<string, unknown>) => void): string {
  const rig = valid();
  mutate(rig);
  const result = decodeRigValue(rig);
  if (result.ok) throw new Error('expected an error');
  return formatRigError(result.error);
}

describe('rig files', () => {
  it('decodes the default emulated rig: 3 emulated channels, 3 IMUs, 1 Mbit/s, 250 Hz, ids from ids.ts', () => {
    const result = decodeRig(emulatedText);
    expect(result.ok).toBe(true);
    const rig = (result as { value: Rig }).value;
    expect(rig.channels.map((c) => `${c.name}:${c.kind}`)).toEqual(['A:emulated', 'B:emulated', 'C:emulated']);
    expect(rig.sensors).toBe(3);
    expect(rig.rateHz).toBe(250);
    expect(rig.bus.bitRateBps).toBe(1_000_000);
    const ids = new Set(rig.frames.map((f) => f.id));
    for (const base of Object.values(CAN_ID_BASE)) for (const n of [1, 2, 3]) expect(ids.has(base + n)).toBe(true);
    expect(rigBudget(rig).ok).toBe(true);
  });

  it('names the JSON path and what was expected', () => {
    expect(errorOf((r) => { r.version = 2; })).toBe('$.version: expected 1, got 2');
    expect(errorOf((r) => { (r.frames as Record<string, unknown>[])[2]!.id = 0x800; })).toBe('$.frames[2].id: expected an 11-bit id 0..0x7ff (or set "extended": true), got 2048');
    expect(errorOf((r) => { (r.bus as Record<string, unknown>).bitRateBps = 300_000; })).toMatch(/^\$\.bus\.bitRateBps: expected a bit rate/);
    expect(errorOf((r) => { r.channels = [{ name: 'A', kind: 'serial', path: '/dev/ttyUSB0', interface: 'can0' }]; })).toMatch(/^\$\.channels\[0\]\.interface: expected no interface for a serial channel/);
    expect(errorOf((r) => { r.channels = [{ name: 'A', kind: 'socketcan' }]; })).toMatch(/^\$\.channels\[0\]\.interface: expected a network interface name/);
    expect(errorOf((r) => { r.channels = [{ name: 'A', kind: 'emulated' }, { name: 'A', kind: 'emulated' }]; })).toMatch(/^\$\.channels\[1\]\.name: expected a channel name not used before/);
    expect(errorOf((r) => { (r.frames as Record<string, unknown>[])[1]!.id = 0x81; })).toMatch(/^\$\.frames\[1\]\.id: expected an id not used/);
    expect(errorOf((r) => { (r.frames as Record<string, unknown>[])[0]!.fd = true; })).toMatch(/^\$\.frames\[0\]\.fd: expected false, or "dataBitRateBps"/);
    expect(errorOf((r) => { r.extra = 1; })).toMatch(/^\$\.extra: expected no such field/);
    expect(errorOf((r) => { (r.frames as Record<string, unknown>[])[0]!.jitterMicros = 100_000; })).toMatch(/^\$\.frames\[0\]\.jitterMicros: expected an integer 0\.\.99999/);
  });

  it('accepts serial, slcan and socketcan channels with their fields, FD frames with a data rate', () => {
    const rig = valid();
    rig.channels = [
      { name: 'A', kind: 'emulated' }, { name: 'B', kind: 'serial', path: '/dev/ttyUSB0', baud: 115200 },
      { name: 'C', kind: 'slcan', path: '/dev/ttyACM0' }, { name: 'D', kind: 'socketcan', interface: 'can0' },
    ];
    rig.bus = { kind: 'can', bitRateBps: 500_000, dataBitRateBps: 2_000_000, loadLimitPercent: 60 };
    (rig.frames as Record<string, unknown>[]).push({ name: 'fd-bulk', id: 0x1234567, extended: true, fd: true, payloadBytes: 64, periodMicros: 10_000 });
    const result = decodeRigValue(rig);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.channels[2]).toEqual({ name: 'C', kind: 'slcan', path: '/dev/ttyACM0', baud: 115200 });
      expect(result.value.bus.stuffing).toBe('worst-case');
      const fd = rigBudget(result.value).frames.at(-1)!;
      expect(fd.dataBits).toBeGreaterThan(512);
    }
  });

  it('rejects non-JSON and oversized text', () => {
    expect(decodeRig('{').ok).toBe(false);
    expect(decodeRig(' '.repeat((1 << 20) + 1))).toEqual({ ok: false, error: { code: 'too_large', bytes: (1 << 20) + 1, bytesMax: 1 << 20 } });
  });
});
