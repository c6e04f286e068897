import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFaultProfile, parseFaultProfile } from '../../../src/core/fault/profile.js';
import { fcParams, fuzzRuns } from '../../support/seed.js';

const valid = JSON.stringify({
  version: 1, name: 'x',
  events: [{ atS: 1, kind: 'memory-flip', channel: 'A', word: 3, bit: 5 }, { atS: 2, kind: 'sensor', sensor: 1, mode: 'stuck' }],
  seu: { memoryPerBitPerS: 1e-6 },
});

describe('fault profile decoder under fuzzing', () => {
  it('never throws on random text or mutations of a valid profile', () => {
    const mutated = fc.tuple(fc.nat(valid.length), fc.nat(valid.length), fc.string({ maxLength: 8 }))
      .map(([at, cut, insert]) => valid.slice(0, at) + insert + valid.slice(Math.min(valid.length, at + (cut % 6))));
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), mutated), (text) => {
      const result = parseFaultProfile(text);
      if (!result.ok) expect(result.error.code).toBe('invalid_profile');
    }), fcParams('profile text fuzz', fuzzRuns()));
  });

  it('never throws on random JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      const result = decodeFaultProfile(value);
      expect(typeof result.ok).toBe('boolean');
    }), fcParams('profile value fuzz', Math.ceil(fuzzRuns() / 5)));
  });
});
