import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decodeRigAnswer, encodeRigRequest, type RigRequest } from '../../../src/core/frame/rig-command.js';
import { fcParams, fuzzRuns } from '../../support/seed.js';

describe('rig command codec fuzz', () => {
  it('decodeRigAnswer never throws on any opcode, status, payload and space', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 240 }), fc.constantFrom('mem', 'raw', 'reg' as const),
      (opcode, status, payload, space) => {
        const decoded = decodeRigAnswer(opcode, status, payload, space);
        return decoded.ok || typeof decoded.error.code === 'string';
      }), { ...fcParams('rig answer decode'), numRuns: fuzzRuns() });
  });

  it('encodeRigRequest never throws and encodes valid requests in at most 131 bytes', () => {
    const request: fc.Arbitrary<RigRequest> = fc.oneof(
      fc.record({ op: fc.constantFrom('status', 'reset', 'hang', 'tick' as const), tag: fc.integer({ min: -1, max: 300 }) }),
      fc.record({ op: fc.constant('peek' as const), tag: fc.integer({ min: 0, max: 255 }), space: fc.constantFrom('mem', 'raw', 'reg' as const), address: fc.integer({ min: -1, max: 70000 }), count: fc.integer({ min: -1, max: 300 }) }),
      fc.record({ op: fc.constant('poke' as const), tag: fc.integer({ min: 0, max: 255 }), space: fc.constantFrom('mem', 'reg' as const), address: fc.integer({ min: 0, max: 70000 }), data: fc.uint8Array({ maxLength: 140 }) }),
      fc.record({ op: fc.constant('scrub' as const), tag: fc.integer({ min: 0, max: 255 }), words: fc.integer({ min: -5, max: 70000 }) }),
      fc.record({ op: fc.constant('verify' as const), tag: fc.integer({ min: 0, max: 255 }), crc: fc.oneof(fc.integer({ min: -5, max: 2 ** 32 + 5 }), fc.double()) }),
    );
    fc.assert(fc.property(request, (r) => {
      const encoded = encodeRigRequest(r);
      return !encoded.ok || (encoded.value.length >= 2 && encoded.value.length <= 131);
    }), { ...fcParams('rig request encode'), numRuns: Math.min(fuzzRuns(), 50_000) });
  });
});
