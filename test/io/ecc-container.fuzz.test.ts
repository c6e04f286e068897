import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { containerFromImage, decodeEccContainer, describeEccContainerError, encodeEccContainer } from '../../src/io/ecc-container.js';
import { MemoryImage } from '../../src/core/memory/memory-image.js';
import { getCrc } from '../../src/core/integrity/crc-catalogue.js';
import { fcParams, fuzzRuns } from '../support/seed.js';

const crc = getCrc('CRC-32/ISO-HDLC');

/** A header with arbitrary small fields and a correct CRC, followed by arbitrary bytes: reaches the deep checks. */
const headerThenBytes = fc.record({
  version: fc.constantFrom(1, 1, 1, 0, 2),
  code: fc.integer({ min: 0, max: 3 }),
  interleave: fc.integer({ min: 0, max: 300 }),
  dataLength: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffffffff })),
  wordCount: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffffffff })),
  body: fc.uint8Array({ maxLength: 200 }),
}).map((h) => {
  const out = new Uint8Array(20 + h.body.length);
  const view = new DataView(out.buffer);
  out.set([0x54, 0x58, 0x45, 0x43, h.version, h.code], 0);
  view.setUint16(6, h.interleave, true);
  view.setUint32(8, h.dataLength, true);
  view.setUint32(12, h.wordCount, true);
  view.setUint32(16, crc.compute(out, 0, 16), true);
  out.set(h.body, 20);
  return out;
});

/** A valid container (random geometry and data) with one byte possibly overwritten. */
const mutatedValid = fc.record({
  code: fc.constantFrom('secded-39-32' as const, 'secded-72-64' as const),
  interleave: fc.integer({ min: 1, max: 8 }),
  data: fc.uint8Array({ maxLength: 100 }),
  at: fc.nat(),
  value: fc.option(fc.integer({ min: 0, max: 255 })),
}).map((v) => {
  const image = new MemoryImage({ sizeBytes: v.data.length, code: v.code, interleave: v.interleave });
  image.restore(v.data);
  const bytes = encodeEccContainer(containerFromImage(image));
  if (v.value !== null) bytes[v.at % bytes.length] = v.value;
  return bytes;
});

function check(bytes: Uint8Array): void {
  const decoded = decodeEccContainer(bytes);
  if (decoded.ok) {
    expect(encodeEccContainer(decoded.value)).toEqual(bytes);
  } else {
    expect(describeEccContainerError(decoded.error)).not.toContain('\n');
  }
}

describe('ECC container decoder (fuzz)', () => {
  it('never throws on arbitrary bytes, and whatever it accepts re-encodes to the same bytes', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), headerThenBytes, mutatedValid), (bytes) => { check(bytes); }),
      fcParams('ecc container fuzz', fuzzRuns()));
  });
});
