/**
 * `npm run bench -- --only ecc`: SEC-DED encode and clean-image scrub throughput, (72,64) and
 * (39,32), on a 1 MiB image. MB/s counts data bytes (10^6 bytes per MB). Target (issue 2):
 * (72,64) scrub ≥ 1500 MB/s on the 2-core reference machine.
 */
import { mbPerS, timeIt, type BenchSuite } from './harness.js';
import { assert } from '../core/assert.js';
import { Prng } from '../core/sim/prng.js';
import type { SecDedCodeName } from '../core/integrity/secded.js';
import { MemoryImage } from '../core/memory/memory-image.js';
import { Scrubber } from '../core/memory/scrubber.js';

const IMAGE_BYTES = 1 << 20;
const BENCH_SEED = 0x5eed;

function randomBytes(length: number): Uint8Array {
  const prng = new Prng(BENCH_SEED);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = prng.nextU32() & 0xff;
  return bytes;
}

function benchCode(code: SecDedCodeName, report: Parameters<BenchSuite['run']>[0], minMillis: number): void {
  const data = randomBytes(IMAGE_BYTES);
  const image = new MemoryImage({ sizeBytes: IMAGE_BYTES, code });
  const encodeNs = timeIt(() => { image.restore(data); }, minMillis);
  report({ name: `ecc encode ${code} 1MiB`, impl: 'triplex', mbPerS: mbPerS(IMAGE_BYTES, encodeNs) });
  const scrubber = new Scrubber(image);
  let now = 0;
  const scrubNs = timeIt(() => { scrubber.step(now++, image.wordCount); }, minMillis);
  const stats = scrubber.statistics();
  assert(stats.corrected === 0 && stats.uncorrectableEvents === 0 && stats.fullPasses > 0, 'bench image must stay clean');
  report({ name: `ecc scrub ${code} clean 1MiB`, impl: 'triplex', mbPerS: mbPerS(IMAGE_BYTES, scrubNs) });
}

export const suite: BenchSuite = {
  name: 'ecc',
  run(report, options) {
    const minMillis = Math.max(30, Math.round(300 * options.scale));
    benchCode('secded-72-64', report, minMillis);
    benchCode('secded-39-32', report, minMillis);
  },
};
