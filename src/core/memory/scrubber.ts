/**
 * The background scrubber: walks a MemoryImage in bounded steps (a budget of words per call),
 * writes corrected words back, records uncorrectable words and keeps going.
 *
 * Guarantee (docs/INTEGRITY.md): a word hit by at most one upset between two visits is always
 * restored; a word hit twice between visits is detected (never miscorrected) and recorded;
 * three or more hits in one word may be miscorrected. One full pass takes
 * ceil(wordCount / wordBudget) steps.
 *
 * Clean words take the fast path (`MemoryImage.findDirtyWord`: table-lookup syndrome and a
 * compare); only a word with a non-zero syndrome is decoded. No allocation per step except a
 * new record for a newly seen uncorrectable word (bounded by `uncorrectableRecordsMax`).
 */
import { assert } from '../assert.js';
import { newDecodeOutcome, type DecodeOutcome } from '../integrity/secded.js';
import type { MemoryImage } from './memory-image.js';

export const UNCORRECTABLE_RECORDS_MAX_DEFAULT = 64;

export interface UncorrectableRecord {
  readonly word: number;
  readonly address: number;
  readonly syndrome: number;
  /** Step time (µs) when this word was first found uncorrectable with this syndrome. */
  readonly detectedMicros: number;
}

/** What one step did. The object is owned by the scrubber and overwritten by the next step. */
export interface ScrubStepReport {
  wordsScanned: number;
  corrected: number;
  uncorrectable: number;
  /** True when a full pass ended during this step. */
  passCompleted: boolean;
  /** The word the next step starts at. */
  cursor: number;
}

export interface ScrubStatistics {
  readonly wordsScanned: number;
  /** Words corrected and written back (data-bit and check-bit errors together). */
  readonly corrected: number;
  readonly correctedData: number;
  readonly correctedCheck: number;
  /** Every detection of an uncorrectable word (the same word counts once per pass it is seen in). */
  readonly uncorrectableEvents: number;
  /** Distinct (word, syndrome) records, oldest first, at most `uncorrectableRecordsMax`. */
  readonly uncorrectable: readonly UncorrectableRecord[];
  /** Records not kept because the list was full. */
  readonly uncorrectableDropped: number;
  readonly fullPasses: number;
  /** Duration of the last full pass on the step clock (µs), or null before the first pass ends. */
  readonly lastPassMicros: number | null;
}

export interface ScrubberOptions {
  readonly uncorrectableRecordsMax?: number;
}

export class Scrubber {
  private readonly outcome: DecodeOutcome = newDecodeOutcome();
  private readonly report: ScrubStepReport = { wordsScanned: 0, corrected: 0, uncorrectable: 0, passCompleted: false, cursor: 0 };
  private readonly records: UncorrectableRecord[] = [];
  /** Keys (word·256 + syndrome) of `records`, for O(1) de-duplication. */
  private readonly recordKeys = new Set<number>();
  private readonly recordsMax: number;
  private cursor = 0;
  private passStartMicros = -1;
  private lastNowMicros = 0;
  private wordsScanned = 0;
  private correctedData = 0;
  private correctedCheck = 0;
  private uncorrectableEvents = 0;
  private uncorrectableDropped = 0;
  private fullPasses = 0;
  private lastPassMicros: number | null = null;

  constructor(private readonly image: MemoryImage, options: ScrubberOptions = {}) {
    this.recordsMax = options.uncorrectableRecordsMax ?? UNCORRECTABLE_RECORDS_MAX_DEFAULT;
    assert(Number.isSafeInteger(this.recordsMax) && this.recordsMax >= 0, 'uncorrectableRecordsMax must be a non-negative integer');
  }

  /**
   * Scrubs up to `wordBudget` words (never more than one whole image per step) starting where
   * the last step stopped, wrapping to word 0 after the last word. `nowMicros` is the
   * monotonic time of this step; a pass's duration is measured between the steps that begin
   * and end it.
   */
  step(nowMicros: number, wordBudget: number): Readonly<ScrubStepReport> {
    if (!(Number.isSafeInteger(nowMicros) && nowMicros >= this.lastNowMicros)) assert(false, `scrub time must not go backwards (${this.lastNowMicros} → ${nowMicros})`);
    if (!(Number.isSafeInteger(wordBudget) && wordBudget >= 0)) assert(false, `word budget must be a non-negative integer, got ${wordBudget}`);
    this.lastNowMicros = nowMicros;
    const r = this.report;
    r.wordsScanned = 0;
    r.corrected = 0;
    r.uncorrectable = 0;
    r.passCompleted = false;
    const total = this.image.wordCount;
    let remaining = Math.min(wordBudget, total);
    // Bounded: each iteration consumes at least one word of `remaining` (≤ wordCount).
    while (remaining > 0) {
      if (this.cursor === 0) this.passStartMicros = nowMicros;
      const end = Math.min(total, this.cursor + remaining);
      this.scanChunk(this.cursor, end, nowMicros);
      remaining -= end - this.cursor;
      r.wordsScanned += end - this.cursor;
      this.cursor = end === total ? 0 : end;
      if (end === total) this.endPass(nowMicros);
    }
    this.wordsScanned += r.wordsScanned;
    r.cursor = this.cursor;
    return r;
  }

  statistics(): ScrubStatistics {
    return {
      wordsScanned: this.wordsScanned,
      corrected: this.correctedData + this.correctedCheck,
      correctedData: this.correctedData,
      correctedCheck: this.correctedCheck,
      uncorrectableEvents: this.uncorrectableEvents,
      uncorrectable: this.records.slice(),
      uncorrectableDropped: this.uncorrectableDropped,
      fullPasses: this.fullPasses,
      lastPassMicros: this.lastPassMicros,
    };
  }

  private scanChunk(from: number, to: number, nowMicros: number): void {
    const image = this.image;
    for (let w = image.findDirtyWord(from, to); w < to; w = image.findDirtyWord(w + 1, to)) {
      const outcome = image.repairWord(w, this.outcome);
      switch (outcome.kind) {
        case 'corrected-data':
          this.correctedData++;
          this.report.corrected++;
          break;
        case 'corrected-check':
          this.correctedCheck++;
          this.report.corrected++;
          break;
        case 'uncorrectable':
          this.recordUncorrectable(w, outcome.syndrome, nowMicros);
          break;
        case 'clean':
          assert(false, 'findDirtyWord returned a clean word');
      }
    }
  }

  private recordUncorrectable(word: number, syndrome: number, nowMicros: number): void {
    this.uncorrectableEvents++;
    this.report.uncorrectable++;
    const key = word * 256 + syndrome;
    if (this.recordKeys.has(key)) return;
    if (this.records.length >= this.recordsMax) {
      this.uncorrectableDropped++;
      return;
    }
    this.recordKeys.add(key);
    this.records.push({ word, address: this.image.addressOf(word), syndrome, detectedMicros: nowMicros });
  }

  private endPass(nowMicros: number): void {
    assert(this.passStartMicros >= 0, 'a pass ended that never started');
    this.fullPasses++;
    this.lastPassMicros = nowMicros - this.passStartMicros;
    this.report.passCompleted = true;
  }
}
