// Stuck-at cells (permanent faults) in the protected memory image, and the scrubber's hard-error
// detector that tells them from transient upsets (a word corrected in two consecutive passes).
// Everything here is deterministic: fixed data patterns, no random draws.
import { describe, expect, it } from 'vitest';
import { MemoryImage, STUCK_BITS_MAX } from '../../../src/core/memory/memory-image.js';
import { HARD_ERROR_CANDIDATES_MAX, HARD_ERROR_WORDS_MAX, Scrubber } from '../../../src/core/memory/scrubber.js';
import { SECDED_CODE_NAMES, newDecodeOutcome, type SecDedCodeName } from '../../../src/core/integrity/secded.js';

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
}

function filledImage(code: SecDedCodeName, sizeBytes = 64): { image: MemoryImage; data: Uint8Array } {
  const image = new MemoryImage({ sizeBytes, code });
  const data = pattern(sizeBytes);
  image.restore(data);
  return { image, data };
}

/** The stored value of code-word bit `bit` of word `word` (errors included). */
function storedBit(image: MemoryImage, word: number, bit: number): number {
  const raw = image.exportRaw();
  const dataBits = image.code.dataBits;
  if (bit < dataBits) return ((raw.data[word * image.wordBytes + (bit >>> 3)] ?? 0) >>> (bit & 7)) & 1;
  return ((raw.check[word] ?? 0) >>> (bit - dataBits)) & 1;
}

/** The value that differs from what word `word` currently holds at `bit` (a stuck cell in error). */
function opposite(image: MemoryImage, word: number, bit: number): 0 | 1 {
  return storedBit(image, word, bit) === 1 ? 0 : 1;
}

/**
 * A u32 whose word (upper half, if any, zero) has code-word bit `bit` equal to `want`: a data
 * bit of the low half directly, a check bit through the encoder.
 */
function u32With(image: MemoryImage, bit: number, want: number): number {
  const dataBits = image.code.dataBits;
  for (let x = 0; x < 1 << 16; x++) {
    const got = bit < dataBits ? (x >>> bit) & 1 : (image.code.encode(x, 0) >>> (bit - dataBits)) & 1;
    if (got === want && (bit < 32 || bit >= dataBits)) return x;
  }
  throw new Error(`no u32 gives bit ${bit} = ${want}`);
}

/**
 * After a mutation: the word must still be treated as stuck. A write that agrees with the cell
 * makes the word clean, clean reads follow (the fast path would trust and un-suspect a word
 * that lost its stuck mark), then fast-path-sized stores that disagree must still be forced.
 */
function stillStuck(image: MemoryImage, word: number, bit: number, value: number): boolean {
  const address = word * image.wordBytes;
  const agree = u32With(image, bit, value);
  const disagree = u32With(image, bit, value ^ 1);
  image.write(address, new Uint8Array(image.wordBytes));
  image.writeU32(address, agree);
  image.readF32(address);
  image.readU32(address);
  image.writeU32(address, disagree);
  const u32Forced = storedBit(image, word, bit) === value;
  image.writeU32(address, agree);
  image.readF32(address);
  const f = new Float32Array(new Uint32Array([disagree]).buffer)[0] ?? 0;
  image.writeF32(address, f);
  return u32Forced && storedBit(image, word, bit) === value && image.readU32(address) === disagree;
}

describe.each(SECDED_CODE_NAMES)('stuck-at bits, %s', (code) => {
  it('a write repairs a flipped cell for good, but a stuck cell comes back in error', () => {
    const { image } = filledImage(code);
    const word = 2;
    const address = word * image.wordBytes;
    // Transient: the flip is gone after the word is rewritten.
    image.flipBit(word, 5);
    expect(image.syndromeOf(word)).not.toBe(0);
    expect(image.write(address, new Uint8Array(image.wordBytes)).ok).toBe(true);
    expect(image.syndromeOf(word)).toBe(0);
    expect(storedBit(image, word, 5)).toBe(0);
    // Permanent: the same cell stuck at 1 is in error at once and after the same write.
    image.setStuckBit(word, 5, 1);
    expect(image.stuckBitCount).toBe(1);
    expect(storedBit(image, word, 5)).toBe(1);
    expect(image.syndromeOf(word)).not.toBe(0);
    expect(image.write(address, new Uint8Array(image.wordBytes)).ok).toBe(true);
    expect(storedBit(image, word, 5)).toBe(1);
    expect(image.syndromeOf(word)).not.toBe(0);
    // Reads still deliver the right data, and their write-back does not stay either.
    expect(image.readU32(address)).toBe(0);
    expect(image.lastReadStatus).toBe('corrected');
    expect(image.syndromeOf(word)).not.toBe(0);
  });

  it('a word with a stuck cell is decoded and corrected on every read, never trusted as clean', () => {
    const image = new MemoryImage({ sizeBytes: 32, code });
    const address = 8;
    const word = address >>> (image.wordBytes === 4 ? 2 : 3);
    expect(image.writeF32(address, 1.5).ok).toBe(true); // 0x3fc00000: data bit 0 of the slot is 0
    const bit = address % image.wordBytes === 0 ? 0 : 32;
    image.setStuckBit(word, bit, 1);
    for (let i = 0; i < 10; i++) {
      const correctedBefore = image.statistics().readCorrected;
      expect(image.readF32(address)).toBe(1.5);
      expect(image.lastReadStatus).toBe('corrected');
      expect(image.statistics().readCorrected).toBe(correctedBefore + 1); // (a 64-bit word's partial store corrects too)
      // The law's read-modify-write stores the right value; the cell still reads back wrong.
      expect(image.writeF32(address, 1.5).ok).toBe(true);
      expect(image.syndromeOf(word)).not.toBe(0);
    }
    expect(image.portFaults).toBe(0);
    expect(image.statistics().flipsInjected).toBe(0); // stuck cells are not flips
  });

  it('a cell stuck at the value it holds is harmless until a write disagrees with it', () => {
    const { image, data } = filledImage(code, 32);
    const word = 1;
    const address = word * image.wordBytes;
    const held = storedBit(image, word, 0);
    image.setStuckBit(word, 0, held === 1 ? 1 : 0);
    expect(image.syndromeOf(word)).toBe(0);
    expect(image.read(0, 32)).toEqual(data);
    expect(image.lastReadStatus).toBe('ok');
    const flipped = (image.readU32(address) ^ 1) >>> 0; // the same word with data bit 0 changed
    expect(image.writeU32(address, flipped).ok).toBe(true);
    expect(storedBit(image, word, 0)).toBe(held);
    expect(image.syndromeOf(word)).not.toBe(0);
    expect(image.readU32(address)).toBe(flipped);
    expect(image.lastReadStatus).toBe('corrected');
  });

  it('a second error in a word with a stuck cell makes it uncorrectable (and a port fault)', () => {
    const { image } = filledImage(code, 32);
    const word = 3;
    const address = word * image.wordBytes;
    image.setStuckBit(word, 4, opposite(image, word, 4));
    image.readF32(address);
    expect(image.lastReadStatus).toBe('corrected');
    image.flipBit(word, 9);
    const r = image.readF32Checked(address);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'uncorrectable', word });
    expect(image.portFaults).toBe(1);
    // A full rewrite of the word clears the transient flip; the stuck cell is correctable again.
    expect(image.write(address, new Uint8Array(image.wordBytes).fill(0xff)).ok).toBe(true);
    expect(image.readU32(address)).toBe(0xffffffff);
    expect(image.lastReadStatus).toBe(storedBit(image, word, 4) === 1 ? 'ok' : 'corrected');
  });

  const cells: readonly (readonly [string, (image: MemoryImage) => number])[] = [
    ['data', () => 6],
    ['check', (image) => image.code.dataBits + 2],
  ];
  describe.each(cells)('a stuck %s bit is forced again after every mutation of its word', (_kind, bitOf) => {
    it('writes, restore, importRaw, repairs, flips and reads all leave the cell at its value', () => {
      const { image, data } = filledImage(code, 32);
      const word = 1;
      const address = word * image.wordBytes;
      const bit = bitOf(image);
      const value = opposite(image, word, bit);
      image.setStuckBit(word, bit, value);
      const mutations: readonly [string, () => void][] = [
        ['write (whole word)', () => { image.write(address, pattern(image.wordBytes)); }],
        ['write (one byte)', () => { image.write(address + 1, Uint8Array.of(0x5a)); }],
        ['writeU32', () => { image.writeU32(address, 0xffffffff); }],
        ['writeU32 (zero)', () => { image.writeU32(address, 0); }],
        ['writeF32', () => { image.writeF32(address, -2.75); }],
        ['restore', () => { image.restore(data); }],
        ['importRaw (cell cleared in the raw copy)', () => {
          const raw = image.exportRaw();
          if (bit < image.code.dataBits) raw.data[address + (bit >>> 3)] = (raw.data[address + (bit >>> 3)] ?? 0) ^ (1 << (bit & 7));
          else raw.check[word] = (raw.check[word] ?? 0) ^ (1 << (bit - image.code.dataBits));
          image.importRaw(raw.data, raw.check);
        }],
        ['repairWord', () => { image.repairWord(word, newDecodeOutcome()); }],
        ['flipBit of the stuck cell', () => { image.flipBit(word, bit); }],
        ['flipWordBits over the stuck cell', () => { image.flipWordBits(word, bit, 1); }],
        ['read (correction write-back)', () => { image.read(0, 32); }],
        ['dataCrc32 (correction write-back)', () => { image.dataCrc32(); }],
      ];
      for (const [name, mutate] of mutations) {
        image.restore(data);
        mutate();
        if (storedBit(image, word, bit) !== value) expect.fail(`${name}: the stuck cell lost its value`);
        if (!stillStuck(image, word, bit, value)) expect.fail(`${name}: the word is no longer treated as stuck`);
      }
      // After a plain restore the data read back is right: the single stuck error is corrected.
      image.restore(data);
      expect(image.read(0, 32)).toEqual(data);
      expect(image.lastReadStatus).toBe('corrected');
      expect(image.dataCrc32().ok).toBe(true);
    });

    it('repairWord reports the correction while the stored word stays in error', () => {
      const { image } = filledImage(code, 32);
      const bit = bitOf(image);
      image.setStuckBit(2, bit, opposite(image, 2, bit));
      const out = image.repairWord(2, newDecodeOutcome());
      expect(out.kind).toBe(bit < image.code.dataBits ? 'corrected-data' : 'corrected-check');
      expect(out.position).toBe(bit);
      expect(image.syndromeOf(2)).not.toBe(0);
    });
  });

  it('a partial write into a word with a stuck cell merges into the corrected data, not the stuck data', () => {
    const { image, data } = filledImage(code, 32);
    const word = 2;
    const address = word * image.wordBytes;
    image.setStuckBit(word, 0, opposite(image, word, 0)); // byte 0 of the word
    expect(image.write(address + 2, Uint8Array.of(0xc3)).ok).toBe(true); // byte 2 only
    const expected = data.slice(address, address + image.wordBytes);
    expected[2] = 0xc3;
    expect(image.read(address, image.wordBytes)).toEqual(expected);
    expect(image.lastReadStatus).toBe('corrected'); // still one (stuck) error, not laundered into the data
  });

  it('multi-word reads and snapshots deliver corrected data around several stuck words', () => {
    const { image, data } = filledImage(code, 64);
    for (const word of [0, 3, 5]) image.setStuckBit(word, word + 1, opposite(image, word, word + 1));
    expect(image.stuckBitCount).toBe(3);
    expect(image.read(0, 64)).toEqual(data);
    expect(image.lastReadStatus).toBe('corrected');
    const snap = image.snapshot();
    expect(snap.ok && snap.value).toEqual(data);
    expect([0, 3, 5].map((w) => image.syndromeOf(w) !== 0)).toEqual([true, true, true]);
  });

  it('clearStuckBits frees the cells: the next write repairs the word and reads are clean again', () => {
    const { image, data } = filledImage(code, 32);
    image.setStuckBit(1, 3, opposite(image, 1, 3));
    image.setStuckBit(2, 3, opposite(image, 2, 3));
    image.clearStuckBits();
    expect(image.stuckBitCount).toBe(0);
    expect(image.syndromeOf(1)).not.toBe(0); // what the cell held is still there
    image.restore(data);
    expect(image.syndromeOf(1)).toBe(0);
    expect(image.syndromeOf(2)).toBe(0);
    expect(image.read(0, 32)).toEqual(data);
    expect(image.lastReadStatus).toBe('ok');
  });

  it('validates its arguments and bounds the table at STUCK_BITS_MAX', () => {
    const image = new MemoryImage({ sizeBytes: 8 * (STUCK_BITS_MAX + 1), code });
    expect(() => { image.setStuckBit(-1, 0, 1); }).toThrow(/out of range/);
    expect(() => { image.setStuckBit(image.wordCount, 0, 1); }).toThrow(/out of range/);
    expect(() => { image.setStuckBit(0, image.code.codeBits, 1); }).toThrow(/out of range/);
    expect(() => { image.setStuckBit(0, 1.5, 1); }).toThrow(/out of range/);
    expect(() => { image.setStuckBit(0, 0, 2 as 0 | 1); }).toThrow(/0 or 1/);
    expect(image.stuckBitCount).toBe(0);
    for (let i = 0; i < STUCK_BITS_MAX; i++) image.setStuckBit(i, i % image.code.codeBits, 1);
    expect(image.stuckBitCount).toBe(STUCK_BITS_MAX);
    image.setStuckBit(0, 0, 0); // the same cell again: a new value, not a new entry
    expect(image.stuckBitCount).toBe(STUCK_BITS_MAX);
    expect(storedBit(image, 0, 0)).toBe(0);
    expect(() => { image.setStuckBit(STUCK_BITS_MAX, 0, 1); }).toThrow(/at most/);
  });
});

describe.each(SECDED_CODE_NAMES)('scrubber hard-error detection, %s', (code) => {
  function passes(scrubber: Scrubber, image: MemoryImage, count: number, budget = image.wordCount): number[] {
    const flagged: number[] = [];
    for (let pass = 0; pass < count; pass++) {
      let completed = false;
      for (let step = 0; !completed; step++) {
        expect(step).toBeLessThan(image.wordCount + 1);
        const nowMicros = 10 * scrubber.statistics().wordsScanned; // a monotonic step clock
        completed = scrubber.step(nowMicros, budget).passCompleted;
      }
      flagged.push(scrubber.statistics().hardErrorWords);
    }
    return flagged;
  }

  it('flags a word with a stuck cell after two passes, and never a transient flip', () => {
    const { image } = filledImage(code, 128);
    image.setStuckBit(3, 7, opposite(image, 3, 7));
    image.flipBit(9, 2); // transient
    const scrubber = new Scrubber(image);
    expect(passes(scrubber, image, 1)).toEqual([0]);
    expect(scrubber.statistics().corrected).toBe(2);
    expect(passes(scrubber, image, 3)).toEqual([1, 1, 1]); // distinct words: counted once
    const stats = scrubber.statistics();
    expect(stats.hardErrorWordList).toEqual([3]);
    expect(stats.corrected).toBe(5); // the stuck word is corrected on every pass, the flip once
  });

  it('needs consecutive passes: a word hit by transients in passes 1 and 3 is not flagged', () => {
    const { image } = filledImage(code, 128);
    const scrubber = new Scrubber(image);
    image.flipBit(4, 1);
    passes(scrubber, image, 1);
    passes(scrubber, image, 1);
    image.flipBit(4, 1);
    expect(passes(scrubber, image, 2)).toEqual([0, 0]);
    expect(scrubber.statistics().corrected).toBe(2);
    // Without a stuck cell the same word corrected in two passes running is what the detector flags.
    image.flipBit(4, 1);
    passes(scrubber, image, 1);
    image.flipBit(4, 1);
    expect(passes(scrubber, image, 1)).toEqual([1]);
  });

  it('flags stuck check bits too, with steps smaller than a pass', () => {
    const { image } = filledImage(code, 128);
    const bit = image.code.dataBits + 1;
    image.setStuckBit(image.wordCount - 1, bit, opposite(image, image.wordCount - 1, bit));
    const scrubber = new Scrubber(image);
    expect(passes(scrubber, image, 2, 5)).toEqual([0, 1]);
    expect(scrubber.statistics().correctedCheck).toBe(2);
    expect(scrubber.statistics().hardErrorWordList).toEqual([image.wordCount - 1]);
  });

  it('bounded bookkeeping: an error storm can delay a flag but never invents one', () => {
    const storm = 10;
    const { image } = filledImage(code, 8 * (STUCK_BITS_MAX + storm));
    for (let w = 0; w < storm; w++) image.flipBit(w, 0); // transients first in the pass
    for (let i = 0; i < STUCK_BITS_MAX; i++) {
      const w = storm + i;
      image.setStuckBit(w, 1, opposite(image, w, 1));
    }
    const scrubber = new Scrubber(image);
    // Pass 1 remembers only the first HARD_ERROR_CANDIDATES_MAX corrected words, so the last
    // `storm` stuck words are flagged one pass late.
    const counts = passes(scrubber, image, 4);
    expect(counts).toEqual([0, HARD_ERROR_CANDIDATES_MAX - storm, STUCK_BITS_MAX, STUCK_BITS_MAX]);
    expect(STUCK_BITS_MAX).toBeLessThanOrEqual(HARD_ERROR_WORDS_MAX);
    const list = scrubber.statistics().hardErrorWordList;
    expect(list.every((w) => w >= storm)).toBe(true);
    expect(new Set(list).size).toBe(list.length);
  });
});
