import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decodeResults, decodeResultsLine, makeHeader } from '../../src/io/results.js';
import { fcParams, fuzzRuns } from '../support/seed.js';

const header = JSON.stringify(makeHeader({ seed: 1 }, { index: 0, count: 1 }));
const row = '{"type":"row","row":0,"seed":5,"fault":{"target":"bus","location":"x","timeS":1,"spec":{"kind":"bus-corrupt"}},"outcome":"masked","detectionLatencyMs":null,"maxAttitudeErrorDeg":0.1,"scrub":{"corrected":0,"uncorrectable":0,"scrubbedWords":0}}';

describe('results decoder (fuzz)', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => {
      decodeResults(text);
      decodeResultsLine(text);
    }), fcParams('results arbitrary', Math.min(fuzzRuns(), 20_000)));
  });

  it('never throws on mutated valid files, and a whole valid prefix survives', () => {
    const valid = `${header}\n${row}\n`;
    fc.assert(fc.property(fc.nat(valid.length - 1), fc.string({ maxLength: 8 }), fc.nat(valid.length), (at, insert, cut) => {
      decodeResults(valid.slice(0, at) + insert + valid.slice(at + 1));
      const truncated = decodeResults(valid.slice(0, cut));
      if (cut > header.length && !truncated.ok) throw new Error('a truncated valid file must decode (torn line)');
    }), fcParams('results mutated', Math.min(fuzzRuns(), 20_000)));
  });
});
