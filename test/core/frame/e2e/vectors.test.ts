/**
 * Known answers for the E2E profiles. The P11, P4 and P5 vectors are the ones the open-source
 * `e2e` Python package (Artur Drogunow, MIT, tests/test_p11.py, test_p04.py, test_p05.py) checks
 * its C implementation against; Profile 22 has no published vector we could find, so it is
 * cross-checked against the CRC catalogue's CRC-8/AUTOSAR over the bytes the spec names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getCrc } from '../../../../src/core/integrity/crc-catalogue.js';
import {
  checkP11, checkP22, checkP4, checkP5, createP11CheckState, createP11Config, createP22CheckState, createP22Config, createP4CheckState, createP4Config, createP5CheckState,
  createP5Config, createProtectState, p11Crc, p22Crc, p4Crc, p5Crc, protectP11, protectP22, protectP4, protectP5,
} from '../../../../src/core/frame/e2e/index.js';
import { CRC16_CCITT_FALSE_TABLE, CRC32_P4_TABLE, CRC8_H2F_TABLE, CRC8_SAE_J1850_TABLE } from '../../../../src/core/frame/e2e/crc-tables.js';
import { fcParams } from '../../../support/seed.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('CRC tables derived from the catalogue', () => {
  it('match the well-known first entries of each polynomial', () => {
    expect(CRC8_SAE_J1850_TABLE[1]).toBe(0x1d);
    expect(CRC8_H2F_TABLE[1]).toBe(0x2f);
    expect(CRC16_CCITT_FALSE_TABLE[1]).toBe(0x1021);
    // Reflected table: entry 128 is the reflected polynomial.
    expect(CRC32_P4_TABLE[128]! >>> 0).toBe(0xc8df352f);
  });
});

describe('E2E Profile 11 known answers', () => {
  const both = createP11Config({ dataId: 0x123, dataIdMode: 'both', dataLengthBytes: 8, offsetBytes: 0, maxDeltaCounter: 1 });
  const nibble = createP11Config({ dataId: 0x123, dataIdMode: 'nibble', dataLengthBytes: 8, offsetBytes: 0, maxDeltaCounter: 1 });

  it('mode BOTH, data ID 0x123: counter 0 → CRC 0xCC, counter 1 → CRC 0x91', () => {
    const data = new Uint8Array(8);
    const sender = createProtectState();
    protectP11(both, sender, data);
    expect(hex(data)).toBe('cc00000000000000');
    protectP11(both, sender, data);
    expect(hex(data)).toBe('9101000000000000');
  });

  it('mode NIBBLE, data ID 0x123: nibble 1 sent; counter 0 → 0x2A, counter 1 → 0x77', () => {
    const data = new Uint8Array(8);
    const sender = createProtectState();
    protectP11(nibble, sender, data);
    expect(hex(data)).toBe('2a10000000000000');
    protectP11(nibble, sender, data);
    expect(hex(data)).toBe('7711000000000000');
  });

  it('mode NIBBLE with the header at byte 8 of 16 (SOME/IP-style offset)', () => {
    const config = createP11Config({ dataId: 0x123, dataIdMode: 'nibble', dataLengthBytes: 16, offsetBytes: 8, maxDeltaCounter: 1 });
    const data = new Uint8Array(16);
    protectP11(config, createProtectState(), data);
    expect(hex(data)).toBe('00000000000000007d10000000000000');
    expect(checkP11(config, createP11CheckState(), data)).toBe('OK');
  });

  it('checks the vectors: OK, and ERROR when the nibble or counter is wrong', () => {
    expect(checkP11(both, createP11CheckState(), Uint8Array.from(Buffer.from('cc00000000000000', 'hex')))).toBe('OK');
    expect(checkP11(both, createP11CheckState(), Uint8Array.from(Buffer.from('cc10000000000000', 'hex')))).toBe('ERROR');
    expect(checkP11(nibble, createP11CheckState(), Uint8Array.from(Buffer.from('2a10000000000000', 'hex')))).toBe('OK');
    expect(checkP11(nibble, createP11CheckState(), Uint8Array.from(Buffer.from('7721000000000000', 'hex')))).toBe('ERROR');
  });

  it('equals CRC-8/SAE-J1850 with start 0x00 and no final XOR over data ID and data (catalogue cross-check)', () => {
    const j1850 = getCrc('CRC-8/SAE-J1850');
    fc.assert(fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 0xffff }), (data, dataId) => {
      const config = createP11Config({ dataId, dataIdMode: 'both', dataLengthBytes: 8, offsetBytes: 0, maxDeltaCounter: 1 });
      // The catalogue model starts at 0xFF and XORs 0xFF at the end; a CRC is affine in its
      // input, so J1850(m) ^ J1850(zeros of the same length) is the CRC of m from register 0
      // without final XOR, which is what Profile 11 computes.
      const message = Uint8Array.of(dataId & 0xff, dataId >>> 8, ...data.subarray(1));
      const zeros = new Uint8Array(message.length);
      expect(p11Crc(config, data)).toBe(j1850.compute(message) ^ j1850.compute(zeros));
    }), fcParams('P11 vs catalogue', 300));
  });
});

describe('E2E Profile 22', () => {
  it('is CRC-8/AUTOSAR over the data without the CRC byte, then DataIDList[counter] (catalogue cross-check)', () => {
    const h2f = getCrc('CRC-8/AUTOSAR');
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (list, data) => {
      const config = createP22Config({ dataIdList: list, dataLengthBytes: 8, offsetBytes: 0, maxDeltaCounter: 1 });
      const counter = data[1]! & 0x0f;
      expect(p22Crc(config, data, counter)).toBe(h2f.compute(Uint8Array.of(...data.subarray(1), list[counter]!)));
    }), fcParams('P22 vs catalogue', 300));
  });

  it('protect writes counter 0,1,2… and check accepts the frames in order', () => {
    const config = createP22Config({ dataIdList: Uint8Array.from({ length: 16 }, (_, i) => i * 17), dataLengthBytes: 8, offsetBytes: 0, maxDeltaCounter: 1 });
    const sender = createProtectState();
    const receiver = createP22CheckState();
    for (let frame = 0; frame < 40; frame++) {
      const data = Uint8Array.of(0, 0xa0, 1, 2, 3, 4, 5, 6);
      protectP22(config, sender, data);
      expect(data[1]).toBe(0xa0 | (frame % 16));
      expect(checkP22(config, receiver, data)).toBe('OK');
    }
  });
});

describe('E2E Profile 4 known answers', () => {
  const config = createP4Config({ dataId: 0x0a0b0c0d, offsetBytes: 0, minDataLengthBytes: 12, maxDataLengthBytes: 64, maxDeltaCounter: 1 });

  it('16 zero bytes, data ID 0x0A0B0C0D: counter 0 → CRC 0x862B0556, counter 1 → 0xA58E6807', () => {
    const data = new Uint8Array(16);
    const sender = createProtectState();
    protectP4(config, sender, data);
    expect(hex(data)).toBe('001000000a0b0c0d862b055600000000');
    protectP4(config, sender, data);
    expect(hex(data)).toBe('001000010a0b0c0da58e680700000000');
  });

  it('header at byte 8 of 24: CRC 0x69D7502E', () => {
    const offset8 = createP4Config({ dataId: 0x0a0b0c0d, offsetBytes: 8, minDataLengthBytes: 20, maxDataLengthBytes: 64, maxDeltaCounter: 1 });
    const data = new Uint8Array(24);
    protectP4(offset8, createProtectState(), data);
    expect(hex(data)).toBe('0000000000000000001800000a0b0c0d69d7502e00000000');
    expect(checkP4(offset8, createP4CheckState(), data)).toBe('OK');
  });

  it('equals CRC-32/AUTOSAR of the frame without its CRC field (catalogue cross-check)', () => {
    const crc32 = getCrc('CRC-32/AUTOSAR');
    fc.assert(fc.property(fc.uint8Array({ minLength: 12, maxLength: 64 }), (data) => {
      const without = Uint8Array.of(...data.subarray(0, 8), ...data.subarray(12));
      expect(p4Crc(config, data)).toBe(crc32.compute(without));
    }), fcParams('P4 vs catalogue', 300));
  });
});

describe('E2E Profile 5 known answers', () => {
  const config = createP5Config({ dataId: 0x1234, dataLengthBytes: 8, offsetBytes: 0, maxDeltaCounter: 1 });

  it('8 zero bytes, data ID 0x1234: counter 0 → CRC 0xCA1C (sent low byte first), counter 1 → 0x8DCF', () => {
    const data = new Uint8Array(8);
    const sender = createProtectState();
    protectP5(config, sender, data);
    expect(hex(data)).toBe('1cca000000000000');
    protectP5(config, sender, data);
    expect(hex(data)).toBe('cf8d010000000000');
    expect(checkP5(config, createP5CheckState(), Uint8Array.from(Buffer.from('1cca000000000000', 'hex')))).toBe('OK');
    expect(checkP5(config, createP5CheckState(), Uint8Array.from(Buffer.from('1cca010000000000', 'hex')))).toBe('ERROR');
  });

  it('header at byte 8 of 16: CRC 0x9128', () => {
    const offset8 = createP5Config({ dataId: 0x1234, dataLengthBytes: 16, offsetBytes: 8, maxDeltaCounter: 1 });
    const data = new Uint8Array(16);
    protectP5(offset8, createProtectState(), data);
    expect(hex(data)).toBe('00000000000000002891000000000000');
  });

  it('equals CRC-16/IBM-3740 over the data without the CRC field, then data ID low, high (catalogue cross-check)', () => {
    const crc16 = getCrc('CRC-16/IBM-3740');
    fc.assert(fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (data) => {
      expect(p5Crc(config, data)).toBe(crc16.compute(Uint8Array.of(...data.subarray(2), 0x34, 0x12)));
    }), fcParams('P5 vs catalogue', 300));
  });
});
