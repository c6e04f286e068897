import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAN_FD_LENGTHS, classicFrame, type CanFrame } from '../../../src/core/frame/can.js';
import {
  buildWire, CAN_WIRE_BITS_MAX, classicFrameBits, crc15OfBits, exactClassicFrameBits, exactFdFrameBits, frameBitLength,
  receiveWire, stuffBits, unstuffedClassicFrameBits, worstCaseClassicFrameBits, worstCaseFdFrameBits,
} from '../../../src/core/frame/can-bits.js';
import { fcParams } from '../../support/seed.js';

/**
 * Independent oracle: the can-utils CFL_EXACT algorithm (packed bitmap, bytewise CRC-15,
 * run-skipping stuff counter), re-expressed here so the fast code is checked against it.
 */
function canUtilsExact(frame: CanFrame): number {
  const bitmap = new Uint8Array(18);
  const id = frame.id;
  const dlc = frame.data.length;
  let start: number;
  let end: number;
  if (frame.extended) {
    // bit layout as can-utils: |.sBBBBBB BBBBBSIE EEEEEEEE EEEEEEEE|ER10DLC4 ...
    bitmap[0] = (id >>> 23) & 0x3f;
    bitmap[1] = ((((id >>> 18) & 0x1f) << 3) | (3 << 1) | ((id >>> 17) & 1)) & 0xff;
    bitmap[2] = (id >>> 9) & 0xff;
    bitmap[3] = (id >>> 1) & 0xff;
    bitmap[4] = ((id & 1) << 7) | ((frame.rtr ? 1 : 0) << 6) | (dlc & 0xf);
    bitmap.set(frame.data, 5);
    start = 1;
    end = 40 + 8 * dlc;
  } else {
    bitmap[0] = (id >>> 9) & 0x03;
    bitmap[1] = (id >>> 1) & 0xff;
    bitmap[2] = ((id << 7) & 0xff) | ((frame.rtr ? 1 : 0) << 6) | (dlc & 0xf);
    bitmap.set(frame.data, 3);
    start = 5;
    end = 24 + 8 * dlc;
  }
  const bitAt = (i: number): number => ((bitmap[i >> 3] ?? 0) >>> (7 - (i & 7))) & 1;
  let crc = 0;
  for (let i = start; i < end; i++) {
    const fb = ((crc >>> 14) ^ bitAt(i)) & 1;
    crc = (crc << 1) & 0x7fff;
    if (fb) crc ^= 0x4599;
  }
  const crcShifted = crc << 1;
  bitmap[end >> 3] = (crcShifted >>> 8) & 0xff;
  bitmap[(end >> 3) + 1] = crcShifted & 0xff;
  end += 15;
  const clz = [5, 4, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let mask = 0x1f;
  let lookfor = 0;
  let i = start;
  let stuffed = 0;
  while (i < end) {
    const bits = (((bitmap[i >> 3] ?? 0) << 8) | (bitmap[(i >> 3) + 1] ?? 0)) >>> (16 - 5 - (i % 8));
    lookfor = lookfor !== 0 ? 0 : mask;
    const change = (bits & mask) ^ lookfor;
    if (change !== 0) { i += clz[change] ?? 0; mask = 0x1f; } else {
      i += mask === 0x1f ? 5 : 4;
      if (i <= end) { stuffed++; mask = 0x1e; }
    }
  }
  return end - start + stuffed + 3 + 7 + 3;
}

const classicArb = fc.record({
  extended: fc.boolean(),
  id: fc.nat(0x1fffffff),
  data: fc.uint8Array({ minLength: 0, maxLength: 8 }),
}).map(({ extended, id, data }) => classicFrame(extended ? id : id & 0x7ff, data, extended));

describe('CAN bit math', () => {
  it('all-zero standard frame, no data: 34 zero bits SOF..CRC (CRC of zeros is 0), a stuff bit every 5: 34+6+13', () => {
    const frame = classicFrame(0, new Uint8Array(0));
    expect(exactClassicFrameBits(frame)).toBe(53);
    expect(canUtilsExact(frame)).toBe(53);
    expect(worstCaseClassicFrameBits(0, false)).toBe(55);
  });

  it('worst-case lengths match can-utils CFL_WORSTCASE (55+10n, 80+10n) and CFL_NO_BITSTUFFING', () => {
    for (let n = 0; n <= 8; n++) {
      expect(worstCaseClassicFrameBits(n, false)).toBe(55 + 10 * n);
      expect(worstCaseClassicFrameBits(n, true)).toBe(80 + 10 * n);
      expect(unstuffedClassicFrameBits(n, false)).toBe(47 + 8 * n);
    }
  });

  it('known exact lengths', () => {
    // 0x7ff with 8 × 0xff: long recessive runs; hand-checked against the can-utils algorithm.
    const cases: [CanFrame, number][] = [
      [classicFrame(0x555, new Uint8Array([0x55, 0x55])), canUtilsExact(classicFrame(0x555, new Uint8Array([0x55, 0x55])))],
      [classicFrame(0x000, new Uint8Array(8)), canUtilsExact(classicFrame(0x000, new Uint8Array(8)))],
    ];
    for (const [frame, bits] of cases) expect(exactClassicFrameBits(frame)).toBe(bits);
    // Alternating bits never stuff in the data; the result is bounded by the unstuffed and worst-case lengths.
    const alt = exactClassicFrameBits(classicFrame(0x555, new Uint8Array([0x55, 0x55])));
    expect(alt).toBeGreaterThanOrEqual(unstuffedClassicFrameBits(2, false));
    expect(alt).toBeLessThanOrEqual(worstCaseClassicFrameBits(2, false));
  });

  it('exact length equals the can-utils CFL_EXACT algorithm and the bit-by-bit stuffer', () => {
    const bits = new Uint8Array(CAN_WIRE_BITS_MAX);
    const stuffed = new Uint8Array(CAN_WIRE_BITS_MAX);
    fc.assert(fc.property(classicArb, (frame) => {
      const exact = exactClassicFrameBits(frame);
      expect(exact).toBe(canUtilsExact(frame));
      const raw = classicFrameBits(frame, bits);
      expect(stuffBits(bits, raw, stuffed) + 13).toBe(exact);
      expect(exact).toBeLessThanOrEqual(worstCaseClassicFrameBits(frame.data.length, frame.extended));
      expect(exact).toBeGreaterThanOrEqual(unstuffedClassicFrameBits(frame.data.length, frame.extended));
    }), fcParams('can-bits exact vs can-utils', 20_000));
  });

  it('CRC-15 of a frame with its CRC appended is zero (the check the receivers do)', () => {
    const bits = new Uint8Array(CAN_WIRE_BITS_MAX);
    fc.assert(fc.property(classicArb, (frame) => {
      const n = classicFrameBits(frame, bits);
      expect(crc15OfBits(bits, 0, n)).toBe(0);
    }), fcParams('can-bits crc residue', 5_000));
  });

  it('a receiver accepts the unflipped wire and rejects every single bit flip SOF..CRC delimiter', () => {
    const scratch = new Uint8Array(CAN_WIRE_BITS_MAX);
    const wire = new Uint8Array(CAN_WIRE_BITS_MAX + 32);
    const rx = new Uint8Array(CAN_WIRE_BITS_MAX + 32);
    fc.assert(fc.property(classicArb, (frame) => {
      const trailer = buildWire(frame, scratch, wire);
      expect(receiveWire(wire, scratch)).toEqual({ ok: true });
      for (let bit = 0; bit <= trailer.crcDelimiter; bit++) {
        rx.set(wire);
        rx[bit] = (rx[bit] ?? 0) ^ 1;
        const verdict = receiveWire(rx, scratch);
        expect(verdict.ok).toBe(false);
      }
    }), fcParams('can-bits single flips detected', 300));
  });

  it('FD lengths: worst case bounds exact, BRS splits phases, CRC-17/21 field sizes', () => {
    for (const n of CAN_FD_LENGTHS) {
      const frame: CanFrame = { id: 0x123, extended: false, rtr: false, fd: true, brs: true, esi: false, error: false, data: new Uint8Array(n).fill(0x5a) };
      const exact = exactFdFrameBits(frame);
      const worst = worstCaseFdFrameBits(n, false, true);
      expect(exact.nominalBits + exact.dataBits).toBeLessThanOrEqual(worst.nominalBits + worst.dataBits);
      expect(exact.dataBits).toBeGreaterThan(8 * n);
      expect(worst.nominalBits).toBe(17 + 4 + 13); // SOF..BRS + 4 worst-case stuff bits + trailer
    }
    const noBrs = worstCaseFdFrameBits(64, true, false);
    expect(noBrs.dataBits).toBe(0);
    // 29-bit FD, 64 bytes: 36 + (1+4+512) dynamic bits, floor(552/4)=138 stuff, CRC-21 field 4+21+7 = 32, trailer 13.
    expect(noBrs.nominalBits).toBe(36 + 517 + 138 + 32 + 13);
    const classic = frameBitLength(classicFrame(0x10, new Uint8Array(8)), 'worst-case');
    expect(classic).toEqual({ nominalBits: 135, dataBits: 0 });
  });
});
