/**
 * The control-law adapters' fast paths (clean-word float32 reads of the ECC memory, equal-copy
 * reads of the TMR registers) must behave exactly like the general paths: every flip is seen,
 * corrected or counted, whatever was read before it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EccControlMemory, TmrWorkRegisters } from '../../../src/core/channel/adapters.js';
import { MemoryImage } from '../../../src/core/memory/memory-image.js';
import { RegisterImage } from '../../../src/core/memory/register-image.js';
import { fcParams } from '../../support/seed.js';

const WORDS = 16;

function filledImage(): { image: MemoryImage; mem: EccControlMemory; values: number[] } {
  const image = new MemoryImage({ sizeBytes: 4 * WORDS, code: 'secded-39-32', interleave: 4 });
  const mem = new EccControlMemory(image);
  const values = Array.from({ length: WORDS }, (_, i) => Math.fround(1.5 * i - 7.25));
  values.forEach((v, i) => { mem.writeF32(4 * i, v); });
  return { image, mem, values };
}

describe('EccControlMemory', () => {
  it('reads the written value back through the clean path, status ok', () => {
    const { image, mem, values } = filledImage();
    for (let i = 0; i < WORDS; i++) {
      expect(mem.readF32(4 * i)).toBe(values[i]);
      expect(image.lastReadStatus).toBe('ok');
    }
    expect(image.statistics().readCorrected).toBe(0);
  });

  it('sees a single flip after clean reads of the same word: corrects it and counts it', () => {
    fc.assert(fc.property(fc.nat(WORDS - 1), fc.nat(38), (word, bit) => {
      const { image, mem, values } = filledImage();
      expect(mem.readF32(4 * word)).toBe(values[word]); // the word is now known clean
      image.flipBit(word, bit);
      expect(mem.readF32(4 * word)).toBe(values[word]);
      expect(image.lastReadStatus).toBe('corrected');
      expect(image.statistics().readCorrected).toBe(1);
      expect(image.syndromeOf(word)).toBe(0);
      expect(mem.readF32(4 * word)).toBe(values[word]);
      expect(image.lastReadStatus).toBe('ok');
      expect(mem.uncorrectableCount).toBe(0);
    }), fcParams('adapters: ECC flip after clean reads'));
  });

  it('counts a double flip as uncorrectable on every read, never as a clean one', () => {
    const { image, mem } = filledImage();
    mem.readF32(8);
    image.flipBit(2, 0);
    image.flipBit(2, 5);
    mem.readF32(8);
    expect(image.lastReadStatus).toBe('uncorrectable');
    mem.readF32(8);
    expect(mem.uncorrectableCount).toBe(2);
  });

  it('treats raw imported words as unchecked', () => {
    const { image, mem, values } = filledImage();
    mem.readF32(12);
    const raw = image.exportRaw();
    const data = raw.data.slice();
    data[12] = (data[12] ?? 0) ^ 0x10; // one data bit of word 3
    image.importRaw(data, raw.check);
    expect(mem.readF32(12)).toBe(values[3]);
    expect(image.lastReadStatus).toBe('corrected');
  });
});

describe('TmrWorkRegisters', () => {
  it('votes out a flipped copy after equal-copy reads, and counts the repair', () => {
    fc.assert(fc.property(fc.nat(3), fc.constantFrom(0 as const, 1 as const, 2 as const), fc.nat(31), fc.float({ noNaN: true }), (i, copy, bit, value) => {
      const image = new RegisterImage(['R0', 'R1', 'R2', 'R3']);
      const regs = new TmrWorkRegisters(image);
      regs.writeF32(i, value);
      const stored = regs.readF32(i);
      expect(stored).toBe(Math.fround(value));
      image.flipAt(i, copy, bit);
      expect(regs.readF32(i)).toBe(stored);
      expect(image.statistics().maskedDisagreements).toBe(1);
      expect(image.statistics().reads).toBe(2);
      expect(image.peekCopy(i, copy)).toBe(image.peekCopy(i, ((copy + 1) % 3) as 0 | 1 | 2));
    }), fcParams('adapters: TMR flip after equal-copy reads'));
  });
});
