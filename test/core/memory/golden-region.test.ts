import { describe, expect, it } from 'vitest';
import { MemoryImage } from '../../../src/core/memory/memory-image.js';
import { GoldenRegion } from '../../../src/core/memory/golden-region.js';
import { getCrc } from '../../../src/core/integrity/crc-catalogue.js';
import { SECDED_CODE_NAMES } from '../../../src/core/integrity/secded.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { testSeed } from '../../support/seed.js';

describe.each(SECDED_CODE_NAMES)('GoldenRegion on %s', (code) => {
  function setup(label: string): { image: MemoryImage; golden: Uint8Array; region: GoldenRegion } {
    const prng = new Prng(testSeed(`${code} golden ${label}`));
    const golden = Uint8Array.from({ length: 1000 }, () => prng.nextU32() & 0xff);
    const image = new MemoryImage({ sizeBytes: 2048, code, interleave: 2 });
    const region = new GoldenRegion(image, { address: 512, golden, blockBytes: 128 });
    region.install();
    return { image, golden, region };
  }

  it('carries the golden CRC and a clean region passes', () => {
    const { region, golden } = setup('clean');
    expect(region.goldenCrc).toBe(getCrc('CRC-32/ISCSI').compute(golden));
    expect(region.blockCount).toBe(8);
    expect(region.verifyAll()).toBe(true);
    expect(region.statistics()).toMatchObject({ blocksChecked: 8, mismatches: 0, repaired: 0 });
  });

  it('repairs a wild write (which the ECC encodes faithfully) from the golden copy', () => {
    const { image, region, golden } = setup('wild write');
    expect(image.write(512 + 300, Uint8Array.of(1, 2, 3)).ok).toBe(true);
    let steps = 0;
    while (region.statistics().fullPasses === 0) {
      region.step(steps * 10, 3);
      steps++;
    }
    expect(steps).toBe(3);
    expect(region.statistics()).toMatchObject({ mismatches: 1, repaired: 1, uncorrectableReads: 0, fullPasses: 1, lastPassMicros: 20 });
    expect(image.read(512, 1000)).toEqual(golden);
  });

  it('repairs an uncorrectable (double-bit) word and leaves single-bit errors to the ECC', () => {
    const { image, region, golden } = setup('double');
    const word = 600 / image.wordBytes;
    image.flipBit(word, 0);
    image.flipBit(word, 9);
    image.flipBit(word + 40, 3);
    expect(region.verifyAll()).toBe(true);
    expect(region.statistics()).toMatchObject({ mismatches: 1, uncorrectableReads: 1, repaired: 1 });
    expect(image.statistics().readCorrected).toBe(1);
    expect(image.read(512, 1000)).toEqual(golden);
  });

  it('does not copy in a golden block that fails its own CRC', () => {
    const { image, region, golden } = setup('bad golden');
    expect(image.write(512, Uint8Array.of(0xee)).ok).toBe(true);
    golden[5] = (golden[5] ?? 0) ^ 0x10;
    expect(region.verifyAll()).toBe(false);
    expect(region.statistics()).toMatchObject({ mismatches: 1, goldenCorrupt: 1, repaired: 0 });
    expect(image.read(512, 1)[0]).toBe(0xee);
  });

  it('rejects regions that are not whole words', () => {
    const image = new MemoryImage({ sizeBytes: 64, code });
    expect(() => new GoldenRegion(image, { address: 1, golden: new Uint8Array(8) })).toThrow(/address/);
    expect(() => new GoldenRegion(image, { address: 0, golden: new Uint8Array(5) })).toThrow(/length/);
    expect(() => new GoldenRegion(image, { address: 64, golden: new Uint8Array(8) })).toThrow(/inside/);
  });
});
