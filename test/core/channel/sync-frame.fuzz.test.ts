import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeSyncStamps, readStamp24, stampDifference, SYNC_STAMP_MODULO } from '../../../src/core/channel/sync-frame.js';
import { fcParams, fuzzRuns } from '../../support/seed.js';

describe('sync-frame decoder (fuzz)', () => {
  test('readStamp24 and stampDifference never throw and stay in range on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), fc.integer({ min: -2, max: 18 }), fc.double({ min: -1e12, max: 1e12, noNaN: true }), (bytes, at, own) => {
      const stamp = readStamp24(bytes, at);
      expect(Number.isInteger(stamp) && stamp >= 0 && stamp < SYNC_STAMP_MODULO).toBe(true);
      const d = stampDifference(stamp, own);
      expect(Math.abs(d)).toBeLessThanOrEqual(SYNC_STAMP_MODULO / 2 + 1);
    }), fcParams('sync-frame-decode', fuzzRuns()));
  });

  test('encode → read round-trips both stamps mod 2^24 and the difference recovers small offsets', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: -4_000_000, max: 4_000_000 }), (logical, offset) => {
      const b = new Uint8Array(8);
      encodeSyncStamps(logical, logical - 7, b, 1);
      expect(readStamp24(b, 2)).toBe(logical % SYNC_STAMP_MODULO);
      expect(readStamp24(b, 5)).toBe((((logical - 7) % SYNC_STAMP_MODULO) + SYNC_STAMP_MODULO) % SYNC_STAMP_MODULO);
      expect(stampDifference(readStamp24(b, 2), logical - offset)).toBe(offset);
    }), fcParams('sync-frame-roundtrip', fuzzRuns()));
  });
});
