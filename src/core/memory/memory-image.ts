/**
 * A protected memory image: `sizeBytes` bytes held as SEC-DED code words (docs/INTEGRITY.md).
 *
 * Storage is two typed arrays allocated once: the data words (little-endian bytes, viewed as
 * 32-bit halves) and one check byte per word. The word count is padded to a multiple of the
 * interleaving factor; padding bytes are zero and never readable through the address API.
 *
 * Every read goes through the code: a word with a single error is corrected, written back
 * (so that a second upset cannot turn it into a double) and counted. A word with an
 * uncorrectable error is never returned silently: `read`/`readU32`/`readF32` set
 * `lastReadStatus` to 'uncorrectable' and the `…Checked` variants return an error Result.
 * A write that only partly covers a word is a read-modify-write; if that word is
 * uncorrectable the write is refused as a whole (merging into bad data and re-encoding it
 * would launder the corruption into a "clean" word).
 *
 * Fault injection beyond the code's guarantee (for campaigns and tests; docs/INTEGRITY.md):
 * - `setStuckBit`: a permanent stuck-at cell. Its value is forced again after every mutation of
 *   its word, so a correction written back does not stay; such a word is never trusted as clean
 *   by the fast paths and is decoded (and, for one stuck bit, corrected) on every read.
 * - `flipWordBits`: a multi-bit upset of adjacent cells of one word (no interleaving to spread it).
 * - `armDecoderUpset`: an upset of the decoder's output latch, which corrupts one read silently.
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';
import { checkBits32, checkBits64, getSecDedCode, newDecodeOutcome, type DecodeClass, type DecodeOutcome, type SecDedCode, type SecDedCodeName } from '../integrity/secded.js';
import { Interleaver, paddedWordCount, INTERLEAVE_MAX } from '../integrity/interleave.js';
import { getCrc } from '../integrity/crc-catalogue.js';
import type { ControlMemory } from '../control/state.js';

/** Largest image (bytes) a MemoryImage is built for: 1 GiB keeps every bit index a safe integer with room. */
export const MEMORY_IMAGE_BYTES_MAX = 1 << 30;

/** Most stuck-at cells one image models at a time (a fixed table: `setStuckBit` asserts below it). */
export const STUCK_BITS_MAX = 64;

/** Widest multi-bit upset `flipWordBits` injects into one word (adjacent code-word bits). */
export const WORD_UPSET_BITS_MAX = 8;

/** The CRC used by `dataCrc32()` (reintegration check of a copied image). */
export const MEMORY_IMAGE_CRC = 'CRC-32/ISCSI';

export interface MemoryImageOptions {
  readonly sizeBytes: number;
  readonly code: SecDedCodeName;
  /** Word interleaving factor (1 = none). */
  readonly interleave?: number;
}

export type ReadStatus = 'ok' | 'corrected' | 'uncorrectable';

/** A word the code could not correct: where it is and what its syndrome was. */
export interface MemoryFault {
  readonly code: 'uncorrectable';
  readonly word: number;
  readonly address: number;
  readonly syndrome: number;
}

export interface MemoryImageStatistics {
  /** Words corrected by reads and partial writes (the scrubber counts its own). */
  readonly readCorrected: number;
  /** Uncorrectable words met by reads and partial writes. */
  readonly readUncorrectable: number;
  /** Bits flipped on purpose through flipBit / flipPhysicalBit. */
  readonly flipsInjected: number;
}

/** The clean-word scan for 64-bit data words: the check bits of each word against its stored ones. */
function findDirty72(h: Uint32Array, c: Uint8Array, t: Uint8Array, from: number, to: number): number {
  for (let w = from; w < to; w++) if (checkBits64(t, h[2 * w] ?? 0, h[2 * w + 1] ?? 0) !== (c[w] ?? 0)) return w;
  return to;
}

/** The clean-word scan for 32-bit data words. */
function findDirty39(h: Uint32Array, c: Uint8Array, t: Uint8Array, from: number, to: number): number {
  for (let w = from; w < to; w++) if (checkBits32(t, h[w] ?? 0) !== (c[w] ?? 0)) return w;
  return to;
}

/** Reads up to this many bytes copy byte by byte (the golden guard's 16-byte blocks). */
const SHORT_READ_BYTES = 64;

/** The shared success value of the writes (immutable; saves an allocation per write). */
const OK_VOID: Result<void, MemoryFault> = Object.freeze(ok(undefined));

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `suspect` flag: the word may hold an error (a flip, `importRaw`); a read that finds it clean clears it. */
const SUSPECT_MAYBE = 1;
/** `suspect` flag: the word has a stuck-at cell; never cleared by a read, only by `clearStuckBits`. */
const SUSPECT_STUCK = 2;

/**
 * The image is also the control law's memory port (ControlMemory): `readF32`/`writeF32` are
 * the law's loads and stores, and every one that meets an uncorrectable word is counted in
 * `portFaults` so the channel can declare itself faulty after the step.
 */
export class MemoryImage implements ControlMemory {
  readonly code: SecDedCode;
  readonly sizeBytes: number;
  readonly wordCount: number;
  /** Data bytes per word: 4 or 8. */
  readonly wordBytes: number;
  readonly interleave: number;
  readonly interleaver: Interleaver;
  /** Physical bit cells (data and check) = wordCount · codeBits. */
  readonly physicalBitCount: number;
  lastReadStatus: ReadStatus = 'ok';
  /** The first uncorrectable word of the last read, or -1. */
  lastReadFaultWord = -1;
  /**
   * `readF32`/`writeF32` calls (the ControlMemory port) that met an uncorrectable word since
   * `clearPortFaults()`. Other readers (console, reintegration, scrubber) do not count here.
   */
  portFaults = 0;

  private readonly bytes: Uint8Array;
  private readonly halves: Uint32Array;
  /** The same storage as float32 slots (the aligned readF32/writeF32 fast path). */
  private readonly floats: Float32Array;
  /** The whole float32 slots of the image (`floor(sizeBytes / 4)`; the law's direct port, `cleanSlots`). */
  private readonly slots: Float32Array;
  /** `code.halfTable` (encode and clean-word test inlined on the fast path). */
  private readonly table: Uint8Array;
  private readonly checks: Uint8Array;
  /**
   * Per word: 0 = known clean, else SUSPECT_MAYBE (may hold an error: set by every flip and by
   * `importRaw`) and/or SUSPECT_STUCK (has a stuck-at cell). A word marked 0 is clean because
   * every other mutation (encode, repair) leaves words without stuck cells clean; the fast path
   * trusts a 0 and skips the syndrome, and clears SUSPECT_MAYBE when the syndrome is zero. A
   * stuck word is never cleared, so the fast paths cost nothing extra for stuck cells.
   */
  private readonly suspect: Uint8Array;
  /** Words whose `suspect` flag is not 0 (0: every word is known clean). */
  private suspectWords = 0;
  /** 32-bit halves per word: 1 or 2. */
  private readonly stride: number;
  /** Byte address >>> wordShift = word (2 for 4-byte words, 3 for 8-byte words). */
  private readonly wordShift: number;
  /** Highest byte address of a whole float32 slot (`address + 4 <= sizeBytes`). */
  private readonly lastSlotAddress: number;
  private readonly outcome: DecodeOutcome = newDecodeOutcome();
  private readonly floatScratch = new Float32Array(1);
  private readonly u32Scratch = new Uint32Array(this.floatScratch.buffer);
  private readonly byteScratch = new Uint8Array(4);
  private readCorrected = 0;
  private readUncorrectable = 0;
  private flipsInjected = 0;
  /** Stuck-at cells: entry i is cell (stuckWords[i], stuckBits[i]) held at stuckValues[i]; i < stuckCount. */
  private readonly stuckWords = new Int32Array(STUCK_BITS_MAX);
  private readonly stuckBits = new Uint8Array(STUCK_BITS_MAX);
  private readonly stuckValues = new Uint8Array(STUCK_BITS_MAX);
  private stuckCount = 0;
  /** An armed decoder-output upset (`armDecoderUpset`): the one boolean the read fast paths test. */
  private upsetArmed = false;
  /** The data bit the armed upset flips. */
  private upsetBit = 0;

  constructor(options: MemoryImageOptions) {
    assert(LITTLE_ENDIAN, 'MemoryImage assumes a little-endian host');
    const interleave = options.interleave ?? 1;
    assert(Number.isSafeInteger(options.sizeBytes) && options.sizeBytes >= 0 && options.sizeBytes <= MEMORY_IMAGE_BYTES_MAX, `image size must be 0..${MEMORY_IMAGE_BYTES_MAX} bytes`);
    assert(Number.isInteger(interleave) && interleave >= 1 && interleave <= INTERLEAVE_MAX, `interleave must be 1..${INTERLEAVE_MAX}`);
    this.code = getSecDedCode(options.code);
    this.sizeBytes = options.sizeBytes;
    this.interleave = interleave;
    this.wordBytes = this.code.dataBytes;
    this.stride = this.wordBytes / 4;
    this.wordShift = this.stride === 1 ? 2 : 3;
    this.lastSlotAddress = options.sizeBytes - 4;
    this.wordCount = paddedWordCount(options.sizeBytes, this.wordBytes, interleave);
    this.bytes = new Uint8Array(this.wordCount * this.wordBytes);
    this.halves = new Uint32Array(this.bytes.buffer);
    this.floats = new Float32Array(this.bytes.buffer);
    this.slots = new Float32Array(this.bytes.buffer, 0, Math.floor(options.sizeBytes / 4));
    this.table = this.code.halfTable;
    this.checks = new Uint8Array(this.wordCount).fill(this.code.encode(0, 0));
    this.suspect = new Uint8Array(this.wordCount);
    this.interleaver = new Interleaver(this.code.codeBits, interleave, this.wordCount);
    this.physicalBitCount = this.interleaver.physicalBits;
  }

  // ---- word level (scrubber, fault injection) ---------------------------------------------

  /** Syndrome of word `word` (0 = clean). The scrubber's fast path. */
  syndromeOf(word: number): number {
    const h = this.halves;
    const lo = h[word * this.stride] ?? 0;
    const hi = this.stride === 2 ? (h[word * 2 + 1] ?? 0) : 0;
    return this.code.syndrome(lo, hi, this.checks[word] ?? 0);
  }

  /**
   * How SEC-DED would decode word `word` now, without repairing it: the fault injector's truth
   * about an upset beyond the code (three or more bits decode as clean or as a single-bit error:
   * wrong data that looks right). Allocates; not for the hot path.
   */
  decodeClassOf(word: number): DecodeClass {
    const h = this.halves;
    const lo = h[word * this.stride] ?? 0;
    const hi = this.stride === 2 ? (h[word * 2 + 1] ?? 0) : 0;
    return this.code.decode(lo, hi, this.checks[word] ?? 0).kind;
  }

  /**
   * The first word in [from, to) whose syndrome is not zero, or `to`. The scrubber's clean-word
   * fast path: one table lookup per 16-bit half and a compare, no allocation.
   */
  findDirtyWord(from: number, to: number): number {
    if (!(from >= 0 && from <= to && to <= this.wordCount)) assert(false, 'findDirtyWord range');
    // Every word known clean: every syndrome is zero (`suspect`).
    if (this.suspectWords === 0) return to;
    return this.stride === 2 ? findDirty72(this.halves, this.checks, this.table, from, to) : findDirty39(this.halves, this.checks, this.table, from, to);
  }

  /**
   * Decodes word `word` into `out`; a correctable error is written back. Returns `out`.
   * Does not touch the read counters (callers count: reads here, the scrubber its own).
   * `out` holds the decoder's output; if the word has a stuck cell the write-back is forced
   * back to the stuck value, so the stored word may still be in error afterwards.
   */
  repairWord(word: number, out: DecodeOutcome): DecodeOutcome {
    this.decodeWriteBack(word, out);
    this.reassertStuck();
    return out;
  }

  /** `repairWord` without re-forcing stuck cells (the caller does once its operation is done). */
  private decodeWriteBack(word: number, out: DecodeOutcome): DecodeOutcome {
    if (!(Number.isSafeInteger(word) && word >= 0 && word < this.wordCount)) assert(false, `word ${word} out of range`);
    const base = word * this.stride;
    const hi = this.stride === 2 ? (this.halves[base + 1] ?? 0) : 0;
    this.code.decode(this.halves[base] ?? 0, hi, this.checks[word] ?? 0, out);
    if (out.kind === 'corrected-data' || out.kind === 'corrected-check') {
      this.halves[base] = out.dataLo;
      if (this.stride === 2) this.halves[base + 1] = out.dataHi;
      this.checks[word] = out.check;
    }
    return out;
  }

  /** Byte address of the first data byte of word `word`. */
  addressOf(word: number): number {
    return word * this.wordBytes;
  }

  /** Flips code-word bit `bit` (0..n-1: data bits, then check bits) of word `word`. A stuck cell does not flip. */
  flipBit(word: number, bit: number): void {
    this.checkCell(word, bit);
    this.toggleCell(word, bit);
    this.markSuspect(word, SUSPECT_MAYBE);
    this.flipsInjected++;
    this.reassertStuck();
  }

  /**
   * A multi-bit upset of one word: flips the `bits` (1..WORD_UPSET_BITS_MAX) adjacent code-word
   * bits firstBit..firstBit+bits-1 of word `word`, wrapping modulo codeBits (no interleaving to
   * spread it). One or two bits are corrected or detected; three or more exceed SEC-DED and,
   * depending on the positions, are detected as uncorrectable, silently miscorrected (an odd
   * count whose syndrome is another bit's column), or not seen at all (an even count whose
   * syndrome is zero).
   */
  flipWordBits(word: number, firstBit: number, bits: number): void {
    this.checkCell(word, firstBit);
    if (!(Number.isInteger(bits) && bits >= 1 && bits <= WORD_UPSET_BITS_MAX)) assert(false, `flipWordBits: bits ${bits} out of range 1..${WORD_UPSET_BITS_MAX}`);
    const codeBits = this.code.codeBits;
    for (let i = 0; i < bits; i++) this.toggleCell(word, (firstBit + i) % codeBits);
    this.markSuspect(word, SUSPECT_MAYBE);
    this.flipsInjected += bits;
    this.reassertStuck();
  }

  /**
   * A permanent fault: code-word bit `bit` (numbered as in `flipBit`) of word `word` holds
   * `value` from now on. It is applied at once and forced again after every later mutation of
   * the word (writes, restore, importRaw, correction write-backs, flips), so a correction does
   * not stay when the correct value differs. The word is never trusted as clean by the fast
   * paths: every read decodes it, so one stuck cell in error is corrected on every read (and
   * counted each time), and any second error in that word makes it uncorrectable. Setting a cell
   * again changes its value. At most STUCK_BITS_MAX cells per image; no cost on the fast paths
   * for words without a stuck cell.
   */
  setStuckBit(word: number, bit: number, value: 0 | 1): void {
    this.checkCell(word, bit);
    const level: number = value; // checked at run time too: callers outside TypeScript (CLI, fault plans)
    if (!(level === 0 || level === 1)) assert(false, `setStuckBit: value must be 0 or 1, got ${String(level)}`);
    let i = this.stuckIndexOf(word, bit);
    if (i < 0) {
      assert(this.stuckCount < STUCK_BITS_MAX, `setStuckBit: at most ${STUCK_BITS_MAX} stuck bits per image`);
      i = this.stuckCount++;
      this.stuckWords[i] = word;
      this.stuckBits[i] = bit;
    }
    this.stuckValues[i] = value;
    this.markSuspect(word, SUSPECT_STUCK);
    this.forceCell(word, bit, value);
  }

  /** Frees every stuck cell. Their words keep what they hold (maybe in error) and stay suspect until read clean. */
  clearStuckBits(): void {
    for (let i = 0; i < this.stuckCount; i++) {
      const w = this.stuckWords[i] ?? 0;
      if (this.suspect[w] === 0) this.suspectWords++;
      this.suspect[w] = SUSPECT_MAYBE;
    }
    this.stuckCount = 0;
  }

  /** Number of stuck cells (0..STUCK_BITS_MAX). */
  get stuckBitCount(): number {
    return this.stuckCount;
  }

  /**
   * A single-event upset in the decoder's output latch, not in the stored word: the next read
   * through the read port (`readF32`, `readU32`, `read` and what calls them: the `…Checked`
   * variants, `snapshot`), clean-word fast path included, delivers its data with data bit
   * `dataBit` (0..dataBits-1) of the first word it touches flipped, once; then the arm clears.
   * The flipped bit is visible only if it lies in the bytes the read returns. The stored word
   * is not changed and the status stays 'ok' (or whatever the decode found): the corruption is
   * silent. If the reader writes the value back (the control law's read-modify-write), the
   * wrong value is encoded into a valid code word that no scrub or read will ever flag; that is
   * the fault this models. A write's own read-modify-write, the scrubber and `dataCrc32` are
   * not the read port and do not consume the arm; a zero-length read touches no word and does
   * not either. Arming again while armed replaces the bit.
   */
  armDecoderUpset(dataBit: number): void {
    if (!(Number.isInteger(dataBit) && dataBit >= 0 && dataBit < this.code.dataBits)) assert(false, `armDecoderUpset: data bit ${dataBit} out of range 0..${this.code.dataBits - 1}`);
    this.upsetBit = dataBit;
    this.upsetArmed = true;
  }

  /** True while a decoder upset waits for the next read. */
  get decoderUpsetArmed(): boolean {
    return this.upsetArmed;
  }

  /** Flips physical bit cell `physicalBit` (0..physicalBitCount-1) through the interleaving map. */
  flipPhysicalBit(physicalBit: number): void {
    this.flipBit(this.interleaver.wordOf(physicalBit), this.interleaver.bitOf(physicalBit));
  }

  // ---- byte level -------------------------------------------------------------------------

  /**
   * Reads `length` bytes at `address` into `out` (or a new array), correcting on the way.
   * Sets `lastReadStatus`; on 'uncorrectable' the bytes of the bad word(s) are the raw,
   * uncorrected ones and must not be used.
   */
  read(address: number, length: number, out: Uint8Array = new Uint8Array(length)): Uint8Array {
    this.checkRange(address, length);
    if (!(out.length >= length)) assert(false, 'read: output buffer too small');
    this.repairRange(address, length);
    const bytes = this.bytes;
    // A short read copies in a loop: `subarray` allocates a view and `set` is a builtin call.
    if (length > SHORT_READ_BYTES) out.set(bytes.subarray(address, address + length));
    else for (let i = 0; i < length; i++) out[i] = bytes[address + i] ?? 0;
    if (this.upsetArmed && length > 0) this.upsetBytes(out, address, length);
    this.reassertStuck();
    return out;
  }

  /** `read` that returns the first uncorrectable word as an error instead of bad bytes. */
  readChecked(address: number, length: number, out?: Uint8Array): Result<Uint8Array, MemoryFault> {
    const bytes = this.read(address, length, out);
    return this.lastReadStatus === 'uncorrectable' ? err(this.faultAt(this.lastReadFaultWord)) : ok(bytes);
  }

  /**
   * Writes `data` at `address`. Words fully covered are simply re-encoded; a partly covered
   * word is corrected first, and if it is uncorrectable nothing at all is written.
   */
  write(address: number, data: Uint8Array): Result<void, MemoryFault> {
    this.checkRange(address, data.length);
    if (data.length === 0) return ok(undefined);
    const fault = this.prepareEdges(address, data.length);
    if (fault === null) {
      this.bytes.set(data, address);
      this.encodeWords(Math.floor(address / this.wordBytes), this.lastWordOf(address, data.length));
    }
    this.reassertStuck();
    return fault === null ? OK_VOID : err(fault);
  }

  readU32(address: number): number {
    if (!this.upsetArmed && this.isCleanAligned(address)) {
      this.lastReadStatus = 'ok';
      this.lastReadFaultWord = -1;
      return this.halves[address >>> 2] ?? 0;
    }
    if ((address & 3) === 0) return this.readAlignedU32Slow(address);
    const b = this.read(address, 4, this.byteScratch);
    return ((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0;
  }

  readU32Checked(address: number): Result<number, MemoryFault> {
    const value = this.readU32(address);
    return this.lastReadStatus === 'uncorrectable' ? err(this.faultAt(this.lastReadFaultWord)) : ok(value);
  }

  writeU32(address: number, value: number): Result<void, MemoryFault> {
    if (this.isCleanAligned(address)) {
      this.halves[address >>> 2] = value;
      this.reencodeAligned(address);
      return OK_VOID;
    }
    const b = this.byteScratch;
    b[0] = value & 0xff;
    b[1] = (value >>> 8) & 0xff;
    b[2] = (value >>> 16) & 0xff;
    b[3] = (value >>> 24) & 0xff;
    return this.write(address, b);
  }

  /**
   * A float32 load (the law's, ~100 a step). The known-clean-word fast path is kept to a few
   * bytecodes so V8 inlines it at each of the law's call sites; everything else is in
   * `readF32Slow`, which behaves identically for the cases the fast path takes.
   */
  readF32(address: number): number {
    if ((address & 3) === 0 && address >= 0 && address <= this.lastSlotAddress && this.suspect[address >>> this.wordShift] === 0 && !this.upsetArmed) {
      this.lastReadStatus = 'ok';
      this.lastReadFaultWord = -1;
      return this.floats[address >>> 2] ?? NaN;
    }
    return this.readF32Slow(address);
  }

  readF32Checked(address: number): Result<number, MemoryFault> {
    const value = this.readF32(address);
    return this.lastReadStatus === 'uncorrectable' ? err(this.faultAt(this.lastReadFaultWord)) : ok(value);
  }

  /** A float32 store (the law's); a refused store (uncorrectable partly covered word) counts in `portFaults`. */
  writeF32(address: number, value: number): Result<void, MemoryFault> {
    if ((address & 3) === 0 && address >= 0 && address <= this.lastSlotAddress && this.suspect[address >>> this.wordShift] === 0) {
      this.floats[address >>> 2] = value;
      this.reencodeAligned(address);
      return OK_VOID;
    }
    return this.writeF32Slow(address, value);
  }

  /**
   * The control law's direct port for the rest of a step (ControlMemory.cleanSlots): the
   * storage as float32 slots (`floor(sizeBytes / 4)` of them) when every word is known clean and no decoder
   * upset is armed, else undefined. While that holds, `readF32(a)` for an aligned in-range `a`
   * is exactly `slots[a >>> 2]` with status 'ok' (the fast path), and fast-path writes keep it
   * so; the status is set here as that next read would set it. Any flip, stuck cell, raw import
   * or armed upset ends it, so the caller asks again after anything but its own loads and stores.
   */
  cleanSlots(): Float32Array | undefined {
    if (this.suspectWords !== 0 || this.upsetArmed) return undefined;
    this.lastReadStatus = 'ok';
    this.lastReadFaultWord = -1;
    return this.slots;
  }

  /**
   * Stores made through `cleanSlots` (ControlMemory.storedSlots): re-encodes the words holding
   * the first `count` byte addresses of `addresses`, as the fast-path `writeF32` does at once.
   */
  storedSlots(addresses: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) {
      const address = addresses[i] ?? 0;
      if (!((address & 3) === 0 && address >= 0 && address <= this.lastSlotAddress)) assert(false, `storedSlots: bad address ${address}`);
      const w = address >>> this.wordShift;
      this.checks[w] = this.checkBitsOfWord(w);
    }
  }

  /** Restarts the `portFaults` count (the channel does at a cold restart). */
  clearPortFaults(): void {
    this.portFaults = 0;
  }

  // ---- whole image ------------------------------------------------------------------------

  /** A corrected copy of all data bytes, or the first uncorrectable word. */
  snapshot(): Result<Uint8Array, MemoryFault> {
    return this.readChecked(0, this.sizeBytes);
  }

  /** Replaces all data bytes (e.g. with voted state for a returning channel); every word ends clean. */
  restore(data: Uint8Array): void {
    assert(data.length === this.sizeBytes, `restore needs exactly ${this.sizeBytes} bytes, got ${data.length}`);
    this.bytes.set(data, 0);
    this.bytes.fill(0, data.length);
    this.encodeWords(0, this.wordCount - 1);
    this.reassertStuck();
  }

  /** CRC-32/ISCSI of the corrected data bytes (compare with the source after `restore`). */
  dataCrc32(): Result<number, MemoryFault> {
    this.repairRange(0, this.sizeBytes);
    const crc = this.lastReadStatus === 'uncorrectable' ? -1 : getCrc(MEMORY_IMAGE_CRC).compute(this.bytes, 0, this.sizeBytes);
    this.reassertStuck();
    return crc < 0 ? err(this.faultAt(this.lastReadFaultWord)) : ok(crc);
  }

  /** Copies of the raw stored words, errors included (for dumps and containers). */
  exportRaw(): { readonly data: Uint8Array; readonly check: Uint8Array } {
    return { data: this.bytes.slice(), check: this.checks.slice() };
  }

  /** Loads raw stored words, errors included; lengths must match this image's geometry. */
  importRaw(data: Uint8Array, check: Uint8Array): void {
    assert(data.length === this.bytes.length && check.length === this.checks.length, 'importRaw: geometry mismatch');
    this.bytes.set(data);
    this.checks.set(check);
    this.suspect.fill(SUSPECT_MAYBE);
    this.suspectWords = this.wordCount;
    for (let i = 0; i < this.stuckCount; i++) {
      const w = this.stuckWords[i] ?? 0;
      this.suspect[w] = SUSPECT_MAYBE | SUSPECT_STUCK;
    }
    this.reassertStuck();
  }

  statistics(): MemoryImageStatistics {
    return { readCorrected: this.readCorrected, readUncorrectable: this.readUncorrectable, flipsInjected: this.flipsInjected };
  }

  // ---- internals --------------------------------------------------------------------------

  private checkRange(address: number, length: number): void {
    if (!(Number.isSafeInteger(address) && Number.isSafeInteger(length) && address >= 0 && length >= 0 && address + length <= this.sizeBytes)) {
      assert(false, `range ${address}+${length} outside image of ${this.sizeBytes} bytes`);
    }
  }

  /**
   * The 32-bit fast path: `address` is a 4-aligned in-range integer and the code word holding
   * it is clean. Then a 4-byte read is the stored value and a 4-byte write needs no
   * read-modify-write repair (the rest of a 64-bit word is clean). Anything else takes the
   * general path, which behaves identically for these cases.
   */
  private isCleanAligned(address: number): boolean {
    // `address & 3` is 0 only for integers (and NaN, which fails `address >= 0`); the bound keeps it below 2^30.
    if ((address & 3) !== 0 || !(address >= 0) || address + 4 > this.sizeBytes) return false;
    const w = address >>> this.wordShift;
    return this.suspect[w] === 0 || this.verifyClean(w);
  }

  /** A suspect word whose check bits match after all: it is clean again (a word with a stuck cell never is). */
  private verifyClean(w: number): boolean {
    if (((this.suspect[w] ?? 0) & SUSPECT_STUCK) !== 0) return false;
    if (this.checkBitsOfWord(w) !== (this.checks[w] ?? 0)) return false;
    if (this.suspect[w] !== 0) this.suspectWords--;
    this.suspect[w] = 0;
    return true;
  }

  /** Sets `flag` in word `w`'s suspect flags, counting the word if it was known clean. */
  private markSuspect(w: number, flag: number): void {
    const before = this.suspect[w] ?? 0;
    if (before === 0) this.suspectWords++;
    this.suspect[w] = before | flag;
  }

  /** The check bits word `w`'s data should have. */
  private checkBitsOfWord(w: number): number {
    return this.stride === 1 ? checkBits32(this.table, this.halves[w] ?? 0) : checkBits64(this.table, this.halves[2 * w] ?? 0, this.halves[2 * w + 1] ?? 0);
  }

  /**
   * Re-encodes the word holding aligned `address` after a fast-path write; the write status is
   * 'ok'. Only reached for words without a stuck cell (those are never clean), so there is
   * nothing to re-force.
   */
  private reencodeAligned(address: number): void {
    const w = address >>> this.wordShift;
    this.checks[w] = this.checkBitsOfWord(w);
    this.lastReadStatus = 'ok';
    this.lastReadFaultWord = -1;
  }

  /** The aligned 4-byte read of a word not known clean (or with a decoder upset armed). */
  private readAlignedU32Slow(address: number): number {
    this.checkRange(address, 4);
    this.repairRange(address, 4);
    let value = this.halves[address >>> 2] ?? 0;
    if (this.upsetArmed) value = this.upsetU32(value, address);
    this.reassertStuck();
    return value;
  }

  /** Consumes the armed decoder upset on the aligned u32 at `address`: flips the bit if it lies in this half of the word. */
  private upsetU32(value: number, address: number): number {
    const bit = this.upsetBit;
    this.upsetArmed = false;
    const half = (address >>> 2) - (address >>> this.wordShift) * this.stride;
    return (bit >>> 5) === half ? (value ^ (1 << (bit & 31))) >>> 0 : value;
  }

  /** Consumes the armed decoder upset on `out` (bytes address..address+length-1): the first word's bit, if delivered. */
  private upsetBytes(out: Uint8Array, address: number, length: number): void {
    const bit = this.upsetBit;
    this.upsetArmed = false;
    const byte = Math.floor(address / this.wordBytes) * this.wordBytes + (bit >>> 3) - address;
    if (byte >= 0 && byte < length) out[byte] = (out[byte] ?? 0) ^ (1 << (bit & 7));
  }

  private readF32Slow(address: number): number {
    let value: number;
    if (!this.upsetArmed && this.isCleanAligned(address)) {
      this.lastReadStatus = 'ok';
      this.lastReadFaultWord = -1;
      value = this.floats[address >>> 2] ?? Number.NaN;
    } else {
      this.u32Scratch[0] = this.readU32(address);
      value = this.floatScratch[0] ?? Number.NaN;
    }
    if (this.lastReadStatus === 'uncorrectable') this.portFaults++;
    return value;
  }

  private writeF32Slow(address: number, value: number): Result<void, MemoryFault> {
    let written: Result<void, MemoryFault>;
    if (this.isCleanAligned(address)) {
      this.floats[address >>> 2] = value;
      this.reencodeAligned(address);
      written = OK_VOID;
    } else {
      this.floatScratch[0] = value;
      written = this.writeU32(address, this.u32Scratch[0] ?? 0);
    }
    if (!written.ok) this.portFaults++;
    return written;
  }

  private lastWordOf(address: number, length: number): number {
    return Math.floor((address + length - 1) / this.wordBytes);
  }

  /**
   * Corrects every word that overlaps [address, address+length); sets the read status. Stuck
   * cells are not re-forced here: the caller takes the decoded bytes, then calls `reassertStuck`.
   */
  private repairRange(address: number, length: number): void {
    this.lastReadStatus = 'ok';
    this.lastReadFaultWord = -1;
    // Every word known clean: each syndrome is zero (`suspect`), so there is nothing to find.
    if (length === 0 || this.suspectWords === 0) return;
    const first = Math.floor(address / this.wordBytes);
    const last = this.lastWordOf(address, length);
    for (let w = this.findDirtyWord(first, last + 1); w <= last; w = this.findDirtyWord(w + 1, last + 1)) {
      this.countRead(this.decodeWriteBack(w, this.outcome), w);
    }
  }

  private countRead(outcome: DecodeOutcome, word: number): void {
    if (outcome.kind === 'uncorrectable') {
      this.readUncorrectable++;
      if (this.lastReadFaultWord < 0) this.lastReadFaultWord = word;
      this.lastReadStatus = 'uncorrectable';
    } else if (outcome.kind !== 'clean') {
      this.readCorrected++;
      if (this.lastReadStatus === 'ok') this.lastReadStatus = 'corrected';
    }
  }

  /** Corrects the (at most two) partly covered edge words; returns the first uncorrectable one. */
  private prepareEdges(address: number, length: number): MemoryFault | null {
    const first = Math.floor(address / this.wordBytes);
    const last = this.lastWordOf(address, length);
    const headPartial = address % this.wordBytes !== 0;
    const tailPartial = (address + length) % this.wordBytes !== 0 && !(headPartial && last === first);
    this.lastReadStatus = 'ok';
    this.lastReadFaultWord = -1;
    if (headPartial && this.syndromeOf(first) !== 0) this.countRead(this.decodeWriteBack(first, this.outcome), first);
    if (tailPartial && this.syndromeOf(last) !== 0) this.countRead(this.decodeWriteBack(last, this.outcome), last);
    return this.lastReadFaultWord >= 0 ? this.faultAt(this.lastReadFaultWord) : null;
  }

  private encodeWords(first: number, last: number): void {
    for (let w = first; w <= last; w++) this.checks[w] = this.checkBitsOfWord(w);
  }

  private checkCell(word: number, bit: number): void {
    if (!(Number.isSafeInteger(word) && word >= 0 && word < this.wordCount)) assert(false, `word ${word} out of range 0..${this.wordCount - 1}`);
    if (!(Number.isInteger(bit) && bit >= 0 && bit < this.code.codeBits)) assert(false, `bit ${bit} out of range 0..${this.code.codeBits - 1}`);
  }

  /** Inverts code-word bit `bit` of word `word` (no bookkeeping). */
  private toggleCell(word: number, bit: number): void {
    const dataBits = this.code.dataBits;
    if (bit < dataBits) {
      const index = word * this.stride + (bit >>> 5);
      this.halves[index] = ((this.halves[index] ?? 0) ^ (1 << (bit & 31))) >>> 0;
    } else {
      this.checks[word] = (this.checks[word] ?? 0) ^ (1 << (bit - dataBits));
    }
  }

  /** Sets code-word bit `bit` of word `word` to `value` (no bookkeeping). */
  private forceCell(word: number, bit: number, value: number): void {
    const dataBits = this.code.dataBits;
    if (bit < dataBits) {
      const index = word * this.stride + (bit >>> 5);
      const mask = 1 << (bit & 31);
      const half = this.halves[index] ?? 0;
      this.halves[index] = (value === 1 ? half | mask : half & ~mask) >>> 0;
    } else {
      const mask = 1 << (bit - dataBits);
      const check = this.checks[word] ?? 0;
      this.checks[word] = value === 1 ? check | mask : check & ~mask;
    }
  }

  /** Forces every stuck cell to its value again (after a mutation); idempotent, a no-op when none is stuck. */
  private reassertStuck(): void {
    // Bounded: stuckCount <= STUCK_BITS_MAX.
    for (let i = 0; i < this.stuckCount; i++) this.forceCell(this.stuckWords[i] ?? 0, this.stuckBits[i] ?? 0, this.stuckValues[i] ?? 0);
  }

  /** The stuck-table entry of cell (word, bit), or -1. */
  private stuckIndexOf(word: number, bit: number): number {
    for (let i = 0; i < this.stuckCount; i++) if (this.stuckWords[i] === word && this.stuckBits[i] === bit) return i;
    return -1;
  }

  private faultAt(word: number): MemoryFault {
    return { code: 'uncorrectable', word, address: this.addressOf(word), syndrome: this.syndromeOf(word) };
  }
}
