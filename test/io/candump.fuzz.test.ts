import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CandumpReader, formatCandumpLine, parseCandumpLine, type CandumpError, type CandumpLine } from '../../src/io/candump.js';
import { fcParams, fuzzRuns } from '../support/seed.js';
import { applyTextEdits, textEditsArb } from '../support/text-edits.js';

const CODES: ReadonlySet<CandumpError['code']> = new Set<CandumpError['code']>(['line_too_long', 'bad_timestamp', 'bad_interface', 'bad_frame', 'trailing_text']);

const VALID: readonly string[] = [
  '(1436509052.249713) vcan0 044#2A366C2BBA', '(0946684800.000000) can0 123#R5', '(1795780982.023054) can0 12345678#R R',
  '(1795780982.023054) can0 123##1DEADBEEF T', '(0000000001.000000001) can10 20000080#0000000000000000',
  `(1436509052.249713) vcan0 1ABCDEF0##3${'AB'.repeat(64)}`, '(1436509052.249713)  any 7FF#11.22',
];
const ALPHABET = '0123456789ABCDEFabcdef()#.R T_\t\r\nxcanv\u0000\u00ff';

const EDITS = textEditsArb(ALPHABET, ['replace', 'insert', 'delete']);

function check(line: string): void {
  const result = parseCandumpLine(line);
  if (!result.ok) {
    expect(CODES.has(result.error.code)).toBe(true);
    return;
  }
  expect(parseCandumpLine(formatCandumpLine(result.value))).toEqual(result);
}

describe('candump fuzz', () => {
  it('parseCandumpLine on random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), check), fcParams('candump fuzz strings', fuzzRuns()));
  });

  it('parseCandumpLine on mutations of real lines', () => {
    fc.assert(fc.property(fc.constantFrom(...VALID), EDITS, (line, edits) => {
      check(applyTextEdits(line, edits));
    }), fcParams('candump fuzz mutations', fuzzRuns()));
  });

  it('CandumpReader on random byte chunks: never throws, numbers lines in order, memory bounded', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 4 }), (chunks) => {
      const lines: CandumpLine[] = [];
      const reader = new CandumpReader((line) => lines.push(line));
      for (const chunk of chunks) reader.push(chunk);
      reader.end();
      const newlines = chunks.reduce((n, c) => n + c.filter((b) => b === 0x0a).length, 0);
      expect(reader.linesRead).toBeLessThanOrEqual(newlines + 1);
      for (let i = 1; i < lines.length; i++) expect(lines[i]!.lineNumber).toBeGreaterThan(lines[i - 1]!.lineNumber);
      for (const line of lines) if (line.kind === 'malformed') expect(CODES.has(line.error.code)).toBe(true);
    }), fcParams('candump fuzz reader', Math.max(1, Math.floor(fuzzRuns() / 10))));
  });
});
