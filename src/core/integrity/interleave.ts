/**
 * Word interleaving: how logical code words are laid out in physical bit cells.
 *
 * With factor k, words are taken in groups of k consecutive words (word w is in group
 * floor(w / k) at lane w mod k), and the n·k bits of a group are stored bit-by-bit in turn:
 *
 *   physical bit p  →  group g = floor(p / (n·k)), offset o = p mod (n·k)
 *                      word  = g·k + (o mod k),     code-word bit = floor(o / k)
 *
 * So any k physically adjacent bits fall in k different words (also across a group boundary,
 * where the two groups hold different words anyway), and a multi-bit upset of up to k adjacent
 * cells arrives as at most one bit error per word — which SEC-DED corrects. Factor 1 is the
 * plain layout (word after word). The word count must be a multiple of k (images pad with
 * clean zero words to the next multiple).
 */
import { assert } from '../assert.js';

/** The largest interleaving factor accepted anywhere (CLI, container, images). */
export const INTERLEAVE_MAX = 256;

export class Interleaver {
  readonly physicalBits: number;
  private readonly groupBits: number;

  constructor(readonly codeBits: number, readonly factor: number, readonly wordCount: number) {
    assert(Number.isInteger(codeBits) && codeBits > 0, 'code bits must be positive');
    assert(Number.isInteger(factor) && factor >= 1 && factor <= INTERLEAVE_MAX, `interleave factor must be 1..${INTERLEAVE_MAX}`);
    assert(Number.isSafeInteger(wordCount) && wordCount >= 0 && wordCount % factor === 0, 'word count must be a multiple of the factor');
    this.groupBits = codeBits * factor;
    this.physicalBits = codeBits * wordCount;
  }

  /** The logical word that holds physical bit `physicalBit`. */
  wordOf(physicalBit: number): number {
    this.checkPhysical(physicalBit);
    const group = Math.floor(physicalBit / this.groupBits);
    const offset = physicalBit - group * this.groupBits;
    return group * this.factor + (offset % this.factor);
  }

  /** The code-word bit (0..n-1) that physical bit `physicalBit` holds. */
  bitOf(physicalBit: number): number {
    this.checkPhysical(physicalBit);
    const offset = physicalBit % this.groupBits;
    return Math.floor(offset / this.factor);
  }

  /** The physical bit that holds code-word bit `bit` of word `word`. */
  physicalOf(word: number, bit: number): number {
    if (!(Number.isSafeInteger(word) && word >= 0 && word < this.wordCount)) assert(false, `word ${word} out of range`);
    if (!(Number.isInteger(bit) && bit >= 0 && bit < this.codeBits)) assert(false, `bit ${bit} out of range`);
    const group = Math.floor(word / this.factor);
    const lane = word - group * this.factor;
    return group * this.groupBits + bit * this.factor + lane;
  }

  private checkPhysical(physicalBit: number): void {
    if (!(Number.isSafeInteger(physicalBit) && physicalBit >= 0 && physicalBit < this.physicalBits)) assert(false, `physical bit ${physicalBit} out of range`);
  }
}

/** Words needed for `dataBytes` bytes in words of `wordBytes`, padded to a multiple of `factor`. */
export function paddedWordCount(dataBytes: number, wordBytes: number, factor: number): number {
  assert(Number.isSafeInteger(dataBytes) && dataBytes >= 0, 'data length must be a non-negative integer');
  const words = Math.ceil(dataBytes / wordBytes);
  return Math.ceil(words / factor) * factor;
}
