// A three-bit upset in one word that SEC-DED miscorrects (docs/FAULTS.md, "word-mbu"): the word
// comes back clean but wrong, so the ECC gets no credit and the channel's isolation that follows
// is the fault's doing, not a false isolation of a healthy channel (oracle version 4).
import { describe, expect, it } from 'vitest';
import { NO_FAULTS, type TimedFault } from '../../src/core/fault/profile.js';
import { loadFlightRig } from '../../src/io/loaders.js';
import { createFlight, type Flight } from '../../src/sim/flight.js';
import { flightFails } from '../../src/sim/report.js';

// Row 216 of the 10,000-row campaign of 2026-12-04 (seed 1): flagged as a false isolation by oracle 3.
const SEED = 3_737_783_498;
const MISCORRECTED: TimedFault = { atMicros: 2_116_000, fault: { kind: 'word-mbu', channel: 'A', word: 45, bits: 3, bit: 29 } };

function flight(events: readonly TimedFault[]): Flight {
  const rig = loadFlightRig(undefined);
  if (!rig.ok) throw new Error(rig.error);
  const created = createFlight({ seed: SEED, durationS: 4, rateHz: 250, profile: { ...NO_FAULTS, events }, rig: rig.value });
  if (!created.ok) throw new Error(created.error);
  return created.value;
}

describe('an ECC miscorrection', () => {
  it('is a real miscorrection: SEC-DED decodes the upset word as a single-bit error, not as uncorrectable', () => {
    const faulty = flight([MISCORRECTED]);
    faulty.runCycles(529);
    const memory = faulty.channels[0]?.memory;
    expect(memory?.syndromeOf(45)).toBe(0);
    // The same three bits flipped by hand into a fresh image: the decoder "corrects" a fourth.
    const fresh = flight([]).channels[0]?.memory;
    if (fresh === undefined) throw new Error('no channel');
    fresh.flipWordBits(45, 29, 3);
    expect(fresh.decodeClassOf(45)).toMatch(/^corrected/);
    fresh.flipWordBits(45, 29, 2);
    expect(fresh.decodeClassOf(45)).toMatch(/^corrected/);
    fresh.flipWordBits(45, 31, 1);
    expect(fresh.decodeClassOf(45)).toBe('clean');
  });

  it('gets no ECC credit, and the isolation it causes is its own (not a false isolation)', () => {
    const result = flight([MISCORRECTED]).run();
    const record = result.faultList[0];
    expect(record?.fate).toBe('isolated');
    expect(record?.detectedBy).toBe('voter:miscompare');
    expect(record?.outcome).toBe('recovered');
    expect(result.falseIsolations).toBe(0);
    expect(flightFails(result)).toBe(false);
  });

  it('a one-bit upset of the same word is still credited to the ECC', () => {
    const result = flight([{ ...MISCORRECTED, fault: { ...MISCORRECTED.fault, bits: 1 } as TimedFault['fault'] }]).run();
    expect(result.faultList[0]?.fate).toBe('corrected');
    expect(result.faultList[0]?.detectedBy).toBe('ecc');
    expect(result.falseIsolations).toBe(0);
  });
});
