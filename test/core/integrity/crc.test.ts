import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CRC_CHECK_INPUT, createCrc, crcModelFromParams, reflectBig, validateCrcModel, type CrcModel, type CrcParams,
} from '../../../src/core/integrity/crc.js';
import { CRC_CATALOGUE, crcNames, findCrc, findCrcModel, getCrc, suggestCrcName } from '../../../src/core/integrity/crc-catalogue.js';
import { fcParams } from '../../support/seed.js';

/** Plain bit-at-a-time Rocksoft/Williams CRC (no tables, no tricks): the reference. */
function referenceCrc(p: CrcParams, data: Uint8Array): bigint {
  const width = BigInt(p.width);
  const top = 1n << (width - 1n);
  const mask = (1n << width) - 1n;
  let reg = p.init;
  for (const byte of data) {
    const b = p.refin ? Number(reflectBig(BigInt(byte), 8)) : byte;
    for (let i = 7; i >= 0; i--) {
      const feedback = ((reg & top) !== 0n) !== (((b >> i) & 1) === 1);
      reg = (reg << 1n) & mask;
      if (feedback) reg ^= p.poly;
    }
  }
  return (p.refout ? reflectBig(reg, p.width) : reg) ^ p.xorout;
}

/** RevEng's residue: register loaded with xorout (reflected if refout), `width` zero bits shifted in, reflected back. */
function referenceResidue(p: CrcParams): bigint {
  const width = BigInt(p.width);
  const top = 1n << (width - 1n);
  const mask = (1n << width) - 1n;
  let reg = p.refout ? reflectBig(p.xorout, p.width) : p.xorout;
  for (let i = 0; i < p.width; i++) {
    const feedback = (reg & top) !== 0n;
    reg = (reg << 1n) & mask;
    if (feedback) reg ^= p.poly;
  }
  return p.refout ? reflectBig(reg, p.width) : reg;
}

const paramsArb: fc.Arbitrary<CrcParams> = fc.integer({ min: 1, max: 64 }).chain((width) => {
  const max = (1n << BigInt(width)) - 1n;
  return fc.record({
    width: fc.constant(width),
    poly: fc.bigInt({ min: 1n, max }),
    init: fc.bigInt({ min: 0n, max }),
    refin: fc.boolean(),
    refout: fc.boolean(),
    xorout: fc.bigInt({ min: 0n, max }),
  });
});

// size 'max': lengths spread over 0–300, so the sliced path (≥ 32 bytes) runs in most cases, not only short arrays.
const bytesArb = fc.uint8Array({ minLength: 0, maxLength: 300, size: 'max' });

function model(p: CrcParams): CrcModel {
  const result = crcModelFromParams(p);
  if (!result.ok) throw new Error(`bad generated params: ${result.error.code}`);
  return result.value;
}

/** A copy of `data` placed at byte offset `shift` of a fresh buffer (to test unaligned starts). */
function shifted(data: Uint8Array, shift: number): Uint8Array {
  const buffer = new Uint8Array(data.length + shift + 8).fill(0xa5);
  buffer.set(data, shift);
  return buffer.subarray(shift, shift + data.length);
}

describe('CRC catalogue', () => {
  it.each(CRC_CATALOGUE.map((m) => [m.name, m] as const))('%s computes its published check value for "123456789"', (_name, m) => {
    const crc = getCrc(m.name);
    expect(crc.computeBig(CRC_CHECK_INPUT)).toBe(m.check);
    expect(referenceCrc(m, CRC_CHECK_INPUT)).toBe(m.check);
    if (m.width <= 32) expect(crc.compute(CRC_CHECK_INPUT)).toBe(Number(m.check));
    const stream = crc.begin();
    for (const byte of CRC_CHECK_INPUT) stream.update(Uint8Array.of(byte));
    expect(stream.digestBig()).toBe(m.check);
  });

  it.each(CRC_CATALOGUE.map((m) => [m.name, m] as const))('%s has the catalogue residue and a valid model', (_name, m) => {
    expect(m.residue).toBeDefined();
    expect(referenceResidue(m)).toBe(m.residue);
    expect(validateCrcModel(m).ok).toBe(true);
  });

  it('holds the models and aliases the issue names', () => {
    const wanted = ['CRC-8/SAE-J1850', 'CRC-8/AUTOSAR', 'CRC-8/SMBUS', 'CRC-15/CAN', 'CRC-16/IBM-3740', 'CRC-16/ARC', 'CRC-16/KERMIT',
      'CRC-16/MODBUS', 'CRC-16/XMODEM', 'CRC-32/ISO-HDLC', 'CRC-32/ISCSI', 'CRC-32/AUTOSAR', 'CRC-32/BZIP2', 'CRC-32/MPEG-2', 'CRC-64/XZ', 'CRC-64/ECMA-182'];
    expect(CRC_CATALOGUE.map((m) => m.name)).toEqual(wanted);
    expect(findCrc('CRC-16/CCITT-FALSE')?.model.name).toBe('CRC-16/IBM-3740');
    expect(findCrc('CRC-32')?.model.name).toBe('CRC-32/ISO-HDLC');
    expect(findCrc('CRC-32C')?.model.name).toBe('CRC-32/ISCSI');
  });

  it('finds names case-insensitively and caches engines', () => {
    expect(findCrc('crc-32/iscsi')).toBe(getCrc('CRC-32/ISCSI'));
    expect(findCrc(' crc-32c ')).toBe(getCrc('CRC-32/ISCSI'));
    expect(findCrc('CRC-33/NOPE')).toBeUndefined();
    expect(findCrcModel('crc-64/xz')?.width).toBe(64);
    expect(() => getCrc('CRC-33/NOPE')).toThrow(/not in the CRC catalogue/);
    for (const name of crcNames()) expect(findCrc(name.toLowerCase())).toBeDefined();
  });

  it('suggests the nearest name for a typo', () => {
    expect(suggestCrcName('crc-32/iso-hdcl')).toBe('CRC-32/ISO-HDLC');
    expect(suggestCrcName('CRC-16/MODBSU')).toBe('CRC-16/MODBUS');
    expect(suggestCrcName('completely different text')).toBeUndefined();
  });
});

describe('CRC model validation', () => {
  const base = getCrc('CRC-16/XMODEM').model;

  it('rejects out-of-range parameters with a typed error', () => {
    expect(validateCrcModel({ ...base, width: 0 })).toMatchObject({ ok: false, error: { code: 'bad_width' } });
    expect(validateCrcModel({ ...base, width: 65 })).toMatchObject({ ok: false, error: { code: 'bad_width' } });
    expect(validateCrcModel({ ...base, width: 8.5 })).toMatchObject({ ok: false, error: { code: 'bad_width' } });
    expect(validateCrcModel({ ...base, poly: 0x10000n })).toMatchObject({ ok: false, error: { code: 'bad_poly' } });
    expect(validateCrcModel({ ...base, poly: 0n })).toMatchObject({ ok: false, error: { code: 'bad_poly' } });
    expect(validateCrcModel({ ...base, init: -1n })).toMatchObject({ ok: false, error: { code: 'bad_init' } });
    expect(validateCrcModel({ ...base, xorout: 0x1ffffn })).toMatchObject({ ok: false, error: { code: 'bad_xorout' } });
    expect(validateCrcModel({ ...base, residue: 0x10000n })).toMatchObject({ ok: false, error: { code: 'bad_residue' } });
    expect(validateCrcModel({ ...base, name: ' ' })).toMatchObject({ ok: false, error: { code: 'bad_name' } });
  });

  it('rejects a check value the parameters do not produce', () => {
    expect(validateCrcModel({ ...base, check: 0x1234n })).toEqual({ ok: false, error: { code: 'check_mismatch', expected: 0x1234n, actual: 0x31c3n } });
    expect(() => createCrc({ ...base, check: 0x1234n })).toThrow(/invalid model/);
  });

  it('builds custom models with their computed check value', () => {
    const custom = crcModelFromParams({ width: 16, poly: 0x1021n, init: 0xffffn, refin: false, refout: false, xorout: 0n });
    expect(custom).toMatchObject({ ok: true, value: { check: 0x29b1n, name: 'custom' } });
    expect(crcModelFromParams({ width: 3, poly: 0x8n, init: 0n, refin: false, refout: false, xorout: 0n })).toMatchObject({ ok: false, error: { code: 'bad_poly' } });
  });

  it('refuses a number digest for widths above 32 and ranges past the end', () => {
    const xz = getCrc('CRC-64/XZ');
    expect(() => xz.compute(CRC_CHECK_INPUT)).toThrow(/bigint/);
    expect(() => xz.begin().digest()).toThrow(/bigint/);
    const crc = getCrc('CRC-32');
    expect(() => crc.compute(CRC_CHECK_INPUT, 5, 5)).toThrow(/past the end/);
    expect(() => crc.compute(CRC_CHECK_INPUT, 10)).toThrow(/offset/);
    expect(() => crc.compute(CRC_CHECK_INPUT, -1, 1)).toThrow(/offset/);
  });

  it('gives the CRC of the empty message', () => {
    for (const m of CRC_CATALOGUE) expect(getCrc(m.name).computeBig(new Uint8Array(0))).toBe(referenceCrc(m, new Uint8Array(0)));
    expect(getCrc('CRC-32').compute(new Uint8Array(0))).toBe(0);
  });
});

describe('CRC engine properties (against the bitwise reference)', () => {
  it('matches the reference for random models of every width and random inputs', () => {
    fc.assert(fc.property(paramsArb, bytesArb, (p, data) => {
      const m = model(p);
      const expected = referenceCrc(p, data);
      const sliced = createCrc(m);
      const bytewise = createCrc(m, { method: 'bytewise' });
      expect(sliced.computeBig(data)).toBe(expected);
      expect(bytewise.computeBig(data)).toBe(expected);
      if (p.width <= 32) expect(sliced.compute(data)).toBe(Number(expected));
    }), fcParams('crc random models', 400));
  });

  it('covers every width 1–64 in both bit orders', () => {
    const data = Uint8Array.from({ length: 77 }, (_, i) => (i * 37 + 11) & 0xff);
    for (let width = 1; width <= 64; width++) {
      for (const refin of [false, true]) {
        const max = (1n << BigInt(width)) - 1n;
        const p: CrcParams = { width, poly: (0x42f0e1eba9ea3693n & max) | 1n, init: max & 0x5a5a5a5a5a5a5a5an, refin, refout: !refin, xorout: max };
        expect(createCrc(model(p)).computeBig(data.subarray(3))).toBe(referenceCrc(p, data.subarray(3)));
      }
    }
  });

  it('gives the same CRC incrementally, split anywhere, as in one shot', () => {
    const splitArb = fc.array(fc.nat(), { maxLength: 6 });
    fc.assert(fc.property(paramsArb, bytesArb, splitArb, (p, data, cuts) => {
      const crc = createCrc(model(p));
      const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
      const stream = crc.begin();
      let from = 0;
      for (const point of [...points, data.length]) {
        stream.update(data, from, point - from);
        from = point;
      }
      expect(stream.digestBig()).toBe(crc.computeBig(data));
      if (p.width <= 32) expect(stream.digest()).toBe(crc.compute(data));
    }), fcParams('crc incremental splits', 300));
  });

  it('is independent of the buffer alignment and of offset/length arguments', () => {
    const names = CRC_CATALOGUE.map((m) => m.name);
    fc.assert(fc.property(fc.constantFrom(...names), bytesArb, fc.integer({ min: 0, max: 7 }), fc.nat(), fc.nat(), (name, data, shift, a, b) => {
      const crc = getCrc(name);
      const start = a % (data.length + 1);
      const length = b % (data.length - start + 1);
      const expected = referenceCrc(crc.model, data.subarray(start, start + length));
      const moved = shifted(data, shift);
      expect(crc.computeBig(moved, start, length)).toBe(expected);
      expect(crc.computeBig(moved.subarray(start, start + length))).toBe(expected);
    }), fcParams('crc unaligned offsets', 300));
  });

  it('agrees with the bytewise loop on large inputs at every alignment', () => {
    const data = Uint8Array.from({ length: 70_001 }, (_, i) => (i * 2654435761) >>> 24);
    for (const m of CRC_CATALOGUE) {
      const sliced = createCrc(m);
      const bytewise = createCrc(m, { method: 'bytewise' });
      for (let shift = 0; shift < 4; shift++) {
        const moved = shifted(data, shift);
        expect(sliced.computeBig(moved, 1)).toBe(bytewise.computeBig(moved, 1));
      }
    }
  });

  it('matches the bytewise loop for random models on inputs long enough for the working-table path', () => {
    const longArb = fc.uint8Array({ minLength: 4096, maxLength: 6000 });
    fc.assert(fc.property(paramsArb, longArb, fc.integer({ min: 0, max: 7 }), (p, data, shift) => {
      const m = model(p);
      const moved = shifted(data, shift);
      expect(createCrc(m).computeBig(moved)).toBe(createCrc(m, { method: 'bytewise' }).computeBig(moved));
    }), fcParams('crc random models, long inputs', 60));
  });

  it('keeps results right when engines alternate on long inputs (shared working tables reload)', () => {
    const data = Uint8Array.from({ length: 9_000 }, (_, i) => (i * 40503) >>> 7);
    const names = ['CRC-32/ISCSI', 'CRC-16/XMODEM', 'CRC-32/ISCSI', 'CRC-8/SAE-J1850', 'CRC-32/BZIP2', 'CRC-32/ISCSI'];
    for (const name of names) {
      const m = getCrc(name).model;
      expect(getCrc(name).computeBig(data)).toBe(createCrc(m, { method: 'bytewise' }).computeBig(data));
    }
    const a = getCrc('CRC-32/ISCSI').begin();
    const b = getCrc('CRC-16/IBM-3740').begin();
    for (let i = 0; i < 3; i++) { a.update(data); b.update(data); }
    const tripled = new Uint8Array(data.length * 3);
    for (let i = 0; i < 3; i++) tripled.set(data, i * data.length);
    expect(a.digestBig()).toBe(referenceCrc(getCrc('CRC-32/ISCSI').model, tripled));
    expect(b.digestBig()).toBe(referenceCrc(getCrc('CRC-16/IBM-3740').model, tripled));
  });

  it('uses an injected accelerator (zlib.crc32) with the same results, one shot and incremental', () => {
    const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
    if (typeof native !== 'function') return;
    const iso = getCrc('CRC-32/ISO-HDLC');
    const accelerated = createCrc(iso.model, { accelerator: (data, crc) => native(data, crc) });
    expect(accelerated.compute(CRC_CHECK_INPUT)).toBe(0xcbf43926);
    fc.assert(fc.property(bytesArb, fc.nat(), (data, cut) => {
      const point = cut % (data.length + 1);
      const stream = accelerated.begin();
      stream.update(data, 0, point);
      stream.update(data, point);
      expect(stream.digest()).toBe(iso.compute(data));
      expect(accelerated.compute(data)).toBe(iso.compute(data));
    }), fcParams('crc zlib accelerator', 200));
  });
});
