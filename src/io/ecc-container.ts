/**
 * The ECC image container: a SEC-DED-protected memory image as a file (`triplex ecc`).
 * Byte by byte (all integers little-endian; docs/INTEGRITY.md has the same table):
 *
 *   0  4  magic "TXEC" (54 58 45 43)
 *   4  1  version (1)
 *   5  1  code: 1 = secded-39-32, 2 = secded-72-64
 *   6  2  interleave factor k (1..256)
 *   8  4  data length in bytes (≤ 1 GiB)
 *  12  4  word count = ceil(ceil(dataLength / wordBytes) / k) · k
 *  16  4  header CRC: CRC-32/ISO-HDLC (zlib's crc32) of bytes 0..15
 *  20  …  wordCount records in logical word order, each the data word (4 or 8 bytes,
 *         little-endian) then one check byte (check bit j = bit j; for (39,32) bit 7 is 0)
 *
 * The words are stored in logical order; the interleave factor says how they are laid out in
 * physical cells (src/core/integrity/interleave.ts), which is what `inject --mbu` uses. The
 * payload carries no CRC on purpose: its errors are what the ECC is there to find.
 *
 * `decodeEccContainer` never throws on bad bytes and allocates only after the total length
 * has been checked against the header (so at most the input's size).
 */
import { err, ok, type Result } from '../core/result.js';
import { getCrc } from '../core/integrity/crc-catalogue.js';
import { getSecDedCode, type SecDedCodeName } from '../core/integrity/secded.js';
import { INTERLEAVE_MAX, paddedWordCount } from '../core/integrity/interleave.js';
import { MemoryImage, MEMORY_IMAGE_BYTES_MAX } from '../core/memory/memory-image.js';

export const ECC_CONTAINER_MAGIC = 'TXEC';
export const ECC_CONTAINER_VERSION = 1;
export const ECC_CONTAINER_HEADER_BYTES = 20;
export const ECC_CONTAINER_HEADER_CRC = 'CRC-32/ISO-HDLC';

const CODE_IDS: Readonly<Record<SecDedCodeName, number>> = { 'secded-39-32': 1, 'secded-72-64': 2 };

export interface EccContainer {
  readonly code: SecDedCodeName;
  readonly interleave: number;
  readonly dataLengthBytes: number;
  readonly wordCount: number;
  /** wordCount · wordBytes raw data bytes (errors included). */
  readonly data: Uint8Array;
  /** wordCount raw check bytes. */
  readonly check: Uint8Array;
}

export type EccContainerError =
  | { readonly code: 'truncated_header'; readonly lengthBytes: number }
  | { readonly code: 'bad_magic'; readonly found: string }
  | { readonly code: 'bad_version'; readonly version: number }
  | { readonly code: 'header_crc_mismatch'; readonly expected: number; readonly actual: number }
  | { readonly code: 'unknown_code'; readonly id: number }
  | { readonly code: 'bad_interleave'; readonly interleave: number }
  | { readonly code: 'too_large'; readonly dataLengthBytes: number }
  | { readonly code: 'word_count_mismatch'; readonly expected: number; readonly actual: number }
  | { readonly code: 'truncated_words'; readonly expectedBytes: number; readonly actualBytes: number }
  | { readonly code: 'trailing_bytes'; readonly expectedBytes: number; readonly actualBytes: number }
  | { readonly code: 'bad_check_byte'; readonly word: number; readonly value: number };

const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** One line naming the problem (for the CLI). */
export function describeEccContainerError(e: EccContainerError): string {
  switch (e.code) {
    case 'truncated_header': return `truncated image: ${e.lengthBytes} bytes, the header alone is ${ECC_CONTAINER_HEADER_BYTES}`;
    case 'bad_magic': return `bad magic ${e.found} (not a Triplex ECC image)`;
    case 'bad_version': return `unsupported image version ${e.version} (expected ${ECC_CONTAINER_VERSION})`;
    case 'header_crc_mismatch': return `bad header CRC: stored ${hex32(e.actual)}, computed ${hex32(e.expected)}`;
    case 'unknown_code': return `unknown code id ${e.id} in header`;
    case 'bad_interleave': return `bad interleave factor ${e.interleave} in header (1..${INTERLEAVE_MAX})`;
    case 'too_large': return `data length ${e.dataLengthBytes} exceeds ${MEMORY_IMAGE_BYTES_MAX} bytes`;
    case 'word_count_mismatch': return `word count ${e.actual} in header, expected ${e.expected} for the data length`;
    case 'truncated_words': return `truncated image: ${e.actualBytes} bytes, expected ${e.expectedBytes}`;
    case 'trailing_bytes': return `image has trailing bytes: ${e.actualBytes} bytes, expected ${e.expectedBytes}`;
    case 'bad_check_byte': return `word ${e.word} has check byte 0x${e.value.toString(16)} with a bit outside the code`;
  }
}

function recordBytes(code: SecDedCodeName): number {
  return getSecDedCode(code).dataBytes + 1;
}

/** Serialises a container (raw words, errors included). */
export function encodeEccContainer(c: EccContainer): Uint8Array {
  const wordBytes = getSecDedCode(c.code).dataBytes;
  const out = new Uint8Array(ECC_CONTAINER_HEADER_BYTES + c.wordCount * (wordBytes + 1));
  const view = new DataView(out.buffer);
  out.set([0x54, 0x58, 0x45, 0x43], 0);
  view.setUint8(4, ECC_CONTAINER_VERSION);
  view.setUint8(5, CODE_IDS[c.code]);
  view.setUint16(6, c.interleave, true);
  view.setUint32(8, c.dataLengthBytes, true);
  view.setUint32(12, c.wordCount, true);
  view.setUint32(16, getCrc(ECC_CONTAINER_HEADER_CRC).compute(out, 0, 16), true);
  for (let w = 0; w < c.wordCount; w++) {
    const at = ECC_CONTAINER_HEADER_BYTES + w * (wordBytes + 1);
    out.set(c.data.subarray(w * wordBytes, (w + 1) * wordBytes), at);
    out[at + wordBytes] = c.check[w] ?? 0;
  }
  return out;
}

interface Header {
  readonly code: SecDedCodeName;
  readonly interleave: number;
  readonly dataLengthBytes: number;
  readonly wordCount: number;
}

function decodeHeader(bytes: Uint8Array): Result<Header, EccContainerError> {
  if (bytes.length < ECC_CONTAINER_HEADER_BYTES) return err({ code: 'truncated_header', lengthBytes: bytes.length });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = bytes.subarray(0, 4);
  if (String.fromCharCode(...magic) !== ECC_CONTAINER_MAGIC) {
    return err({ code: 'bad_magic', found: Array.from(magic, (b) => b.toString(16).padStart(2, '0')).join(' ') });
  }
  const version = view.getUint8(4);
  if (version !== ECC_CONTAINER_VERSION) return err({ code: 'bad_version', version });
  const expected = getCrc(ECC_CONTAINER_HEADER_CRC).compute(bytes, 0, 16);
  const actual = view.getUint32(16, true);
  if (expected !== actual) return err({ code: 'header_crc_mismatch', expected, actual });
  const id = view.getUint8(5);
  const code = (Object.keys(CODE_IDS) as SecDedCodeName[]).find((name) => CODE_IDS[name] === id);
  if (code === undefined) return err({ code: 'unknown_code', id });
  const interleave = view.getUint16(6, true);
  if (interleave < 1 || interleave > INTERLEAVE_MAX) return err({ code: 'bad_interleave', interleave });
  const dataLengthBytes = view.getUint32(8, true);
  if (dataLengthBytes > MEMORY_IMAGE_BYTES_MAX) return err({ code: 'too_large', dataLengthBytes });
  const wordCount = view.getUint32(12, true);
  const expectedWords = paddedWordCount(dataLengthBytes, getSecDedCode(code).dataBytes, interleave);
  if (wordCount !== expectedWords) return err({ code: 'word_count_mismatch', expected: expectedWords, actual: wordCount });
  return ok({ code, interleave, dataLengthBytes, wordCount });
}

/** Parses a container. Never throws; checks every header field and the exact total length. */
export function decodeEccContainer(bytes: Uint8Array): Result<EccContainer, EccContainerError> {
  const header = decodeHeader(bytes);
  if (!header.ok) return header;
  const { code, wordCount } = header.value;
  const record = recordBytes(code);
  const wordBytes = record - 1;
  const expectedBytes = ECC_CONTAINER_HEADER_BYTES + wordCount * record;
  if (bytes.length < expectedBytes) return err({ code: 'truncated_words', expectedBytes, actualBytes: bytes.length });
  if (bytes.length > expectedBytes) return err({ code: 'trailing_bytes', expectedBytes, actualBytes: bytes.length });
  const checkMask = getSecDedCode(code).checkBits === 8 ? 0xff : 0x7f;
  const data = new Uint8Array(wordCount * wordBytes);
  const check = new Uint8Array(wordCount);
  for (let w = 0; w < wordCount; w++) {
    const at = ECC_CONTAINER_HEADER_BYTES + w * record;
    data.set(bytes.subarray(at, at + wordBytes), w * wordBytes);
    const value = bytes[at + wordBytes] ?? 0;
    if ((value & ~checkMask) !== 0) return err({ code: 'bad_check_byte', word: w, value });
    check[w] = value;
  }
  return ok({ ...header.value, data, check });
}

/** A MemoryImage holding the container's raw words (errors included, nothing corrected yet). */
export function imageFromContainer(c: EccContainer): MemoryImage {
  const image = new MemoryImage({ sizeBytes: c.dataLengthBytes, code: c.code, interleave: c.interleave });
  image.importRaw(c.data, c.check);
  return image;
}

/** The container for an image's current raw words. */
export function containerFromImage(image: MemoryImage): EccContainer {
  const raw = image.exportRaw();
  return { code: image.code.name, interleave: image.interleave, dataLengthBytes: image.sizeBytes, wordCount: image.wordCount, data: raw.data, check: raw.check };
}
