/**
 * The control law's ports are the protected images themselves: MemoryImage is its ControlMemory
 * and RegisterImage its WorkRegisters. Their fast paths (clean-word float32 loads of the ECC
 * memory, equal-copy loads of the TMR registers) must behave exactly like the general paths:
 * every flip is seen, corrected or counted, whatever was read before it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ControlMemory, WorkRegisters } from '../../../src/core/control/state.js';
import { MemoryImage } from '../../../src/core/memory/memory-image.js';
import { RegisterImage } from '../../../src/core/memory/register-image.js';
import { fcParams } from '../../support/seed.js';

const WORDS = 16;

function filledImage(code: 'secded-39-32' | 'secded-72-64' = 'secded-39-32'): { image: MemoryImage; mem: ControlMemory; values: number[] } {
  const image = new MemoryImage({ sizeBytes: 4 * WORDS, code, interleave: 4 });
  const mem: ControlMemory = image; // the law sees only the port
  const values = Array.from({ length: WORDS }, (_, i) => Math.fround(1.5 * i - 7.25));
  values.forEach((v, i) => { mem.writeF32(4 * i, v); });
  return { image, mem, values };
}

describe('MemoryImage as the law\'s ControlMemory', () => {
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
      expect(image.portFaults).toBe(0);
    }), fcParams('ports: ECC flip after clean reads'));
  });

  it('counts a double flip as uncorrectable on every read, never as a clean one', () => {
    const { image, mem } = filledImage();
    mem.readF32(8);
    image.flipBit(2, 0);
    image.flipBit(2, 5);
    mem.readF32(8);
    expect(image.lastReadStatus).toBe('uncorrectable');
    mem.readF32(8);
    expect(image.portFaults).toBe(2);
    image.clearPortFaults();
    expect(image.portFaults).toBe(0);
  });

  it('does not count other readers (console, reintegration) as port faults', () => {
    const { image, mem } = filledImage();
    image.flipBit(2, 0);
    image.flipBit(2, 5);
    expect(image.readChecked(8, 4).ok).toBe(false);
    expect(image.snapshot().ok).toBe(false);
    expect(image.portFaults).toBe(0);
    mem.readF32(8);
    expect(image.portFaults).toBe(1);
  });

  it('counts a store refused by an uncorrectable 64-bit word (partial-word write) as a port fault', () => {
    const { image, mem } = filledImage('secded-72-64');
    image.flipBit(1, 0);
    image.flipBit(1, 9); // word 1 holds bytes 8..15
    mem.writeF32(12, 2.5);
    expect(image.portFaults).toBe(1);
    expect(image.readChecked(8, 8).ok).toBe(false); // nothing was merged into the bad word
  });

  it('keeps a 64-bit word clean through fast-path stores to either half', () => {
    fc.assert(fc.property(fc.nat(2 * (WORDS / 2) - 1), fc.float({ noNaN: true }), (slot, value) => {
      const { image, mem } = filledImage('secded-72-64');
      mem.writeF32(4 * slot, value);
      expect(image.syndromeOf(slot >>> 1)).toBe(0);
      expect(mem.readF32(4 * slot)).toBe(Math.fround(value));
      expect(image.lastReadStatus).toBe('ok');
    }), fcParams('ports: 72-64 fast store'));
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

describe('RegisterImage as the law\'s WorkRegisters', () => {
  it('votes out a flipped copy after equal-copy reads, and counts the repair', () => {
    fc.assert(fc.property(fc.nat(3), fc.constantFrom(0 as const, 1 as const, 2 as const), fc.nat(31), fc.float({ noNaN: true }), (i, copy, bit, value) => {
      const image = new RegisterImage(['R0', 'R1', 'R2', 'R3']);
      const regs: WorkRegisters = image;
      regs.writeF32At(i, value);
      const stored = regs.readF32At(i);
      expect(stored).toBe(Math.fround(value));
      image.flipAt(i, copy, bit);
      expect(regs.readF32At(i)).toBe(stored);
      expect(image.statistics().maskedDisagreements).toBe(1);
      expect(image.statistics().reads).toBe(2);
      expect(image.peekCopy(i, copy)).toBe(image.peekCopy(i, ((copy + 1) % 3) as 0 | 1 | 2));
    }), fcParams('ports: TMR flip after equal-copy reads'));
  });
});
