import { describe, expect, it } from 'vitest';
import { decodeEccContainer, describeEccContainerError, encodeEccContainer, containerFromImage, imageFromContainer, ECC_CONTAINER_HEADER_BYTES } from '../../src/io/ecc-container.js';
import { MemoryImage } from '../../src/core/memory/memory-image.js';
import { getCrc } from '../../src/core/integrity/crc-catalogue.js';

function sample(): Uint8Array {
  const image = new MemoryImage({ sizeBytes: 13, code: 'secded-72-64', interleave: 2 });
  image.restore(Uint8Array.from({ length: 13 }, (_, i) => i * 7));
  image.flipBit(1, 70);
  return encodeEccContainer(containerFromImage(image));
}

function withHeader(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  edit(view);
  view.setUint32(16, getCrc('CRC-32/ISO-HDLC').compute(copy, 0, 16), true);
  return copy;
}

describe('ECC container', () => {
  it('lays out the header byte by byte as documented', () => {
    const bytes = sample();
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0x54, 0x58, 0x45, 0x43, 1, 2, 2, 0, 13, 0, 0, 0, 2, 0, 0, 0]);
    expect(new DataView(bytes.buffer).getUint32(16, true)).toBe(getCrc('CRC-32/ISO-HDLC').compute(bytes, 0, 16));
    expect(bytes.length).toBe(ECC_CONTAINER_HEADER_BYTES + 2 * 9);
    expect(Array.from(bytes.subarray(20, 28))).toEqual([0, 7, 14, 21, 28, 35, 42, 49]); // word 0 data, little-endian
  });

  it('round-trips raw words, errors included', () => {
    const bytes = sample();
    const decoded = decodeEccContainer(bytes);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value).toMatchObject({ code: 'secded-72-64', interleave: 2, dataLengthBytes: 13, wordCount: 2 });
    const image = imageFromContainer(decoded.value);
    expect(image.syndromeOf(1)).not.toBe(0);
    expect(encodeEccContainer(containerFromImage(image))).toEqual(bytes);
  });

  it.each([
    ['truncated_header', (b: Uint8Array) => b.subarray(0, 19)],
    ['bad_magic', (b: Uint8Array) => Uint8Array.of(0x50, ...b.subarray(1))],
    ['bad_version', (b: Uint8Array) => withHeader(b, (v) => { v.setUint8(4, 2); })],
    ['header_crc_mismatch', (b: Uint8Array) => { const c = b.slice(); c[8] = 14; return c; }],
    ['unknown_code', (b: Uint8Array) => withHeader(b, (v) => { v.setUint8(5, 9); })],
    ['bad_interleave', (b: Uint8Array) => withHeader(b, (v) => { v.setUint16(6, 0, true); })],
    ['too_large', (b: Uint8Array) => withHeader(b, (v) => { v.setUint32(8, 0xffffffff, true); })],
    ['word_count_mismatch', (b: Uint8Array) => withHeader(b, (v) => { v.setUint32(12, 3, true); })],
    ['truncated_words', (b: Uint8Array) => b.subarray(0, b.length - 1)],
    ['trailing_bytes', (b: Uint8Array) => Uint8Array.of(...b, 0)],
    ['bad_check_byte', () => {
      const image = new MemoryImage({ sizeBytes: 4, code: 'secded-39-32' });
      const c = encodeEccContainer(containerFromImage(image));
      c[24] = 0x80; // bit 7 is outside the (39,32) code
      return c;
    }],
  ] as const)('reports %s with a one-line description', (codeName, mutate) => {
    const decoded = decodeEccContainer(mutate(sample()));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.code).toBe(codeName);
    const text = describeEccContainerError(decoded.error);
    expect(text.length).toBeGreaterThan(5);
    expect(text).not.toContain('\n');
  });
});
