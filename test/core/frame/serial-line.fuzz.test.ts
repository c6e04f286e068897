/** Fuzz: the serial line decoder and splitter never throw, never grow memory, and return typed errors. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedLineSplitter, decodeLine, encodeFrameLine, SERIAL_LINE_BYTES_MAX, SERIAL_LINK_ID_DEFAULT } from '../../../src/core/frame/serial-line.js';
import { fcParams, fuzzRuns } from '../../support/seed.js';
import { canFrameArb } from './can-frame-arb.js';

const LINK = SERIAL_LINK_ID_DEFAULT;
const ERROR_CODES = new Set(['empty_line', 'line_too_long', 'unknown_type', 'bad_hex', 'odd_hex_length', 'record_too_short', 'length_mismatch', 'data_id_mismatch', 'crc_mismatch', 'bad_body']);

function expectTyped(line: Uint8Array): void {
  const result = decodeLine(line, LINK);
  if (!result.ok) expect(ERROR_CODES.has(result.error.code)).toBe(true);
}

/** A valid line (without LF) with up to three random byte substitutions, insertions or deletions. */
const mutatedLine = fc.tuple(canFrameArb, fc.nat(0xffff), fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.integer({ min: 0, max: 2 })), { maxLength: 3 })).map(([frame, counter, edits]) => {
  const encoded = encodeFrameLine(frame, counter, LINK);
  let bytes = encoded.ok ? Array.from(encoded.value.subarray(0, -1)) : [];
  for (const [position, value, kind] of edits) {
    const at = bytes.length === 0 ? 0 : position % bytes.length;
    if (kind === 0) bytes[at] = value;
    else if (kind === 1) bytes.splice(at, 0, value);
    else bytes = bytes.filter((_, index) => index !== at);
  }
  return Uint8Array.from(bytes);
});

describe('serial line fuzz', () => {
  it('decodeLine: random bytes give a value or a typed error, never a throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: SERIAL_LINE_BYTES_MAX + 8 }), expectTyped), fcParams('serial-line random bytes', fuzzRuns()));
  });

  it('decodeLine: random hex-alphabet lines with a valid type letter', () => {
    const hexLine = fc.tuple(fc.constantFrom(0x46, 0x51, 0x41, 0x45, 0x23), fc.array(fc.constantFrom(...'0123456789ABCDEF\r'.split('').map((c) => c.charCodeAt(0))), { maxLength: 200 }))
      .map(([type, digits]) => Uint8Array.from([type, ...digits]));
    fc.assert(fc.property(hexLine, expectTyped), fcParams('serial-line hex lines', fuzzRuns()));
  });

  it('decodeLine: mutations of valid lines give a value or a typed error', () => {
    fc.assert(fc.property(mutatedLine, expectTyped), fcParams('serial-line mutations', fuzzRuns()));
  });

  it('BoundedLineSplitter: random streams keep the buffer bounded and every line within the limit', () => {
    const splitter = new BoundedLineSplitter(64, [0x0a]);
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), (chunks) => {
      for (const chunk of chunks) {
        splitter.push(chunk, (line) => { expect(line.length).toBeLessThanOrEqual(64); expectTyped(line); }, () => undefined);
        expect(splitter.pendingBytes()).toBeLessThanOrEqual(64);
      }
    }), fcParams('serial-line splitter', fuzzRuns()));
  });
});
