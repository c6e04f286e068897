import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { frameWireMicros, layoutOf, mediumFrame } from '../../../src/core/channel/medium.js';
import { exactClassicFrameBits, exactFdFrameBits } from '../../../src/core/frame/can-bits.js';
import { flightMedium, FlightConfigError } from '../../../src/sim/flight.js';
import { decodeRig, type Rig } from '../../../src/sim/rig.js';

function rigFile(name: string): Rig {
  const decoded = decodeRig(readFileSync(new URL(`../../../hil/rigs/${name}`, import.meta.url), 'utf8'));
  if (!decoded.ok) throw new Error(JSON.stringify(decoded.error));
  return decoded.value;
}

describe('CAN medium of a flight', () => {
  it('builds classic frames on can and FD+BRS frames on can-fd, with the WIRE.md layouts', () => {
    expect(layoutOf('can')).toEqual({ frameBytes: 8, bodyOffsetBytes: 1 });
    expect(layoutOf('can-fd')).toEqual({ frameBytes: 20, bodyOffsetBytes: 12 });
    expect(mediumFrame('can', 0x101, new Uint8Array(8))).toMatchObject({ id: 0x101, fd: false, brs: false, extended: false });
    expect(mediumFrame('can-fd', 0x101, new Uint8Array(20))).toMatchObject({ id: 0x101, fd: true, brs: true, extended: false });
  });

  it('times a frame on the wire: classic at the nominal rate, FD data bits at the data rate', () => {
    const data = Uint8Array.from({ length: 20 }, (_, i) => (i * 37) & 0xff);
    const classic = mediumFrame('can', 0x081, data.subarray(0, 8));
    expect(frameWireMicros({ medium: 'can', bitRateBps: 1_000_000 }, classic)).toBe(exactClassicFrameBits(classic));
    const fd = mediumFrame('can-fd', 0x081, data);
    const bits = exactFdFrameBits(fd);
    expect(bits.dataBits).toBeGreaterThan(160);
    expect(frameWireMicros({ medium: 'can-fd', bitRateBps: 1_000_000, dataBitRateBps: 8_000_000 }, fd)).toBeCloseTo(bits.nominalBits + bits.dataBits / 8, 9);
  });

  it('takes the medium from the rig and refuses a schedule that mixes classic and FD frames', () => {
    expect(flightMedium(rigFile('emulated.json'))).toBe('can');
    const fdRig = rigFile('emulated-1khz.json');
    expect(flightMedium(fdRig)).toBe('can-fd');
    const mixed: Rig = { ...fdRig, frames: fdRig.frames.map((f, i) => (i === 0 ? { ...f, fd: false, payloadBytes: 8 } : f)) };
    expect(() => flightMedium(mixed)).toThrow(FlightConfigError);
    const classicBus = { kind: fdRig.bus.kind, bitRateBps: fdRig.bus.bitRateBps, loadLimitPercent: fdRig.bus.loadLimitPercent, stuffing: fdRig.bus.stuffing };
    expect(flightMedium({ ...fdRig, bus: classicBus })).toBe('can');
  });
});
