// Transient upsets beyond what SEC-DED guarantees: an upset of the decoder's output latch
// (silent, once), a multi-bit upset inside one word (no interleaving to spread it), and an
// upset of the scrubber's own address counter. Deterministic data; the one randomised test
// uses the project's Prng with the fixed seed in its name.
import { describe, expect, it } from 'vitest';
import { MemoryImage, WORD_UPSET_BITS_MAX } from '../../../src/core/memory/memory-image.js';
import { CURSOR_UPSET_BIT_MAX, Scrubber } from '../../../src/core/memory/scrubber.js';
import { CONTROL_MEMORY_GEOMETRY } from '../../../src/core/channel/channel.js';
import { SECDED_CODE_NAMES, type SecDedCode, type SecDedCodeName } from '../../../src/core/integrity/secded.js';
import { Prng } from '../../../src/core/sim/prng.js';

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 53 + 7) & 0xff);
}

function filledImage(code: SecDedCodeName, sizeBytes = 64, interleave = 1): { image: MemoryImage; data: Uint8Array } {
  const image = new MemoryImage({ sizeBytes, code, interleave });
  const data = pattern(sizeBytes);
  image.restore(data);
  return { image, data };
}

function u32At(data: Uint8Array, address: number): number {
  return ((data[address] ?? 0) | ((data[address + 1] ?? 0) << 8) | ((data[address + 2] ?? 0) << 16) | ((data[address + 3] ?? 0) << 24)) >>> 0;
}

describe.each(SECDED_CODE_NAMES)('decoder output upset, %s', (code) => {
  it('corrupts the next clean fast-path float read once, silently, and leaves the stored word alone', () => {
    const image = new MemoryImage({ sizeBytes: 32, code, interleave: 4 });
    expect(image.writeF32(8, 1.5).ok).toBe(true);
    expect(image.readF32(8)).toBe(1.5); // known clean: the next read takes the fast path
    const raw = image.exportRaw();
    const signBit = 8 % image.wordBytes === 0 ? 31 : 63; // the sign of the float at byte 8
    expect(image.decoderUpsetArmed).toBe(false);
    image.armDecoderUpset(signBit);
    expect(image.decoderUpsetArmed).toBe(true);
    expect(image.readF32(8)).toBe(-1.5);
    expect(image.lastReadStatus).toBe('ok'); // the decoder saw a clean word: nothing flags it
    expect(image.decoderUpsetArmed).toBe(false);
    expect(image.exportRaw()).toEqual(raw);
    expect(image.readF32(8)).toBe(1.5); // once only
    expect(image.statistics()).toEqual({ readCorrected: 0, readUncorrectable: 0, flipsInjected: 0 });
    expect(image.portFaults).toBe(0);
  });

  it('a read-modify-write of the upset value encodes the corruption into a valid code word', () => {
    const { image } = filledImage(code);
    const reference = filledImage(code).image;
    const address = 4 * 5;
    const good = image.readF32(address);
    const bit = (address % image.wordBytes) * 8 + 30; // an exponent bit of that float
    image.armDecoderUpset(bit);
    const value = image.readF32(address);
    expect(value).not.toBe(good);
    expect(image.writeF32(address, value).ok).toBe(true); // the control law stores what it read
    // Nothing can find it any more: the word is a valid code word, scrubbing and reads are clean.
    const scrubber = new Scrubber(image);
    scrubber.step(0, image.wordCount);
    expect(scrubber.statistics()).toMatchObject({ corrected: 0, uncorrectableEvents: 0 });
    expect(image.readF32(address)).toBe(value);
    expect(image.lastReadStatus).toBe('ok');
    expect(image.findDirtyWord(0, image.wordCount)).toBe(image.wordCount);
    // The same sequence without the upset leaves the value as it was.
    reference.writeF32(address, reference.readF32(address));
    expect(reference.readF32(address)).toBe(good);
  });

  it('hits u32 reads (aligned or not) and byte reads, the first word touched, only if its bit is delivered', () => {
    const { image, data } = filledImage(code);
    const wb = image.wordBytes;
    // Aligned u32 at the start of word 2: data bit 3 is bit 3 of the value.
    image.armDecoderUpset(3);
    expect(image.readU32(2 * wb)).toBe((u32At(data, 2 * wb) ^ 8) >>> 0);
    expect(image.readU32(2 * wb)).toBe(u32At(data, 2 * wb));
    // Unaligned u32 at 2*wb+1: data bit 8 of word 2 is bit 0 of the value.
    image.armDecoderUpset(8);
    expect(image.readU32(2 * wb + 1)).toBe((u32At(data, 2 * wb + 1) ^ 1) >>> 0);
    // A read spanning words 1..3: bit 17 of word 1 (byte 2 of word 1), nothing in the others.
    image.armDecoderUpset(17);
    const expected = data.slice(wb, 4 * wb);
    expected[2] = (expected[2] ?? 0) ^ 0x02;
    expect(image.read(wb, 3 * wb)).toEqual(expected);
    // A read starting mid-word after the upset byte: the flipped bit is discarded, the arm used.
    image.armDecoderUpset(0);
    expect(image.read(3 * wb + 1, 2)).toEqual(data.subarray(3 * wb + 1, 3 * wb + 3));
    expect(image.decoderUpsetArmed).toBe(false);
    expect(image.snapshot()).toEqual({ ok: true, value: data }); // stored data never changed
  });

  it('flips the decoder output of a corrected word too (status corrected, data still wrong)', () => {
    const { image, data } = filledImage(code);
    image.flipBit(1, 3);
    image.armDecoderUpset(5);
    expect(image.readU32(image.wordBytes)).toBe((u32At(data, image.wordBytes) ^ 0x20) >>> 0);
    expect(image.lastReadStatus).toBe('corrected');
    expect(image.syndromeOf(1)).toBe(0); // the stored word was corrected, without the upset bit
    expect(image.readU32(image.wordBytes)).toBe(u32At(data, image.wordBytes));
  });

  it('is not consumed by writes, the scrubber, dataCrc32 or a zero-length read', () => {
    const { image, data } = filledImage(code);
    image.armDecoderUpset(0);
    image.writeF32(0, 2.5);
    image.writeU32(5, 0x01020304);
    image.write(9, Uint8Array.of(1, 2, 3));
    image.flipBit(4, 1);
    new Scrubber(image).step(0, image.wordCount);
    expect(image.dataCrc32().ok).toBe(true);
    image.read(4, 0);
    expect(image.decoderUpsetArmed).toBe(true);
    expect(image.readU32(40)).toBe((u32At(data, 40) ^ 1) >>> 0);
    expect(image.decoderUpsetArmed).toBe(false);
  });

  it('64-bit words: the upper half of a word sees only upper data bits', () => {
    if (code !== 'secded-72-64') return;
    const { image, data } = filledImage(code);
    image.armDecoderUpset(40);
    expect(image.readU32(4)).toBe((u32At(data, 4) ^ (1 << 8)) >>> 0);
    image.armDecoderUpset(2); // lower half of word 0: not delivered by a read of bytes 4..7
    expect(image.readF32(4)).toBe(new Float32Array(data.slice(4, 8).buffer)[0]);
    expect(image.decoderUpsetArmed).toBe(false);
  });

  it('validates the data bit', () => {
    const image = new MemoryImage({ sizeBytes: 16, code });
    expect(() => { image.armDecoderUpset(image.code.dataBits); }).toThrow(/out of range/);
    expect(() => { image.armDecoderUpset(-1); }).toThrow(/out of range/);
    expect(() => { image.armDecoderUpset(0.5); }).toThrow(/out of range/);
    expect(image.decoderUpsetArmed).toBe(false);
  });
});

/** The syndrome a set of flipped code-word bits produces (XOR of their columns). */
function syndromeOfBurst(c: SecDedCode, firstBit: number, bits: number): number {
  let s = 0;
  for (let i = 0; i < bits; i++) s ^= c.columns[(firstBit + i) % c.codeBits] ?? 0;
  return s;
}

type BurstOutcome = 'corrected' | 'detected' | 'miscorrected' | 'undetected';

/** What a read makes of `bits` adjacent flips at `firstBit` of word 1. */
function burstOutcome(code: SecDedCodeName, firstBit: number, bits: number): BurstOutcome {
  const { image, data } = filledImage(code, 16);
  image.flipWordBits(1, firstBit, bits);
  const read = image.readChecked(0, 16);
  if (!read.ok) return 'detected';
  const right = read.value.every((b, i) => b === data[i]);
  if (image.lastReadStatus === 'ok') return right ? 'corrected' : 'undetected';
  return right ? 'corrected' : 'miscorrected';
}

describe.each(SECDED_CODE_NAMES)('multi-bit upset within one word, %s', (code) => {
  it('flips adjacent bits, wrapping modulo codeBits, like the same flips one by one', () => {
    const a = filledImage(code, 16).image;
    const b = filledImage(code, 16).image;
    const n = a.code.codeBits;
    a.flipWordBits(1, n - 2, 5);
    for (const bit of [n - 2, n - 1, 0, 1, 2]) b.flipBit(1, bit);
    expect(a.exportRaw()).toEqual(b.exportRaw());
    expect(a.syndromeOf(0)).toBe(0); // one word only
    expect(a.statistics().flipsInjected).toBe(5);
    a.flipWordBits(1, n - 2, 5); // twice is no upset at all
    expect(a.syndromeOf(1)).toBe(0);
  });

  it('one bit is corrected and two are detected, at every position (the SEC-DED guarantee)', () => {
    const n = filledImage(code, 16).image.code.codeBits;
    for (let first = 0; first < n; first++) {
      expect(burstOutcome(code, first, 1)).toBe('corrected');
      expect(burstOutcome(code, first, 2)).toBe('detected');
    }
  });

  it('validates the word, the first bit and the width', () => {
    const image = new MemoryImage({ sizeBytes: 16, code });
    expect(() => { image.flipWordBits(image.wordCount, 0, 3); }).toThrow(/out of range/);
    expect(() => { image.flipWordBits(0, image.code.codeBits, 3); }).toThrow(/out of range/);
    expect(() => { image.flipWordBits(0, 0, 0); }).toThrow(/out of range/);
    expect(() => { image.flipWordBits(0, 0, WORD_UPSET_BITS_MAX + 1); }).toThrow(/out of range/);
    expect(image.statistics().flipsInjected).toBe(0);
  });
});

describe('multi-bit upset within one word of the flight memory (CONTROL_MEMORY_GEOMETRY, secded-39-32)', () => {
  const code = CONTROL_MEMORY_GEOMETRY.code;

  it('is the (39,32) code', () => {
    expect(code).toBe('secded-39-32');
  });

  it('three adjacent bits: detected at some positions, silently miscorrected at others, never right', () => {
    const c = new MemoryImage(CONTROL_MEMORY_GEOMETRY).code;
    const seen: Record<BurstOutcome, number[]> = { corrected: [], detected: [], miscorrected: [], undetected: [] };
    for (let first = 0; first < c.codeBits; first++) {
      const outcome = burstOutcome(code, first, 3);
      seen[outcome].push(first);
      // The decoder's choice follows from the columns: a syndrome equal to a column is "corrected" there.
      const predicted = c.columns.includes(syndromeOfBurst(c, first, 3)) ? 'miscorrected' : 'detected';
      if (outcome !== predicted) expect.fail(`3 bits at ${first}: ${outcome}, expected ${predicted}`);
    }
    expect(seen.detected.length).toBeGreaterThan(0);
    expect(seen.miscorrected.length).toBeGreaterThan(0);
    expect(seen.detected.length + seen.miscorrected.length).toBe(c.codeBits);
  });

  it('a miscorrected word passes the scrubber as corrected and then looks clean, with wrong data', () => {
    const c = new MemoryImage(CONTROL_MEMORY_GEOMETRY).code;
    let first = 0;
    while (!c.columns.includes(syndromeOfBurst(c, first, 3))) first++;
    const image = new MemoryImage(CONTROL_MEMORY_GEOMETRY);
    const data = pattern(image.sizeBytes);
    image.restore(data);
    image.flipWordBits(7, first, 3);
    const scrubber = new Scrubber(image);
    scrubber.step(0, image.wordCount);
    expect(scrubber.statistics()).toMatchObject({ corrected: 1, uncorrectableEvents: 0 });
    expect(image.syndromeOf(7)).toBe(0);
    const snap = image.snapshot();
    expect(snap.ok).toBe(true);
    expect(snap.ok && snap.value.subarray(28, 32)).not.toEqual(data.subarray(28, 32));
  });

  it('four adjacent bits can even be invisible (zero syndrome) at some positions', () => {
    const c = new MemoryImage(CONTROL_MEMORY_GEOMETRY).code;
    const invisible: number[] = [];
    for (let first = 0; first < c.codeBits; first++) {
      const outcome = burstOutcome(code, first, 4);
      expect(outcome === 'detected' || outcome === 'undetected').toBe(true); // even weight: never "corrected"
      if (outcome === 'undetected') invisible.push(first);
      expect(outcome === 'undetected').toBe(syndromeOfBurst(c, first, 4) === 0);
    }
    expect(invisible.length).toBeGreaterThan(0);
  });
});

describe.each(SECDED_CODE_NAMES)('scrubber address-counter upset, %s', (code) => {
  it('XORs the bit into the cursor and wraps it modulo the word count', () => {
    const { image } = filledImage(code, 8 * 40);
    const n = image.wordCount;
    const scrubber = new Scrubber(image);
    expect(scrubber.step(0, 5).cursor).toBe(5);
    scrubber.upsetCursor(1);
    expect(scrubber.step(0, 0).cursor).toBe(7);
    scrubber.upsetCursor(CURSOR_UPSET_BIT_MAX);
    expect(scrubber.step(0, 0).cursor).toBe(((7 ^ (1 << 30)) >>> 0) % n);
    for (let bit = 0; bit <= CURSOR_UPSET_BIT_MAX; bit++) {
      scrubber.upsetCursor(bit);
      const cursor = scrubber.step(0, 0).cursor;
      expect(cursor >= 0 && cursor < n).toBe(true);
    }
    expect(() => { scrubber.upsetCursor(31); }).toThrow(/out of range/);
    expect(() => { scrubber.upsetCursor(-1); }).toThrow(/out of range/);
  });

  it('leaves a coverage gap in the pass under way, then completes passes and corrects flips afterwards', () => {
    const { image, data } = filledImage(code, 8 * 40);
    const n = image.wordCount;
    const scrubber = new Scrubber(image);
    image.flipBit(3, 2);
    scrubber.upsetCursor(3); // 0 → 8: words 0..7 are skipped this pass
    let t = 0;
    const scrubPass = (): void => {
      for (let steps = 0; steps <= n; steps++) {
        t += 10;
        if (scrubber.step(t, 4).passCompleted) return;
      }
      expect.fail('a pass did not complete');
    };
    scrubPass();
    expect(scrubber.statistics()).toMatchObject({ fullPasses: 1, corrected: 0, wordsScanned: n - 8 });
    expect(scrubber.statistics().lastPassMicros).not.toBeNull();
    expect(image.syndromeOf(3)).not.toBe(0); // missed
    scrubPass();
    expect(scrubber.statistics()).toMatchObject({ fullPasses: 2, corrected: 1 });
    for (const w of [0, n >> 1, n - 1]) image.flipBit(w, 5);
    scrubber.step(t + 10, n);
    expect(scrubber.statistics().corrected).toBe(4);
    expect(image.snapshot()).toEqual({ ok: true, value: data });
    expect(image.statistics().readCorrected).toBe(0); // the scrubber did it
  });

  it('random cursor upsets between steps never break scrubbing (seed 0x5c2b)', () => {
    const prng = new Prng(0x5c2b);
    const { image, data } = filledImage(code, 8 * 50, 2);
    const n = image.wordCount;
    const scrubber = new Scrubber(image);
    let injected = 0;
    for (let step = 0; step < 200; step++) {
      if (prng.nextInt(4) === 0) scrubber.upsetCursor(prng.nextInt(CURSOR_UPSET_BIT_MAX + 1));
      const word = prng.nextInt(n);
      if (image.syndromeOf(word) === 0) {
        image.flipBit(word, prng.nextInt(image.code.codeBits));
        injected++;
      }
      const report = scrubber.step(10 * step, 1 + prng.nextInt(8));
      expect(report.cursor >= 0 && report.cursor < n).toBe(true);
      expect(report.uncorrectable).toBe(0);
    }
    scrubber.step(10_000, n); // one whole pass without upsets catches every word left
    const stats = scrubber.statistics();
    expect(stats.fullPasses).toBeGreaterThan(1);
    expect(stats.corrected).toBe(injected);
    expect(image.snapshot()).toEqual({ ok: true, value: data });
  });
});
