/**
 * "Did you mean" for the console: optimal-string-alignment distance (Levenshtein plus
 * adjacent transpositions, so `stauts` is one edit from `status`). Inputs are bounded by the
 * caller; the work is O(|a|·|b|) with |a|, |b| ≤ WORD_CHARS_MAX.
 */
import { assert } from '../core/assert.js';

export const WORD_CHARS_MAX = 64;

export function editDistance(a: string, b: string): number {
  assert(a.length <= WORD_CHARS_MAX && b.length <= WORD_CHARS_MAX, 'editDistance on an unbounded word');
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[(i - 1) * cols + j] ?? 0) + 1, (d[i * cols + j - 1] ?? 0) + 1, (d[(i - 1) * cols + j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[(i - 2) * cols + j - 2] ?? 0) + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1] ?? 0;
}

/**
 * The closest candidate to `word` (case-insensitive), if it is close enough to be a typo:
 * at most 1 edit for words up to 4 letters, 2 up to 8, 3 beyond; a candidate that starts with
 * the word (an abbreviation) also counts. Undefined when nothing is close.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase().slice(0, WORD_CHARS_MAX);
  if (w.length === 0) return undefined;
  const limit = w.length <= 4 ? 1 : w.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase().slice(0, WORD_CHARS_MAX);
    const distance = c.startsWith(w) ? 0.5 : editDistance(w, c);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
