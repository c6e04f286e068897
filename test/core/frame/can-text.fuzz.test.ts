import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canTextProblem, formatCanFrame, parseCanFrame, type CanTextError } from '../../../src/core/frame/can-text.js';
import { fcParams, fuzzRuns } from '../../support/seed.js';
import { applyTextEdits, textEditsArb } from '../../support/text-edits.js';

const CODES: ReadonlySet<CanTextError['code']> = new Set<CanTextError['code']>([
  'empty', 'too_long', 'bad_id', 'id_out_of_range', 'bad_hex', 'odd_hex_digits', 'too_many_bytes', 'bad_fd_length', 'bad_fd_flags',
  'bad_rtr_length', 'error_frame_kind', 'unsupported',
]);

const VALID: readonly string[] = [
  '123#DEADBEEF', '5A1#11.2233.44556677.88', '7FF#', '1F334455#1122334455667788', '123#R', '123#R5', '1ABCDEF0#R8',
  '123##1DEADBEEF', '123##2', `1ABCDEF0##3${'AB'.repeat(64)}`, `123##0${'00'.repeat(12)}`, '20000080#0000000000000000',
];
/** Characters that matter to the grammar, plus a few that never should. */
const ALPHABET = '0123456789ABCDEFabcdefRr#._ xX\u0000\u00ff';

const EDITS = textEditsArb(ALPHABET, ['replace', 'insert', 'delete', 'duplicate']);

/** Never throws; an error is typed; an accepted frame is valid and re-parses from its canonical text. */
function check(text: string): void {
  const result = parseCanFrame(text);
  if (!result.ok) {
    expect(CODES.has(result.error.code)).toBe(true);
    return;
  }
  expect(canTextProblem(result.value)).toBeUndefined();
  expect(parseCanFrame(formatCanFrame(result.value))).toEqual(result);
}

describe('parseCanFrame fuzz', () => {
  it('random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), check), fcParams('can-text fuzz strings', fuzzRuns()));
  });

  it('grammar-alphabet strings', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...Array.from(ALPHABET)), maxLength: 160 }), check), fcParams('can-text fuzz alphabet', fuzzRuns()));
  });

  it('mutations of valid frames', () => {
    fc.assert(fc.property(fc.constantFrom(...VALID), EDITS, (text, edits) => {
      check(applyTextEdits(text, edits));
    }), fcParams('can-text fuzz mutations', fuzzRuns()));
  });
});
