import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/core/sim/prng.js';
import { flipCodeWordBit, getSecDedCode, newDecodeOutcome, popcount, SECDED_CODE_NAMES, type CodeWord, type SecDedCode } from '../../../src/core/integrity/secded.js';
import { testSeed } from '../../support/seed.js';

/** Random words per code for the exhaustive single/double sweeps (each word: n singles + C(n,2) doubles). */
const WORDS_PER_CODE = 1000;

function randomWord(code: SecDedCode, prng: Prng): CodeWord {
  const dataLo = prng.nextU32();
  const dataHi = code.dataBits === 64 ? prng.nextU32() : 0;
  return { dataLo, dataHi, check: code.encode(dataLo, dataHi) };
}

/** Reference encoder: one XOR of the column per set data bit (independent of the byte tables). */
function referenceCheck(code: SecDedCode, lo: number, hi: number): number {
  let c = 0;
  for (let bit = 0; bit < code.dataBits; bit++) {
    const word = bit < 32 ? lo : hi;
    if ((word >>> (bit & 31)) & 1) c ^= code.columns[bit]!;
  }
  return c;
}

describe.each(SECDED_CODE_NAMES)('%s (Hsiao)', (name) => {
  const code = getSecDedCode(name);

  it('has n distinct odd-weight columns: weight-1 for check bits, weight ≥3 for data bits', () => {
    expect(code.columns).toHaveLength(code.codeBits);
    expect(new Set(code.columns).size).toBe(code.codeBits);
    code.columns.forEach((column, bit) => {
      expect(popcount(column) % 2).toBe(1);
      expect(column).toBeLessThan(1 << code.checkBits);
      if (bit < code.dataBits) expect(popcount(column)).toBeGreaterThanOrEqual(3);
      else expect(column).toBe(1 << (bit - code.dataBits));
    });
  });

  it('balances the rows of H (Hsiao row weights differ by at most one)', () => {
    const rows = Array.from({ length: code.checkBits }, (_, r) => code.columns.slice(0, code.dataBits).filter((c) => (c >>> r) & 1).length);
    expect(Math.max(...rows) - Math.min(...rows)).toBeLessThanOrEqual(1);
    if (name === 'secded-72-64') expect(rows).toEqual(Array(8).fill(26));
    else expect(rows).toEqual([14, 14, 14, 14, 14, 13, 13]);
  });

  it('encodes like the bit-by-bit reference; all-zero data has zero check bits', () => {
    const prng = new Prng(testSeed(`${name} reference encode`));
    expect(code.encode(0, 0)).toBe(0);
    for (let i = 0; i < 2000; i++) {
      const w = randomWord(code, prng);
      expect(w.check).toBe(referenceCheck(code, w.dataLo, w.dataHi));
    }
  });

  it('corrects every single-bit error and detects every double-bit error without miscorrecting', () => {
    const prng = new Prng(testSeed(`${name} exhaustive single and double`));
    const out = newDecodeOutcome();
    let singles = 0;
    let doubles = 0;
    for (let i = 0; i < WORDS_PER_CODE; i++) {
      const clean = randomWord(code, prng);
      expect(code.decode(clean.dataLo, clean.dataHi, clean.check, out).kind).toBe('clean');
      for (let a = 0; a < code.codeBits; a++) {
        const one = { ...clean };
        flipCodeWordBit(code, one, a);
        const r1 = code.decode(one.dataLo, one.dataHi, one.check, out);
        if (r1.kind !== (a < code.dataBits ? 'corrected-data' : 'corrected-check') || out.position !== a
          || out.dataLo !== clean.dataLo || out.dataHi !== clean.dataHi || out.check !== clean.check || out.syndrome !== code.columns[a]) {
          expect.fail(`word ${i} single flip at ${a}: ${JSON.stringify(out)} for ${JSON.stringify(clean)}`);
        }
        singles++;
        for (let b = a + 1; b < code.codeBits; b++) {
          const two = { ...one };
          flipCodeWordBit(code, two, b);
          const r2 = code.decode(two.dataLo, two.dataHi, two.check, out);
          if (r2.kind !== 'uncorrectable' || !out.evenSyndrome || out.position !== -1 || out.dataLo !== two.dataLo || out.dataHi !== two.dataHi) {
            expect.fail(`word ${i} double flip at ${a},${b}: ${JSON.stringify(out)} for ${JSON.stringify(clean)}`);
          }
          doubles++;
        }
      }
    }
    expect(singles).toBe(WORDS_PER_CODE * code.codeBits);
    expect(doubles).toBe(WORDS_PER_CODE * (code.codeBits * (code.codeBits - 1)) / 2);
  });

  it('classifies triple errors as uncorrectable-odd or (by design) a miscorrection, never as clean', () => {
    const prng = new Prng(testSeed(`${name} triples`));
    const out = newDecodeOutcome();
    let detected = 0;
    for (let i = 0; i < 5000; i++) {
      const w = randomWord(code, prng);
      const bits = new Set<number>();
      while (bits.size < 3) bits.add(prng.nextInt(code.codeBits));
      for (const bit of bits) flipCodeWordBit(code, w, bit);
      code.decode(w.dataLo, w.dataHi, w.check, out);
      expect(out.kind).not.toBe('clean');
      expect(out.evenSyndrome).toBe(false);
      if (out.kind === 'uncorrectable') detected++;
    }
    // Odd-weight syndromes that match no column exist for both codes, so some triples are detected.
    expect(detected).toBeGreaterThan(0);
  });

  it('reuses the outcome object it is given', () => {
    const out = newDecodeOutcome();
    expect(code.decode(0, 0, 1, out)).toBe(out);
    expect(out).toMatchObject({ kind: 'corrected-check', position: code.dataBits, syndrome: 1, check: 0 });
  });
});

describe('known vectors (pinned; the firmware must produce the same; docs/INTEGRITY.md)', () => {
  const c39 = getSecDedCode('secded-39-32');
  const c72 = getSecDedCode('secded-72-64');

  it('pins the H-matrix columns', () => {
    expect(c39.columns.map((c) => c.toString(16)).join(' ')).toBe(
      '7 b 13 23 43 d 15 25 45 19 29 49 31 51 e 16 26 46 1a 2a 4a 32 52 2c 4c 34 54 64 38 58 68 70 1 2 4 8 10 20 40');
    expect(c72.columns.map((c) => c.toString(16)).join(' ')).toBe(
      '7 b 13 23 43 83 d 15 25 45 85 19 29 49 89 31 51 91 61 a1 c1 e 16 26 46 86 1a 2a 4a 8a 32 52 92 62 a2 c2 1c 2c 4c 8c '
      + '34 54 94 64 a4 c4 38 58 98 68 a8 c8 70 b0 d0 e0 1f 3e 7c f8 f1 e3 c7 8f 1 2 4 8 10 20 40 80');
  });

  it('pins the check bits of fixed words', () => {
    expect(c39.encode(0xdeadbeef, 0)).toBe(0x22);
    expect(c39.encode(0x12345678, 0)).toBe(0x19);
    expect(c39.encode(0xffffffff, 0)).toBe(0x60); // row weights 14,14,14,14,14,13,13 → parity of rows 5 and 6
    expect(c72.encode(0xdeadbeef, 0x01234567)).toBe(0xff);
    expect(c72.encode(0x89abcdef, 0xfedcba98)).toBe(0x4b);
    expect(c72.encode(0, 0x80000000)).toBe(0x8f);
    expect(c72.encode(0xffffffff, 0xffffffff)).toBe(0); // every row has 26 ones
  });
});
