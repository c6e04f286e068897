/** Fuzz: the bounded parser in front of the serial line decoder never throws and never grows past its bound. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedReadlineParser } from '../../src/bus/serial-line-bus.js';
import { fcParams, fuzzRuns } from '../support/seed.js';

const LINE_MAX = 64;

describe('BoundedReadlineParser fuzz', () => {
  it('random chunks with sparse newlines: the unfinished line never exceeds the bound', () => {
    const chunkArb = fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes));
    fc.assert(fc.property(fc.array(chunkArb, { maxLength: 5 }), (chunks) => {
      let overflows = 0;
      const parser = new BoundedReadlineParser(LINE_MAX, () => overflows++);
      for (const chunk of chunks) {
        parser._transform(chunk, 'latin1', (error) => { expect(error ?? undefined).toBeUndefined(); });
        expect(parser.pendingBytes()).toBeLessThanOrEqual(LINE_MAX);
      }
      expect(overflows).toBeLessThanOrEqual(chunks.reduce((sum, c) => sum + c.length, 0) / LINE_MAX);
    }), fcParams('bounded readline', fuzzRuns()));
  });
});
