import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryImage } from '../../../src/core/memory/memory-image.js';
import { Scrubber } from '../../../src/core/memory/scrubber.js';
import { SECDED_CODE_NAMES, type SecDedCodeName } from '../../../src/core/integrity/secded.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { fcParams, testSeed } from '../../support/seed.js';

function filledImage(code: SecDedCodeName, sizeBytes: number, seed: number, interleave = 1): { image: MemoryImage; data: Uint8Array } {
  const prng = new Prng(seed);
  const data = Uint8Array.from({ length: sizeBytes }, () => prng.nextU32() & 0xff);
  const image = new MemoryImage({ sizeBytes, code, interleave });
  image.restore(data);
  return { image, data };
}

describe.each(SECDED_CODE_NAMES)('Scrubber %s', (code) => {
  it('never loses data under random upsets with at most one error per word per pass (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (budget, flipsPerStep, seed) => {
      const { image, data } = filledImage(code, 256, seed);
      const scrubber = new Scrubber(image);
      const prng = new Prng(seed + 1);
      const hitSinceVisit = new Uint8Array(image.wordCount);
      let injected = 0;
      for (let step = 0; step < 60; step++) {
        for (let f = 0; f < flipsPerStep; f++) {
          const word = prng.nextInt(image.wordCount);
          if (hitSinceVisit[word] === 1) continue;
          image.flipBit(word, prng.nextInt(image.code.codeBits));
          hitSinceVisit[word] = 1;
          injected++;
        }
        const start = scrubber.step(step * 1000, 0).cursor;
        const report = scrubber.step(step * 1000, budget);
        for (let i = 0; i < report.wordsScanned; i++) hitSinceVisit[(start + i) % image.wordCount] = 0;
        expect(report.uncorrectable).toBe(0);
      }
      scrubber.step(1e9, image.wordCount); // one more full pass catches the words hit since their visit
      const stats = scrubber.statistics();
      expect(stats.uncorrectableEvents).toBe(0);
      expect(stats.corrected).toBe(injected);
      expect(image.findDirtyWord(0, image.wordCount)).toBe(image.wordCount);
      const snap = image.snapshot();
      expect(snap.ok && snap.value).toEqual(data);
      expect(image.statistics().readCorrected).toBe(0); // the scrubber, not the reads, did the work
    }), fcParams(`${code} scrubber property`, 150));
  });

  it('records an uncorrectable word (address, syndrome), keeps going, and de-duplicates it across passes', () => {
    const { image, data } = filledImage(code, 128, testSeed(`${code} uncorrectable`));
    image.flipBit(2, 0);
    image.flipBit(2, 1); // double → uncorrectable
    image.flipBit(5, image.code.codeBits - 1); // single check-bit error after it
    const scrubber = new Scrubber(image);
    scrubber.step(10, image.wordCount);
    scrubber.step(20, image.wordCount);
    const stats = scrubber.statistics();
    expect(stats.corrected).toBe(1);
    expect(stats.correctedCheck).toBe(1);
    expect(stats.uncorrectableEvents).toBe(2); // seen on both passes
    expect(stats.uncorrectable).toEqual([{ word: 2, address: 2 * image.wordBytes, syndrome: image.code.columns[0]! ^ image.code.columns[1]!, detectedMicros: 10 }]);
    expect(stats.fullPasses).toBe(2);
    const read = image.readChecked(0, 128);
    expect(read.ok).toBe(false);
    const good = image.read(6 * image.wordBytes, 128 - 6 * image.wordBytes);
    expect(good).toEqual(data.subarray(6 * image.wordBytes));
  });

  it('bounds the uncorrectable list and counts what it drops', () => {
    const { image } = filledImage(code, 256, 7);
    for (let w = 0; w < 10; w++) {
      image.flipBit(w, 3);
      image.flipBit(w, 4);
    }
    const scrubber = new Scrubber(image, { uncorrectableRecordsMax: 4 });
    scrubber.step(0, image.wordCount);
    const stats = scrubber.statistics();
    expect(stats.uncorrectable.map((r) => r.word)).toEqual([0, 1, 2, 3]);
    expect(stats.uncorrectableDropped).toBe(6);
    expect(stats.uncorrectableEvents).toBe(10);
  });

  it('walks in bounded steps and times full passes on the injected clock', () => {
    const image = new MemoryImage({ sizeBytes: 10 * 8, code });
    const scrubber = new Scrubber(image);
    const n = image.wordCount;
    expect(scrubber.statistics().lastPassMicros).toBeNull();
    const steps: number[] = [];
    let t = 100;
    while (scrubber.statistics().fullPasses === 0) {
      const r = scrubber.step(t, 3);
      steps.push(r.wordsScanned);
      t += 50;
    }
    // Every step uses its whole budget; the step that ends a pass carries on into the next one.
    expect(steps.every((s) => s === 3)).toBe(true);
    expect(steps.length).toBe(Math.ceil(n / 3));
    expect(scrubber.statistics().lastPassMicros).toBe((steps.length - 1) * 50);
    // A budget above the image size scans at most one image per step.
    const r = scrubber.step(t, 10 * n);
    expect(r.wordsScanned).toBe(n);
    expect(r.cursor).toBe((3 * steps.length) % n);
    expect(scrubber.statistics().wordsScanned).toBe(3 * steps.length + n);
    expect(() => scrubber.step(t - 1, 1)).toThrow(/backwards/);
  });
});
