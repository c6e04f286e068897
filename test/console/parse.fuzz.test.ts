/** The parser takes lines from operators, scripts and remote consoles: it must never throw. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeLine } from '../../src/console/complete.js';
import { COMMAND_WORDS, CONSOLE_LINE_CHARS_MAX, formatParseError, parseCommand } from '../../src/console/parse.js';
import { fcParams, fuzzRuns } from '../support/seed.js';

const word = fc.oneof(
  fc.constantFrom(...COMMAND_WORDS, 'A', 'B', 'C', 'D', 'mem', 'reg', 'bus', 'off', 'stuck', 'bias', 'ok', 'drift', 'jump', 'start', 'stop',
    'corrected', 'uncorrectable', 'state', '==', '>=', '<', 'active', 'isolated', 'RATE_ERR_Y', '0x10', '-1', '1e9', '0xffffffff', 'DEADBEEF', '1.5',
    'compute-flip', 'control-flow', 'voter-upset', 'actuator', 'two-faced', 'channel=A', 'channel=', 'mode=skip', 'bit=3', 'bits=99', 'lane=1', 'value=x', 'atS=1', '=', 'a=b=c'),
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
);
const line = fc.oneof(fc.array(word, { maxLength: 8 }).map((w) => w.join(' ')), fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }));

describe('console parser (fuzz)', () => {
  it('returns a Result for any line, and every error formats to one line', () => {
    // Cases are cheap (a few µs); a quarter of fuzzRuns keeps the file well under its time budget.
    fc.assert(fc.property(line, (text) => {
      const r = parseCommand(text);
      if (!r.ok) {
        const message = formatParseError(r.error);
        expect(message).not.toContain('\n');
        expect(message.length).toBeLessThan(400);
      }
      const [hits] = completeLine(text.slice(0, CONSOLE_LINE_CHARS_MAX));
      expect(Array.isArray(hits)).toBe(true);
    }), { ...fcParams('console parser fuzz'), numRuns: Math.max(1000, Math.floor(fuzzRuns() / 4)) });
  });

  it('accepts what it prints back for valid flips', () => {
    fc.assert(fc.property(fc.constantFrom('A', 'B', 'C'), fc.nat(0xffff), fc.nat(7), (ch, address, bit) => {
      const r = parseCommand(`flip ${ch.toLowerCase()} mem 0x${address.toString(16)} ${bit}`);
      expect(r).toEqual({ ok: true, value: { kind: 'flip-mem', channel: ch, address, bit } });
    }), fcParams('console flip round trip', 2000));
  });
});
