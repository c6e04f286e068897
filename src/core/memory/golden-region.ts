/**
 * A read-only region (code, tables) of a MemoryImage guarded by golden CRCs and repaired from a
 * golden copy — the idea of NASA cFS's Checksum (CS) application, which checks tables and code
 * in the background a bounded number of bytes per cycle, except that this one also repairs.
 *
 * The region is cut into blocks (default 256 bytes). At construction every block's
 * CRC-32/ISCSI is computed from the golden copy, plus one CRC over the whole region. Each
 * `step` checks a bounded number of blocks: it reads the block through the image (the ECC
 * corrects single-bit errors on the way), and if the read is uncorrectable or the CRC differs
 * (a miscorrected ≥3-bit upset, or a wild write that the ECC encoded faithfully) the block is
 * rewritten from the golden copy — after checking the golden block against its own CRC, so a
 * damaged golden copy is reported and never copied in.
 *
 * The golden copy is the caller's array (it stands for flash/ROM); the region does not copy it.
 * Address and length must be multiples of the image's word size, so a repair always rewrites
 * whole words (no read-modify-write of a word that might be uncorrectable).
 */
import { assert } from '../assert.js';
import { getCrc } from '../integrity/crc-catalogue.js';
import type { Crc } from '../integrity/crc.js';
import type { MemoryImage } from './memory-image.js';

export const GOLDEN_CRC = 'CRC-32/ISCSI';
export const GOLDEN_BLOCK_BYTES_DEFAULT = 256;

export interface GoldenRegionOptions {
  /** Byte address of the region in the image (a multiple of the word size). */
  readonly address: number;
  /** The golden copy; its length is the region length (a multiple of the word size). */
  readonly golden: Uint8Array;
  /** Bytes per checked block (a multiple of the word size). */
  readonly blockBytes?: number;
}

/** What one step did; owned by the region and overwritten by the next step. */
export interface GoldenStepReport {
  blocksChecked: number;
  mismatches: number;
  repaired: number;
  passCompleted: boolean;
}

export interface GoldenStatistics {
  readonly blocksChecked: number;
  /** Blocks found bad (CRC mismatch or uncorrectable ECC read). */
  readonly mismatches: number;
  /** Of those, the ones whose read was uncorrectable by the ECC. */
  readonly uncorrectableReads: number;
  readonly repaired: number;
  /** Bad blocks not repaired because the golden block itself failed its CRC. */
  readonly goldenCorrupt: number;
  readonly fullPasses: number;
  readonly lastPassMicros: number | null;
}

export class GoldenRegion {
  readonly address: number;
  readonly lengthBytes: number;
  readonly blockBytes: number;
  readonly blockCount: number;
  /** CRC-32/ISCSI of the whole golden region. */
  readonly goldenCrc: number;
  private readonly golden: Uint8Array;
  private readonly blockCrcs: Uint32Array;
  private readonly crc: Crc = getCrc(GOLDEN_CRC);
  private readonly scratch: Uint8Array;
  private readonly report: GoldenStepReport = { blocksChecked: 0, mismatches: 0, repaired: 0, passCompleted: false };
  private cursor = 0;
  private passStartMicros = -1;
  private lastNowMicros = 0;
  private blocksChecked = 0;
  private mismatches = 0;
  private uncorrectableReads = 0;
  private repaired = 0;
  private goldenCorrupt = 0;
  private fullPasses = 0;
  private lastPassMicros: number | null = null;

  constructor(private readonly image: MemoryImage, options: GoldenRegionOptions) {
    const wordBytes = image.wordBytes;
    this.address = options.address;
    this.golden = options.golden;
    this.lengthBytes = options.golden.length;
    this.blockBytes = options.blockBytes ?? GOLDEN_BLOCK_BYTES_DEFAULT;
    assert(Number.isSafeInteger(this.address) && this.address >= 0 && this.address % wordBytes === 0, `region address must be a multiple of ${wordBytes}`);
    assert(this.lengthBytes > 0 && this.lengthBytes % wordBytes === 0, `region length must be a positive multiple of ${wordBytes}`);
    assert(this.address + this.lengthBytes <= image.sizeBytes, 'region must lie inside the image');
    assert(Number.isSafeInteger(this.blockBytes) && this.blockBytes > 0 && this.blockBytes % wordBytes === 0, `block size must be a positive multiple of ${wordBytes}`);
    this.blockCount = Math.ceil(this.lengthBytes / this.blockBytes);
    this.blockCrcs = new Uint32Array(this.blockCount);
    for (let b = 0; b < this.blockCount; b++) this.blockCrcs[b] = this.crc.compute(this.golden, b * this.blockBytes, this.blockLength(b));
    this.goldenCrc = this.crc.compute(this.golden);
    this.scratch = new Uint8Array(this.blockBytes);
  }

  /** Copies the golden copy into the image (boot-time load). */
  install(): void {
    const written = this.image.write(this.address, this.golden);
    assert(written.ok, 'whole-word write cannot fail');
  }

  /** Checks up to `blockBudget` blocks (at most one pass per step), repairing bad ones. */
  step(nowMicros: number, blockBudget: number): Readonly<GoldenStepReport> {
    assert(Number.isSafeInteger(nowMicros) && nowMicros >= this.lastNowMicros, 'golden-region time must not go backwards');
    assert(Number.isSafeInteger(blockBudget) && blockBudget >= 0, 'block budget must be a non-negative integer');
    this.lastNowMicros = nowMicros;
    const r = this.report;
    const checkedBefore = this.blocksChecked;
    const mismatchesBefore = this.mismatches;
    const repairedBefore = this.repaired;
    r.passCompleted = false;
    const count = Math.min(blockBudget, this.blockCount);
    for (let i = 0; i < count; i++) {
      if (this.cursor === 0) this.passStartMicros = nowMicros;
      this.checkBlock(this.cursor);
      this.cursor++;
      if (this.cursor === this.blockCount) this.endPass(nowMicros);
    }
    r.blocksChecked = this.blocksChecked - checkedBefore;
    r.mismatches = this.mismatches - mismatchesBefore;
    r.repaired = this.repaired - repairedBefore;
    return r;
  }

  /** Checks (and repairs) every block now; true when the region matched its golden CRC afterwards. */
  verifyAll(): boolean {
    for (let b = 0; b < this.blockCount; b++) this.checkBlock(b);
    const read = this.image.readChecked(this.address, this.lengthBytes);
    return read.ok && this.crc.compute(read.value) === this.goldenCrc;
  }

  statistics(): GoldenStatistics {
    return {
      blocksChecked: this.blocksChecked,
      mismatches: this.mismatches,
      uncorrectableReads: this.uncorrectableReads,
      repaired: this.repaired,
      goldenCorrupt: this.goldenCorrupt,
      fullPasses: this.fullPasses,
      lastPassMicros: this.lastPassMicros,
    };
  }

  private blockLength(block: number): number {
    return Math.min(this.blockBytes, this.lengthBytes - block * this.blockBytes);
  }

  private checkBlock(block: number): void {
    const length = this.blockLength(block);
    const offset = block * this.blockBytes;
    this.image.read(this.address + offset, length, this.scratch);
    const uncorrectable = this.image.lastReadStatus === 'uncorrectable';
    this.blocksChecked++;
    if (!uncorrectable && this.crc.compute(this.scratch, 0, length) === this.blockCrcs[block]) return;
    this.mismatches++;
    if (uncorrectable) this.uncorrectableReads++;
    if (this.crc.compute(this.golden, offset, length) !== this.blockCrcs[block]) {
      this.goldenCorrupt++;
      return;
    }
    const written = this.image.write(this.address + offset, this.golden.subarray(offset, offset + length));
    assert(written.ok, 'whole-word write cannot fail');
    this.repaired++;
  }

  private endPass(nowMicros: number): void {
    this.cursor = 0;
    this.fullPasses++;
    this.lastPassMicros = nowMicros - this.passStartMicros;
    this.report.passCompleted = true;
  }
}
