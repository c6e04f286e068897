/**
 * The outcome taxonomy (docs/FLIGHT.md, "Outcomes"): what the oracle (src/sim/oracle.ts) says
 * became of a fault, judged against the flight's golden twin. From least to most severe:
 *
 *   masked           outputs as the twin's (within tolerance), no mechanism acted
 *   recovered        a mechanism acted, outputs within tolerance, full redundancy by the end
 *   degraded         outputs within tolerance, a channel not back in the vote at the end
 *   detected-unsafe  outputs or vehicle left the tolerance or the envelope, announced by an alarm
 *   hang             a channel the fault stopped was never isolated nor restarted
 *   sdc              outputs left the tolerance with no alarm at or before the deviation
 *
 * The first wave's results files used the mechanisms' fates (masked, corrected, isolated,
 * failSafe, sdc, hang); `outcomeFromText` reads them too, mapped as LEGACY_OUTCOMES says.
 */

/**
 * Version of the oracle's rules; results files carry it, and a file judged by another version is
 * not resumed. 1: the first wave's mechanism fates; 2: the golden twin (issue 12); 3: a lost
 * channel is blamed on its own permanent fault first (issue 13); 4: a word the ECC miscorrected
 * (a `word-mbu` that comes back clean with other data) is no correction, and its channel's
 * isolation is the fault's, not a false isolation (issue 15's review of issue 14's campaign).
 */
export const ORACLE_VERSION = 4;

export const OUTCOME_CLASSES = ['masked', 'recovered', 'degraded', 'detected-unsafe', 'sdc', 'hang'] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];

const SEVERITY: Readonly<Record<OutcomeClass, number>> = { masked: 0, recovered: 1, degraded: 2, 'detected-unsafe': 3, hang: 4, sdc: 5 };

/**
 * Old fate names (oracle version 1) → outcome. Lossy where the old file did not record enough:
 * an old `isolated` row did not say whether the channel came back, so it reads as `recovered`;
 * an old `failSafe` is a detected loss of control, `detected-unsafe`.
 */
export const LEGACY_OUTCOMES: Readonly<Record<string, OutcomeClass>> = {
  masked: 'masked', corrected: 'recovered', isolated: 'recovered', failSafe: 'detected-unsafe', sdc: 'sdc', hang: 'hang',
};

export function isOutcomeClass(text: unknown): text is OutcomeClass {
  return typeof text === 'string' && (OUTCOME_CLASSES as readonly string[]).includes(text);
}

/** An outcome name as written in a results file, current or legacy; undefined when it is neither. */
export function outcomeFromText(text: unknown): OutcomeClass | undefined {
  if (isOutcomeClass(text)) return text;
  return typeof text === 'string' && Object.hasOwn(LEGACY_OUTCOMES, text) ? LEGACY_OUTCOMES[text] : undefined;
}

/** The more severe of two outcomes. */
export function worstOutcome(a: OutcomeClass, b: OutcomeClass): OutcomeClass {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** Outcomes that fail a run whatever the fault (degraded fails only after a transient fault). */
export function alwaysFails(o: OutcomeClass): boolean {
  return o === 'sdc' || o === 'hang' || o === 'detected-unsafe';
}

export function emptyOutcomeCounts(): Record<OutcomeClass, number> {
  return { masked: 0, recovered: 0, degraded: 0, 'detected-unsafe': 0, sdc: 0, hang: 0 };
}
