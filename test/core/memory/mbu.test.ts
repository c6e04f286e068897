// Multi-bit upsets against word interleaving: a burst of up to k physically adjacent bits is
// fully corrected with interleave factor k; a burst of k+1 can put two errors in one word,
// which is then detected (never miscorrected).
import { describe, expect, it } from 'vitest';
import { MemoryImage } from '../../../src/core/memory/memory-image.js';
import { Scrubber } from '../../../src/core/memory/scrubber.js';
import { SECDED_CODE_NAMES } from '../../../src/core/integrity/secded.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { testSeed } from '../../support/seed.js';

const FACTORS = [1, 2, 4, 8] as const;

describe.each(SECDED_CODE_NAMES)('MBU with interleaving, %s', (code) => {
  const seed = testSeed(`${code} mbu`);

  function freshImage(k: number): { image: MemoryImage; data: Uint8Array } {
    const prng = new Prng(seed + k);
    const data = Uint8Array.from({ length: 64 }, () => prng.nextU32() & 0xff);
    const image = new MemoryImage({ sizeBytes: data.length, code, interleave: k });
    image.restore(data);
    return { image, data };
  }

  function burst(image: MemoryImage, start: number, length: number): { corrected: number; uncorrectable: number } {
    for (let b = 0; b < length; b++) image.flipPhysicalBit(start + b);
    const scrubber = new Scrubber(image);
    scrubber.step(0, image.wordCount);
    const stats = scrubber.statistics();
    return { corrected: stats.corrected, uncorrectable: stats.uncorrectableEvents };
  }

  it.each(FACTORS)('factor %i: every burst of 1..k adjacent bits, at every start, is corrected', (k) => {
    for (let length = 1; length <= k; length++) {
      const { image } = freshImage(k);
      for (let start = 0; start + length <= image.physicalBitCount; start++) {
        const { image: target, data } = freshImage(k);
        const result = burst(target, start, length);
        if (result.uncorrectable !== 0 || result.corrected !== length) expect.fail(`k=${k} burst ${length} at ${start}: ${JSON.stringify(result)}`);
        const snap = target.snapshot();
        expect(snap.ok && snap.value).toEqual(data);
      }
      expect(image.physicalBitCount).toBeGreaterThan(0);
    }
  });

  it.each(FACTORS)('factor %i: a burst of k+1 bits is corrected or detected, never silently wrong', (k) => {
    let detected = 0;
    const { image } = freshImage(k);
    for (let start = 0; start + k + 1 <= image.physicalBitCount; start++) {
      const { image: target, data } = freshImage(k);
      const result = burst(target, start, k + 1);
      if (result.uncorrectable > 0) {
        detected++;
        expect(target.snapshot().ok).toBe(false);
      } else {
        const snap = target.snapshot();
        expect(snap.ok && snap.value).toEqual(data);
      }
    }
    expect(detected).toBeGreaterThan(0);
  });
});
