/**
 * The honest table of docs/BYZANTINE.md: configuration × fault → masked or not, each cell a
 * seeded run of the agreement layer (src/core/byzantine/scenario.ts). "Masked" asserts zero
 * agreement violations, zero silent data corruption and zero false isolations; "not masked"
 * asserts the failure the theory predicts, in the run that shows it.
 */
import { describe, expect, test } from 'vitest';
import { defaultScenario, runScenario, type ScenarioFault, type ScenarioReport } from '../../../src/core/byzantine/scenario.js';
import type { Medium } from '../../../src/core/byzantine/fabric.js';
import { keyringFromSeed } from '../../../src/io/ed25519.js';
import { testSeed } from '../../support/seed.js';

interface Row {
  readonly name: string;
  readonly medium: Medium;
  readonly exchange: 'plain' | 'signed';
  readonly channelCount: number;
  /** The failure each unmasked fault shows; faults not listed are masked. */
  readonly notMasked: Partial<Record<ScenarioFault, 'disagreement' | 'corruption'>>;
}

const ROWS: readonly Row[] = [
  { name: 'CAN broadcast, 3 channels', medium: 'can', exchange: 'plain', channelCount: 3, notMasked: { masquerade: 'corruption', omission: 'disagreement' } },
  { name: 'point-to-point plain, 3 channels', medium: 'p2p', exchange: 'plain', channelCount: 3, notMasked: { 'two-faced': 'disagreement', omission: 'disagreement' } },
  { name: 'point-to-point signed SM(1), 3 channels', medium: 'p2p', exchange: 'signed', channelCount: 3, notMasked: {} },
  { name: 'point-to-point OM(1), 4 channels', medium: 'p2p', exchange: 'plain', channelCount: 4, notMasked: {} },
];
const FAULTS: readonly ScenarioFault[] = ['none', 'symmetric', 'two-faced', 'masquerade', 'replay', 'omission'];
const seed = testSeed('byzantine honest table');
const auth = keyringFromSeed(seed, 4);

function run(row: Row, fault: ScenarioFault): ScenarioReport {
  const cycles = row.exchange === 'signed' ? 120 : 250;
  return runScenario(defaultScenario({ medium: row.medium, exchange: row.exchange, channelCount: row.channelCount, fault, seed, cycles, fromCycle: 20 }), auth);
}

describe.each(ROWS)('$name', (row) => {
  test.each(FAULTS)('%s', (fault) => {
    const r = run(row, fault);
    const expected = row.notMasked[fault];
    if (expected === undefined) {
      expect({ violations: r.agreementViolations, inputSdc: r.inputSdcCycles, outputSdc: r.outputSdcCycles, falseIsolations: r.falseIsolations })
        .toEqual({ violations: 0, inputSdc: 0, outputSdc: 0, falseIsolations: 0 });
      return;
    }
    expect(r.agreementViolations).toBeGreaterThan(0);
    expect(r.firstViolationCycle).toBeGreaterThanOrEqual(20);
    if (expected === 'corruption') expect(r.inputSdcCycles + r.outputSdcCycles).toBeGreaterThan(0);
    else expect(r.inputSdcCycles + r.outputSdcCycles).toBe(0);
  });
});

describe('how each mode defends itself', () => {
  test('a symmetric liar is isolated by every healthy channel and the voter', () => {
    for (const row of ROWS) expect(run(row, 'symmetric').faultyIsolatedMask).toBe(((1 << (row.channelCount + 1)) - 1) & ~1);
  });

  test('SM(1): the two-faced channel is proven faulty at once by both healthy channels', () => {
    const r = run(ROWS[2]!, 'two-faced');
    expect(r.faultyIsolatedMask & 0b0110).toBe(0b0110);
  });

  test('SM(1): forged signatures and replays are rejected, not believed', () => {
    expect(run(ROWS[2]!, 'masquerade').rejected.bad_signature).toBeGreaterThan(0);
    expect(run(ROWS[2]!, 'replay').rejected.stale).toBeGreaterThan(0);
  });

  test('point-to-point: a message claiming another origin is rejected by link identity', () => {
    expect(run(ROWS[1]!, 'masquerade').rejected.link_mismatch).toBeGreaterThan(0);
  });

  test('plain 3 channels: the two-faced lie stays under every monitor threshold, so nobody isolates it', () => {
    const r = run(ROWS[1]!, 'two-faced');
    expect(r.faultyIsolatedMask & 0b0110).toBe(0);
    expect(r.agreementViolations).toBeGreaterThan(100);
  });

  test('OM(1) with 4 channels masks the same two-faced lie that breaks 3 plain channels', () => {
    expect(run(ROWS[3]!, 'two-faced').agreementViolations).toBe(0);
  });

  test('the runs are pure functions of the seed', () => {
    expect(run(ROWS[1]!, 'omission')).toEqual(run(ROWS[1]!, 'omission'));
  });
});
