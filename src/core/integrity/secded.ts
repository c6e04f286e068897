/**
 * SEC-DED (single-error-correcting, double-error-detecting) Hsiao codes: (39,32) and (72,64).
 *
 * Why Hsiao and not extended Hamming (docs/INTEGRITY.md has the long form): both correct every
 * single-bit error and detect every double-bit error with the same number of check bits, but a
 * Hsiao matrix uses only odd-weight columns with the fewest ones, so (a) the parity trees are
 * smaller and balanced (every row of the (72,64) matrix has exactly 26 ones), and (b) the
 * decision is one parity test: an odd-weight syndrome is a single error (or ≥3), an even-weight
 * non-zero syndrome is an even number of errors (never miscorrected).
 *
 * Code-word bit numbering (used everywhere: fault injection, the CLI's WORD:BIT, reports):
 * bits 0..k-1 are the data bits (bit i of the little-endian data word; 0..31 in `dataLo`,
 * 32..63 in `dataHi`), bits k..n-1 are the check bits (code bit k+j is check bit j).
 *
 * Hot path: encoding and the clean-word test are table lookups (one 65536-entry table per
 * 16-bit half of the data word, built once from per-byte tables), no BigInt, no per-bit loops,
 * no allocation.
 */
import { assert } from '../assert.js';

export type SecDedCodeName = 'secded-39-32' | 'secded-72-64';

export const SECDED_CODE_NAMES: readonly SecDedCodeName[] = ['secded-39-32', 'secded-72-64'];

/** What decoding found. */
export type DecodeClass = 'clean' | 'corrected-data' | 'corrected-check' | 'uncorrectable';

/**
 * The result of one decode, written into a caller-owned object so the hot path does not allocate.
 * `position` is the corrected code-word bit (0..n-1) or -1. For 'uncorrectable' the data fields
 * hold the received (uncorrected) data. `evenSyndrome` tells the two uncorrectable cases apart:
 * true = an even number of flipped bits (every double error lands here), false = an odd-weight
 * syndrome that matches no column (three or more flipped bits).
 */
export interface DecodeOutcome {
  kind: DecodeClass;
  syndrome: number;
  position: number;
  evenSyndrome: boolean;
  dataLo: number;
  dataHi: number;
  check: number;
}

export function newDecodeOutcome(): DecodeOutcome {
  return { kind: 'clean', syndrome: 0, position: -1, evenSyndrome: false, dataLo: 0, dataHi: 0, check: 0 };
}

export interface SecDedCode {
  readonly name: SecDedCodeName;
  readonly dataBits: 32 | 64;
  readonly checkBits: 7 | 8;
  readonly codeBits: 39 | 72;
  /** Bytes of data per word: 4 or 8. */
  readonly dataBytes: 4 | 8;
  /** Parity-check matrix columns: `columns[b]` is the syndrome of a flip at code-word bit b. */
  readonly columns: readonly number[];
  /**
   * Encoder tables for inlined hot loops: `byteTable[256·j + v]` is the check-bit contribution
   * of value v in data byte j (j = 0..dataBytes-1). Read-only by contract.
   */
  readonly byteTable: Uint8Array;
  /**
   * The same, per 16-bit half: `halfTable[65536·j + v]` for half j = 0..dataBytes/2-1 (64 KiB per
   * half). Half as many lookups as `byteTable`; this is what `encode` and the scrubber use.
   */
  readonly halfTable: Uint8Array;
  /** Check bits for a data word (`dataHi` is ignored by the 32-bit code). */
  encode(dataLo: number, dataHi: number): number;
  /** Syndrome of a received word: 0 means clean. */
  syndrome(dataLo: number, dataHi: number, check: number): number;
  /** Decodes and corrects; writes into `out` (a fresh object when omitted) and returns it. */
  decode(dataLo: number, dataHi: number, check: number, out?: DecodeOutcome): DecodeOutcome;
}

/** Rows (check-bit indices) of every weight-w subset of `rows` rows, in lexicographic order, as masks. */
function combinations(rows: number, weight: number): number[] {
  const masks: number[] = [];
  for (let mask = 0; mask < 1 << rows; mask++) if (popcount(mask) === weight) masks.push(mask);
  // Lexicographic order of the sorted row lists = order by the reversed-bit mask; sort explicitly.
  return masks.sort((a, b) => compareRowLists(rowList(a), rowList(b)));
}

function rowList(mask: number): number[] {
  const list: number[] = [];
  for (let r = 0; r < 8; r++) if ((mask >>> r) & 1) list.push(r);
  return list;
}

function compareRowLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function popcount(value: number): number {
  let v = value >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/**
 * (39,32): the 35 weight-3 columns over 7 rows in lexicographic order, minus {0,5,6}, {1,5,6}
 * and {2,3,4}, leaving 32 columns with row weights 14,14,14,14,14,13,13 (total 96).
 */
function dataColumns39(): number[] {
  const dropped = new Set([0b1100001, 0b1100010, 0b0011100]);
  return combinations(7, 3).filter((m) => !dropped.has(m));
}

/**
 * (72,64): all 56 weight-3 columns over 8 rows in lexicographic order, then the 8 rotations of
 * 0b00011111 (weight 5): every row has exactly 21 + 5 = 26 ones.
 */
function dataColumns72(): number[] {
  const rotations: number[] = [];
  for (let i = 0; i < 8; i++) rotations.push(((0x1f << i) | (0x1f >>> (8 - i))) & 0xff);
  return [...combinations(8, 3), ...rotations];
}

/**
 * The check bits of a 32-bit data word from a code's `halfTable`: two 16-bit lookups. With the
 * 64-bit variant below, the one place the table is read — encoding, the syndrome (stored check
 * XOR these), the scrubber's clean-word scan and the memory image's fast paths all call it. Small
 * enough that V8 inlines it into every loop that calls it.
 */
export function checkBits32(halfTable: Uint8Array, dataLo: number): number {
  return (halfTable[dataLo & 0xffff] ?? 0) ^ (halfTable[65536 + (dataLo >>> 16)] ?? 0);
}

/** The check bits of a 64-bit data word (`dataLo`, `dataHi` its 32-bit halves): four 16-bit lookups. */
export function checkBits64(halfTable: Uint8Array, dataLo: number, dataHi: number): number {
  return checkBits32(halfTable, dataLo) ^ (halfTable[131072 + (dataHi & 0xffff)] ?? 0) ^ (halfTable[196608 + (dataHi >>> 16)] ?? 0);
}

class HsiaoCode implements SecDedCode {
  readonly dataBits: 32 | 64;
  readonly checkBits: 7 | 8;
  readonly codeBits: 39 | 72;
  readonly dataBytes: 4 | 8;
  readonly columns: readonly number[];
  readonly byteTable: Uint8Array;
  readonly halfTable: Uint8Array;
  /** `positionOf[syndrome]`: the code-word bit whose column it is, or -1. */
  private readonly positionOf: Int8Array;

  constructor(readonly name: SecDedCodeName) {
    const wide = name === 'secded-72-64';
    this.dataBits = wide ? 64 : 32;
    this.checkBits = wide ? 8 : 7;
    this.codeBits = wide ? 72 : 39;
    this.dataBytes = wide ? 8 : 4;
    const data = wide ? dataColumns72() : dataColumns39();
    const check = Array.from({ length: this.checkBits }, (_, j) => 1 << j);
    this.columns = Object.freeze([...data, ...check]);
    this.byteTable = buildByteTable(data, this.dataBytes);
    this.halfTable = buildHalfTable(this.byteTable, this.dataBytes / 2);
    this.positionOf = buildPositionTable(this.columns, this.checkBits);
    assert(this.columns.length === this.codeBits, 'column count');
  }

  encode(dataLo: number, dataHi: number): number {
    return this.dataBits === 32 ? checkBits32(this.halfTable, dataLo) : checkBits64(this.halfTable, dataLo, dataHi);
  }

  syndrome(dataLo: number, dataHi: number, check: number): number {
    return this.encode(dataLo, dataHi) ^ (check & ((1 << this.checkBits) - 1));
  }

  decode(dataLo: number, dataHi: number, check: number, out: DecodeOutcome = newDecodeOutcome()): DecodeOutcome {
    const mask = (1 << this.checkBits) - 1;
    const hi = this.dataBits === 64 ? dataHi >>> 0 : 0;
    const s = this.syndrome(dataLo, hi, check);
    out.syndrome = s;
    out.dataLo = dataLo >>> 0;
    out.dataHi = hi;
    out.check = check & mask;
    out.position = -1;
    out.evenSyndrome = s !== 0 && (popcount(s) & 1) === 0;
    if (s === 0) {
      out.kind = 'clean';
      return out;
    }
    const position = this.positionOf[s] ?? -1;
    if (position < 0) {
      out.kind = 'uncorrectable';
      return out;
    }
    out.position = position;
    this.applyCorrection(out, position);
    assert(this.syndrome(out.dataLo, out.dataHi, out.check) === 0, 'corrected word must be clean');
    return out;
  }

  private applyCorrection(out: DecodeOutcome, position: number): void {
    if (position < 32) {
      out.dataLo = (out.dataLo ^ (1 << position)) >>> 0;
      out.kind = 'corrected-data';
    } else if (position < this.dataBits) {
      out.dataHi = (out.dataHi ^ (1 << (position - 32))) >>> 0;
      out.kind = 'corrected-data';
    } else {
      out.check ^= 1 << (position - this.dataBits);
      out.kind = 'corrected-check';
    }
  }
}

function buildByteTable(dataColumns: readonly number[], dataBytes: number): Uint8Array {
  const table = new Uint8Array(256 * dataBytes);
  for (let byte = 0; byte < dataBytes; byte++) {
    for (let value = 0; value < 256; value++) {
      let c = 0;
      for (let bit = 0; bit < 8; bit++) if ((value >>> bit) & 1) c ^= dataColumns[byte * 8 + bit] ?? 0;
      table[256 * byte + value] = c;
    }
  }
  return table;
}

function buildHalfTable(byteTable: Uint8Array, halves: number): Uint8Array {
  const table = new Uint8Array(65536 * halves);
  for (let half = 0; half < halves; half++) {
    for (let value = 0; value < 65536; value++) {
      table[65536 * half + value] = (byteTable[512 * half + (value & 0xff)] ?? 0) ^ (byteTable[512 * half + 256 + (value >>> 8)] ?? 0);
    }
  }
  return table;
}

function buildPositionTable(columns: readonly number[], checkBits: number): Int8Array {
  const table = new Int8Array(1 << checkBits).fill(-1);
  columns.forEach((column, position) => {
    assert(column !== 0 && (popcount(column) & 1) === 1, 'Hsiao columns have odd weight');
    assert(table[column] === -1, 'Hsiao columns are distinct');
    table[column] = position;
  });
  return table;
}

const CODES: Readonly<Record<SecDedCodeName, SecDedCode>> = {
  'secded-39-32': new HsiaoCode('secded-39-32'),
  'secded-72-64': new HsiaoCode('secded-72-64'),
};

/** The code object for a name; the objects are immutable and shared. */
export function getSecDedCode(name: SecDedCodeName): SecDedCode {
  return CODES[name];
}

export function isSecDedCodeName(text: string): text is SecDedCodeName {
  return text === 'secded-39-32' || text === 'secded-72-64';
}

/** A code word as three fields (for tests and tools; the hot path keeps the fields in locals). */
export interface CodeWord {
  dataLo: number;
  dataHi: number;
  check: number;
}

/** Flips code-word bit `bit` (0..n-1, data bits then check bits) in place. */
export function flipCodeWordBit(code: SecDedCode, word: CodeWord, bit: number): void {
  if (!(Number.isInteger(bit) && bit >= 0 && bit < code.codeBits)) assert(false, `code-word bit ${bit} out of range`);
  if (bit < 32) word.dataLo = (word.dataLo ^ (1 << bit)) >>> 0;
  else if (bit < code.dataBits) word.dataHi = (word.dataHi ^ (1 << (bit - 32))) >>> 0;
  else word.check ^= 1 << (bit - code.dataBits);
}
