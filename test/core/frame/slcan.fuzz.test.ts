/** Fuzz: the SLCAN decoders never throw, never grow memory, and return typed errors. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSlcanCommand, decodeSlcanResponse, encodeSlcanResponse, SLCAN_LINE_BYTES_MAX, SlcanStreamDecoder, type SlcanError } from '../../../src/core/frame/slcan.js';
import type { Result } from '../../../src/core/result.js';
import { fcParams, fuzzRuns } from '../../support/seed.js';
import { canFrameArb } from './can-frame-arb.js';

const ERROR_CODES = new Set(['empty_line', 'line_too_long', 'unknown_command', 'bad_hex', 'bad_length', 'bad_argument', 'bad_frame']);

function expectTyped(result: Result<unknown, SlcanError>): void {
  if (!result.ok) expect(ERROR_CODES.has(result.error.code)).toBe(true);
}

const slcanAlphabet = fc.constantFrom(...'tTrRdDbBOLCSsYFVNZz0123456789ABCDEFabcdef\r\x07\n'.split('').map((c) => c.charCodeAt(0)));

const mutated = fc.tuple(canFrameArb, fc.option(fc.integer({ min: 0, max: 59_999 }), { nil: undefined }), fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.boolean()), { maxLength: 3 }))
  .map(([frame, stamp, edits]) => {
    const text = encodeSlcanResponse(stamp === undefined ? { kind: 'frame', frame } : { kind: 'frame', frame, timestampMillis: stamp });
    const bytes = Array.from(new TextEncoder().encode(text.replace(/\r$/, '')));
    for (const [position, value, insert] of edits) {
      const at = position % Math.max(1, bytes.length);
      if (insert) bytes.splice(at, 0, value);
      else bytes[at] = value;
    }
    return Uint8Array.from(bytes);
  });

describe('SLCAN fuzz', () => {
  it('decodeSlcanCommand and decodeSlcanResponse: random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: SLCAN_LINE_BYTES_MAX + 8 }), (line) => {
      expectTyped(decodeSlcanCommand(line));
      expectTyped(decodeSlcanResponse(line));
    }), fcParams('slcan random bytes', fuzzRuns()));
  });

  it('decoders: random lines over the SLCAN alphabet', () => {
    fc.assert(fc.property(fc.array(slcanAlphabet, { maxLength: 150 }), (codes) => {
      const line = Uint8Array.from(codes);
      expectTyped(decodeSlcanCommand(line));
      expectTyped(decodeSlcanResponse(line));
    }), fcParams('slcan alphabet', fuzzRuns()));
  });

  it('decoders: mutations of valid frame lines', () => {
    fc.assert(fc.property(mutated, (line) => {
      expectTyped(decodeSlcanCommand(line));
      expectTyped(decodeSlcanResponse(line));
    }), fcParams('slcan mutations', fuzzRuns()));
  });

  it('SlcanStreamDecoder: random streams stay bounded and yield only typed items', () => {
    const decoder = new SlcanStreamDecoder(decodeSlcanResponse);
    fc.assert(fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.array(slcanAlphabet, { maxLength: 200 }).map((c) => Uint8Array.from(c))), { maxLength: 3 }), (chunks) => {
      for (const chunk of chunks) {
        decoder.push(chunk, (item) => { if (item !== 'bel') expectTyped(item); });
        expect(decoder.pendingBytes()).toBeLessThanOrEqual(SLCAN_LINE_BYTES_MAX);
      }
    }), fcParams('slcan stream', fuzzRuns()));
  });
});
