import fc from 'fast-check';
import { describe, it } from 'vitest';
import { canonicalJson, decodeResults, decodeResultsLine, encodeResultsLine, makeHeader, type CampaignRow, type ResultsFile } from '../../src/io/results.js';
import { fcParams, fuzzRuns } from '../support/seed.js';

const header = encodeResultsLine(makeHeader({ seed: 1 }, { index: 0, count: 1 }));
const rowValue = (i: number): CampaignRow => ({
  type: 'row', row: i, seed: 5 + i, fault: { target: 'bus', location: 'x', timeS: 1, spec: { kind: 'bus-corrupt' } },
  outcome: 'masked', detectionLatencyMs: null, maxAttitudeErrorDeg: 0.1, scrub: { corrected: 0, uncorrectable: 0, scrubbedWords: 0 },
});
const row = encodeResultsLine(rowValue(0));

function contentOf(file: ResultsFile): string {
  return canonicalJson({ header: file.header, golden: file.golden, rows: file.rows });
}

describe('results decoder (fuzz)', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => {
      decodeResults(text);
      decodeResultsLine(text);
      decodeResultsLine(text, 1);
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

  // Every line carries a CRC-32C of its bytes: flipped bytes are refused, or (the final newline
  // flipped too) the last line reads as torn and is dropped; never silently different content.
  it('byte flips in a valid file are always detected (or leave a torn last line)', () => {
    const bytes = Buffer.from(`${[header, row, encodeResultsLine(rowValue(1)), encodeResultsLine(rowValue(2))].join('\n')}\n`, 'utf8');
    const lastStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
    const whole = decodeResults(bytes);
    const prefix = decodeResults(bytes.subarray(0, lastStart));
    if (!whole.ok || !prefix.ok) throw new Error('the valid file must decode');
    // One byte with any change (a burst of at most 8 bits), or up to three single-bit flips:
    // CRC-32C detects both in lines of these lengths, so the property has no exceptions.
    const oneByte = fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => [{ at, mask }]);
    const bits = fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.nat(7)).map(([at, bit]) => ({ at, mask: 1 << bit })), { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(fc.oneof(oneByte, bits), (flips) => {
      const mutated = Buffer.from(bytes);
      for (const { at, mask } of flips) mutated[at] = (mutated[at] ?? 0) ^ mask;
      if (mutated.equals(bytes)) return;
      const decoded = decodeResults(mutated);
      if (!decoded.ok) return;
      const finalNewlineFlipped = mutated[bytes.length - 1] !== 0x0a;
      const intact = mutated.subarray(0, lastStart).equals(bytes.subarray(0, lastStart));
      if (!(finalNewlineFlipped && intact && decoded.value.tornLine && contentOf(decoded.value) === contentOf(prefix.value))) {
        throw new Error(`undetected flips ${JSON.stringify(flips)}: decoded ${decoded.value.rows.length} rows, torn ${decoded.value.tornLine}`);
      }
    }), fcParams('results flipped', Math.min(fuzzRuns(), 50_000)));
  });
});
