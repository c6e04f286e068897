/**
 * The vote of the control state a returning channel receives (docs/REDUNDANCY.md, "Channel
 * health and reintegration"). Pure: given the corrected memory images of the source channels
 * (`MemoryImage.snapshot()`), it returns the voted image and its CRC-32/ISCSI
 * (`MEMORY_IMAGE_CRC`), the CRC the receiving channel must find over what it installed.
 *
 * The image is voted word by word (32 bits, little-endian, the data word of one SEC-DED code
 * word), in two classes given by a layout:
 *
 * - **Exact words** (configuration: magic, version, gains, limits, effectiveness and allocation,
 *   and the setpoint, which every channel writes from the same schedule): every healthy channel
 *   holds them bit for bit, so they are voted by exact majority — 3 or more sources: the value
 *   held by more than half of them (none: no transfer); 2 sources: the value both hold — if they
 *   differ, the receiver's own word breaks the tie when it equals one of them (its
 *   configuration comes from its own configured gains at a cold restart: two of three), else no
 *   transfer; 1 source: its value. A latent error
 *   here (a miscorrected 3-bit upset, a wild write the ECC encoded faithfully) never fails a
 *   check of its own and is never rewritten by the law, so this is where one source must not
 *   decide.
 * - **Law-state words** (float32: rate integrators, previous rate, derivative filter, attitude
 *   quaternion, gyro-bias estimate — what the law writes each step): healthy channels hold
 *   slightly different values by construction (frame misalignment, restarts, integrator
 *   equalisation: two healthy peers differed in 12–15 of these 16 words at the first
 *   reintegrations of default-profile flights), so an exact vote would refuse nearly every transfer. They are voted by value:
 *   3 or more finite values → mid-value select (`midValueSelect`: the median of 3, the mean of
 *   the middle two of 4, rounded to float32), which equals the word-wise majority wherever a
 *   majority holds the same bits and masks one wild value otherwise; 1 or 2 → the first
 *   source's (the caller lists the healthiest first), since two values cannot show which is
 *   right. A non-finite value never votes; fewer finite values than a majority of the sources
 *   refuses the transfer. An error in this state drives the channel's command in the next cycle,
 *   where the actuator voter sees it, and the returning channel is checked in probation.
 *
 * Word-wise rather than bitwise majority for the exact words: the result is always a value a
 * majority of channels actually held (the outvoted source can be named), a split vote is
 * refused instead of being resolved into a word no channel held, and it is the granularity of the
 * faults the vote is for (an upset or a miscorrection corrupts one code word of one channel).
 * Bitwise majority would also mask two sources wrong in different bits of the same word, a
 * double fault this design leaves to the retry. Allocates the result (once per transfer, not per
 * cycle).
 */
import { assert } from '../assert.js';
import { MEMORY_SLOT, MEMORY_SLOT_COUNT, MEMORY_SLOT_WIDTH } from '../control/state.js';
import { getCrc } from '../integrity/crc-catalogue.js';
import { MEMORY_IMAGE_CRC } from '../memory/memory-image.js';
import { err, ok, type Result } from '../result.js';
import { midValueSelect, SELECT_COUNT_MAX } from '../vote/select.js';

/** Which 32-bit words of an image are law state (1, voted by value) and which exact (0). */
export interface StateVoteLayout {
  /** One entry per 32-bit word; words beyond its length are exact. */
  readonly lawStateWords: Uint8Array;
}

/** The slot groups the control law writes every step (src/core/control/law.ts). */
export const LAW_STATE_SLOT_GROUPS = ['integrator', 'previousRate', 'derivativeFiltered', 'estimateQuaternion', 'estimateGyroBias'] as const;

/** The layout of the channels' control memory (MEMORY_SLOT at base 0, one float32 per word). */
export const CONTROL_STATE_VOTE_LAYOUT: StateVoteLayout = Object.freeze({ lawStateWords: controlLawStateWords() });

function controlLawStateWords(): Uint8Array {
  const words = new Uint8Array(MEMORY_SLOT_COUNT);
  for (const group of LAW_STATE_SLOT_GROUPS) words.fill(1, MEMORY_SLOT[group], MEMORY_SLOT[group] + MEMORY_SLOT_WIDTH[group]);
  return words;
}

/** The image a returning channel installs, and what it must verify. */
export interface VotedState {
  readonly image: Uint8Array;
  /** CRC-32/ISCSI (MEMORY_IMAGE_CRC) of `image`: the receiver computes it over what it installed and compares. */
  readonly crc: number;
  readonly sourceCount: number;
  /** Per source, in input order: the exact words on which it was outvoted (a latent error in it). */
  readonly outvotedWords: readonly number[];
}

export type StateVoteError =
  | { readonly code: 'no_source' }
  /** No majority on an exact word (or too few finite values of a law-state word): no transfer this time. */
  | { readonly code: 'sources_disagree'; readonly word: number; readonly wordKind: 'exact' | 'law_state'; readonly disagreeingWords: number };

/** Most sources a vote takes: the peers of a quadruplex (the target is never a source). */
export const STATE_VOTE_SOURCES_MAX = SELECT_COUNT_MAX;

/**
 * Votes `sources` (equal-length corrected images, healthiest first) into one image with its
 * CRC. See the module comment for the rules.
 */
export function voteStateImages(sources: readonly Uint8Array[], layout: StateVoteLayout = CONTROL_STATE_VOTE_LAYOUT, own?: Uint8Array): Result<VotedState, StateVoteError> {
  const n = sources.length;
  if (n === 0) return err({ code: 'no_source' });
  assert(n <= STATE_VOTE_SOURCES_MAX, `voteStateImages: at most ${STATE_VOTE_SOURCES_MAX} sources`);
  const lengthBytes = sources[0]?.length ?? 0;
  assert(sources.every((s) => s.length === lengthBytes), 'voteStateImages: sources differ in length');
  const wordCount = Math.ceil(lengthBytes / 4);
  const padded = sources.map((s) => wordsOf(s, wordCount));
  assert(own === undefined || own.length === lengthBytes, 'voteStateImages: own image differs in length');
  const ownWords = own === undefined ? undefined : wordsOf(own, wordCount);
  const scratch = new DataView(new ArrayBuffer(4));
  const voted = new Uint8Array(wordCount * 4);
  const out = new DataView(voted.buffer);
  const outvoted = new Array<number>(n).fill(0);
  const values = new Uint32Array(n);
  const floats = new Float64Array(SELECT_COUNT_MAX);
  let firstBad = -1;
  let badKind: 'exact' | 'law_state' = 'exact';
  let bad = 0;
  for (let w = 0; w < wordCount; w++) {
    for (let s = 0; s < n; s++) values[s] = padded[s]?.getUint32(4 * w, true) ?? 0;
    const law = (layout.lawStateWords[w] ?? 0) === 1;
    const word = law ? lawStateVote(values, n, floats, scratch) : exactVote(values, n) ?? tieBreak(values, n, ownWords?.getUint32(4 * w, true));
    if (word === undefined) {
      if (firstBad < 0) {
        firstBad = w;
        badKind = law ? 'law_state' : 'exact';
      }
      bad++;
      continue;
    }
    out.setUint32(4 * w, word, true);
    if (!law) for (let s = 0; s < n; s++) if (values[s] !== word) outvoted[s] = (outvoted[s] ?? 0) + 1;
  }
  if (bad > 0) return err({ code: 'sources_disagree', word: firstBad, wordKind: badKind, disagreeingWords: bad });
  const image = voted.slice(0, lengthBytes);
  return ok({ image, crc: getCrc(MEMORY_IMAGE_CRC).compute(image, 0, lengthBytes), sourceCount: n, outvotedWords: outvoted });
}

/** The source as whole little-endian words (a trailing partial word zero-padded, the same in every source). */
function wordsOf(source: Uint8Array, wordCount: number): DataView {
  if (source.length === wordCount * 4) return new DataView(source.buffer, source.byteOffset, source.byteLength);
  const copy = new Uint8Array(wordCount * 4);
  copy.set(source);
  return new DataView(copy.buffer);
}

/**
 * Two sources that disagree on an exact word, and the receiver's own word (its configuration,
 * written from its own configured gains at a cold restart, scrubbed while it was out) equal to
 * one of them: that one is two of three. Undefined otherwise (no transfer this time).
 */
function tieBreak(values: Uint32Array, n: number, own: number | undefined): number | undefined {
  if (n !== 2 || own === undefined) return undefined;
  return own === values[0] || own === values[1] ? own : undefined;
}

/** The value more than half of the n sources hold; 2 sources must agree; undefined: no majority. */
function exactVote(values: Uint32Array, n: number): number | undefined {
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? 0;
    let count = 0;
    for (let j = 0; j < n; j++) if (values[j] === v) count++;
    if (2 * count > n) return v;
  }
  return undefined;
}

/** The float32 whose bits are `bits` (through the caller's 4-byte scratch: no module-level state). */
function f32Of(scratch: DataView, bits: number): number {
  scratch.setUint32(0, bits, true);
  return scratch.getFloat32(0, true);
}

function bitsOf(scratch: DataView, value: number): number {
  scratch.setFloat32(0, value, true);
  return scratch.getUint32(0, true);
}

/**
 * A law-state word: mid-value select of 3+ finite values, else the first finite one; undefined
 * when fewer than a majority of the n sources hold a finite value.
 */
function lawStateVote(values: Uint32Array, n: number, floats: Float64Array, scratch: DataView): number | undefined {
  let m = 0;
  let first = -1;
  for (let s = 0; s < n; s++) {
    const f = f32Of(scratch, values[s] ?? 0);
    if (!Number.isFinite(f)) continue;
    if (first < 0) first = s;
    floats[m++] = f;
  }
  if (2 * m <= n || first < 0) return undefined;
  if (m < 3) return values[first] ?? 0;
  const mid = Math.fround(midValueSelect(floats, m));
  // The median of 3 is one of the sources' values: keep that source's exact bits (e.g. −0).
  for (let s = 0; s < n; s++) if (f32Of(scratch, values[s] ?? 0) === mid) return values[s] ?? 0;
  return bitsOf(scratch, mid);
}
