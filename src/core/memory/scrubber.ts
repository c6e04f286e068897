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
 *
 * Hard errors: a word the scrubber corrects in two consecutive passes is taken to have a stuck
 * cell (a transient upset, once corrected, stays corrected). The detector keeps two small fixed
 * lists (the words corrected in the last pass and in this one, HARD_ERROR_CANDIDATES_MAX each)
 * and the distinct words flagged (HARD_ERROR_WORDS_MAX): no per-word storage, so it costs
 * nothing on clean words and stays small for any image size, and nothing is allocated per step.
 *
 * `upsetCursor` models an upset of the scrubber's own address counter.
 */
import { assert } from '../assert.js';
import { newDecodeOutcome, type DecodeOutcome } from '../integrity/secded.js';
import type { MemoryImage } from './memory-image.js';

export const UNCORRECTABLE_RECORDS_MAX_DEFAULT = 64;

/** Words corrected in one pass that the hard-error detector remembers; more in one pass go unwatched. */
export const HARD_ERROR_CANDIDATES_MAX = 64;

/** Distinct hard-error words kept; `hardErrorWords` stops counting here. */
export const HARD_ERROR_WORDS_MAX = 64;

/** Highest cursor bit `upsetCursor` flips: the counter is a non-negative 31-bit value. */
export const CURSOR_UPSET_BIT_MAX = 30;

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
  /**
   * Distinct words corrected in two consecutive passes (a stuck cell, not a transient upset),
   * at most HARD_ERROR_WORDS_MAX. Only the first HARD_ERROR_CANDIDATES_MAX words corrected in a
   * pass are watched, so an error storm can hide hard errors; it never invents one.
   */
  readonly hardErrorWords: number;
  /** Those words, in the order they were flagged. */
  readonly hardErrorWordList: readonly number[];
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
  /** Words corrected in the previous pass (first `lastPassCount` entries). */
  private correctedLastPass = new Int32Array(HARD_ERROR_CANDIDATES_MAX);
  private lastPassCount = 0;
  /** Words corrected in the pass under way (first `thisPassCount` entries, distinct). */
  private correctedThisPass = new Int32Array(HARD_ERROR_CANDIDATES_MAX);
  private thisPassCount = 0;
  /** Distinct words flagged as hard errors (first `hardCount` entries). */
  private readonly hardWords = new Int32Array(HARD_ERROR_WORDS_MAX);
  private hardCount = 0;

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
      // A pass starts at word 0, or wherever the first pass starts after an `upsetCursor` before any step.
      if (this.cursor === 0 || this.passStartMicros < 0) this.passStartMicros = nowMicros;
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
      hardErrorWords: this.hardCount,
      hardErrorWordList: Array.from(this.hardWords.subarray(0, this.hardCount)),
    };
  }

  /**
   * A single-event upset in the scrubber's address counter: XORs bit `bit` (0..30) into the
   * cursor, reduced modulo the image's word count as the hardware counter wraps. The scrubber
   * carries on from the wrong word: words skipped are not visited until the next pass (a
   * coverage gap), words repeated are scanned twice; every access stays in range. The pass that
   * was under way ends at the last word as usual, so its `fullPasses` count and duration cover
   * fewer or more words than a whole image.
   */
  upsetCursor(bit: number): void {
    if (!(Number.isInteger(bit) && bit >= 0 && bit <= CURSOR_UPSET_BIT_MAX)) assert(false, `upsetCursor: bit ${bit} out of range 0..${CURSOR_UPSET_BIT_MAX}`);
    const total = this.image.wordCount;
    this.cursor = total === 0 ? 0 : ((this.cursor ^ (1 << bit)) >>> 0) % total;
    assert(this.cursor >= 0 && (this.cursor < total || total === 0), 'upset cursor stays in range');
  }

  private scanChunk(from: number, to: number, nowMicros: number): void {
    const image = this.image;
    for (let w = image.findDirtyWord(from, to); w < to; w = image.findDirtyWord(w + 1, to)) {
      const outcome = image.repairWord(w, this.outcome);
      switch (outcome.kind) {
        case 'corrected-data':
          this.correctedData++;
          this.report.corrected++;
          this.noteCorrected(w);
          break;
        case 'corrected-check':
          this.correctedCheck++;
          this.report.corrected++;
          this.noteCorrected(w);
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

  /** Hard-error bookkeeping for a word just corrected: flag it if the last pass corrected it too. */
  private noteCorrected(word: number): void {
    if (!contains(this.correctedThisPass, this.thisPassCount, word) && this.thisPassCount < HARD_ERROR_CANDIDATES_MAX) {
      this.correctedThisPass[this.thisPassCount++] = word;
    }
    if (!contains(this.correctedLastPass, this.lastPassCount, word)) return;
    if (contains(this.hardWords, this.hardCount, word) || this.hardCount >= HARD_ERROR_WORDS_MAX) return;
    this.hardWords[this.hardCount++] = word;
  }

  private endPass(nowMicros: number): void {
    assert(this.passStartMicros >= 0, 'a pass ended that never started');
    this.fullPasses++;
    this.lastPassMicros = nowMicros - this.passStartMicros;
    this.report.passCompleted = true;
    // This pass's corrections become the last pass's; the old list is reused (no allocation).
    const last = this.correctedLastPass;
    this.correctedLastPass = this.correctedThisPass;
    this.lastPassCount = this.thisPassCount;
    this.correctedThisPass = last;
    this.thisPassCount = 0;
    assert(this.lastPassCount <= HARD_ERROR_CANDIDATES_MAX, 'hard-error candidates bounded');
  }
}

/** True if `list[0..count)` holds `value` (a bounded linear search: count <= 64). */
function contains(list: Int32Array, count: number, value: number): boolean {
  for (let i = 0; i < count; i++) if (list[i] === value) return true;
  return false;
}
