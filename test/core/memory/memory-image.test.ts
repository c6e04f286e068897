import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryImage } from '../../../src/core/memory/memory-image.js';
import { getCrc } from '../../../src/core/integrity/crc-catalogue.js';
import { SECDED_CODE_NAMES } from '../../../src/core/integrity/secded.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { fcParams, testSeed } from '../../support/seed.js';

function randomBytes(prng: Prng, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => prng.nextU32() & 0xff);
}

describe.each(SECDED_CODE_NAMES)('MemoryImage %s', (code) => {
  it('round-trips writes and reads at any offset and length (model check)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(99), fc.uint8Array({ maxLength: 40 })), { maxLength: 30 }), (writes) => {
      const image = new MemoryImage({ sizeBytes: 101, code, interleave: 3 });
      const model = new Uint8Array(101);
      for (const [address, bytes] of writes) {
        const data = bytes.subarray(0, 101 - address);
        expect(image.write(address, data).ok).toBe(true);
        model.set(data, address);
      }
      expect(image.read(0, 101)).toEqual(model);
      expect(image.lastReadStatus).toBe('ok');
    }), fcParams(`${code} write/read model`, 300));
  });

  it('corrects a single flip at any code-word bit on read, writes it back and counts it', () => {
    const prng = new Prng(testSeed(`${code} read correction`));
    const image = new MemoryImage({ sizeBytes: 64, code });
    const data = randomBytes(prng, 64);
    image.restore(data);
    for (let bit = 0; bit < image.code.codeBits; bit++) {
      const word = prng.nextInt(image.wordCount);
      image.flipBit(word, bit);
      expect(image.syndromeOf(word)).not.toBe(0);
      expect(image.read(0, 64)).toEqual(data);
      expect(image.lastReadStatus).toBe('corrected');
      expect(image.syndromeOf(word)).toBe(0); // written back
    }
    expect(image.statistics()).toEqual({ readCorrected: image.code.codeBits, readUncorrectable: 0, flipsInjected: image.code.codeBits });
  });

  it('never returns a double error silently', () => {
    const image = new MemoryImage({ sizeBytes: 32, code });
    expect(image.writeF32(8, 1.5).ok).toBe(true);
    const word = Math.floor(8 / image.wordBytes);
    image.flipBit(word, 1);
    image.flipBit(word, 2);
    const r = image.readF32Checked(8);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'uncorrectable', word, address: word * image.wordBytes });
    image.readU32(8);
    expect(image.lastReadStatus).toBe('uncorrectable');
    expect(image.lastReadFaultWord).toBe(word);
    expect(image.readChecked(0, 32).ok).toBe(false);
    expect(image.snapshot().ok).toBe(false);
    expect(image.dataCrc32().ok).toBe(false);
  });

  it('refuses a partial write into an uncorrectable word and changes nothing', () => {
    const image = new MemoryImage({ sizeBytes: 32, code });
    image.restore(Uint8Array.from({ length: 32 }, (_, i) => i));
    image.flipBit(1, 0);
    image.flipBit(1, 5);
    const before = image.exportRaw();
    const r = image.write(image.wordBytes + 1, Uint8Array.of(0xaa)); // inside word 1
    expect(r.ok).toBe(false);
    expect(image.exportRaw()).toEqual(before);
    // A write that covers the whole word replaces it and makes it clean.
    expect(image.write(image.wordBytes, new Uint8Array(image.wordBytes).fill(7)).ok).toBe(true);
    expect(image.syndromeOf(1)).toBe(0);
  });

  it('reads and writes little-endian u32 and f32 slots, aligned or not', () => {
    const image = new MemoryImage({ sizeBytes: 24, code });
    expect(image.writeU32(4, 0xdeadbeef).ok).toBe(true);
    expect(Array.from(image.read(4, 4))).toEqual([0xef, 0xbe, 0xad, 0xde]);
    expect(image.readU32(4)).toBe(0xdeadbeef);
    expect(image.writeU32(6, 0x01020304).ok).toBe(true);
    expect(image.readU32(6)).toBe(0x01020304);
    expect(image.writeF32(16, -0.1).ok).toBe(true);
    expect(image.readF32(16)).toBe(Math.fround(-0.1));
    const r = image.readF32Checked(16);
    expect(r.ok && r.value === Math.fround(-0.1)).toBe(true);
    expect(() => image.readU32(21)).toThrow(/outside image/);
  });

  it('flips physical bits through the interleaving map', () => {
    const image = new MemoryImage({ sizeBytes: 64, code, interleave: 4 });
    expect(image.physicalBitCount).toBe(image.wordCount * image.code.codeBits);
    for (let p = 0; p < 4; p++) image.flipPhysicalBit(p);
    expect([0, 1, 2, 3].map((w) => image.syndromeOf(w) !== 0)).toEqual([true, true, true, true]);
    expect(image.read(0, 64).every((b) => b === 0)).toBe(true);
    expect(image.lastReadStatus).toBe('corrected');
  });

  it('snapshot/restore carry state into another image, verified by CRC-32/ISCSI', () => {
    const prng = new Prng(testSeed(`${code} snapshot`));
    const source = new MemoryImage({ sizeBytes: 200, code });
    const data = randomBytes(prng, 200);
    source.restore(data);
    source.flipBit(3, 7);
    const snap = source.snapshot();
    expect(snap.ok && snap.value).toEqual(data);
    const target = new MemoryImage({ sizeBytes: 200, code, interleave: 2 });
    if (snap.ok) target.restore(snap.value);
    const a = source.dataCrc32();
    const b = target.dataCrc32();
    expect(a.ok && b.ok && a.value === b.value).toBe(true);
    expect(a.ok && a.value).toBe(getCrc('CRC-32/ISCSI').compute(data));
  });

  it('pads to whole (interleaved) words that are clean', () => {
    const image = new MemoryImage({ sizeBytes: 5, code, interleave: 3 });
    expect(image.wordCount).toBe(3);
    expect(image.findDirtyWord(0, image.wordCount)).toBe(image.wordCount);
    const empty = new MemoryImage({ sizeBytes: 0, code });
    expect(empty.wordCount).toBe(0);
    expect(empty.snapshot().ok).toBe(true);
  });
});
