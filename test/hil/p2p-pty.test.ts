/**
 * Integration: the agreement exchange over real point-to-point serial links (issue 7 item 1).
 * Three channels and the voter, one socat pty pair per link (3 channel pairs + 3 channel–voter
 * = 6), every exchange message an E2E-protected 'E' record. Each cycle runs the same exchange on
 * the emulated fabric (same seed, same readings) and over the ptys, and asserts identical
 * results; a two-faced channel A really sends different bytes on A→B and A→C.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeAdversary } from '../../src/core/byzantine/adversary.js';
import { AgreementExchange, type AuthSet } from '../../src/core/byzantine/exchange.js';
import type { Arrival } from '../../src/core/byzantine/fabric.js';
import { decodeExchangeMessage } from '../../src/core/byzantine/message.js';
import { agree } from '../../src/core/byzantine/scenario.js';
import { Prng } from '../../src/core/sim/prng.js';
import { keyringFromSeed } from '../../src/io/ed25519.js';
import { P2pSerialLinks, p2pLinkId } from '../../src/hil/p2p-serial-links.js';
import { EXCHANGE_AXES } from '../../src/sim/p2p-wiring.js';
import { testSeed } from '../support/seed.js';

const CHANNELS = 3;
const VOTER = CHANNELS;
const CYCLES = 20;
const FROM_CYCLE = 8;
const OFFSET = 0.05;
const LIAR = 0;
const HEALTHY = 0b110;
const NOISE_SIGMA = 0.01;

type Mode = 'plain' | 'signed';

function makeExchange(mode: Mode, auth: AuthSet | undefined): AgreementExchange {
  const adversary = makeAdversary({ behaviour: 'two-faced', node: LIAR, fromCycle: FROM_CYCLE, offset: OFFSET });
  const cfg = { medium: 'p2p', algorithm: mode === 'signed' ? 'sm1' : 'plain', channelCount: CHANNELS, axisCount: EXCHANGE_AXES } as const;
  return new AgreementExchange(cfg, auth, adversary);
}

function readingsOf(prng: Prng, cycle: number): Float64Array[] {
  return Array.from({ length: CHANNELS }, () => Float64Array.from({ length: EXCHANGE_AXES }, (_, a) => Math.sin(0.05 * cycle + a) + NOISE_SIGMA * prng.nextGaussian()));
}

/** Channel k's command: −0.5 × the mean of its decided vector's rows, per axis (NaN rows skipped). */
function commandsOf(vectors: readonly Float64Array[]): Float64Array[] {
  return vectors.map((v) => Float64Array.from({ length: EXCHANGE_AXES }, (_, a) => {
    let sum = 0;
    let count = 0;
    for (let k = 0; k < CHANNELS; k++) {
      const x = v[k * EXCHANGE_AXES + a] ?? Number.NaN;
      if (Number.isFinite(x)) {
        sum += x;
        count++;
      }
    }
    return -0.5 * sum / Math.max(count, 1);
  }));
}

function copyAll(vectors: readonly Float64Array[]): Float64Array[] {
  return vectors.map((v) => Float64Array.from(v));
}

/** Bytes of A's direct (round-1) message on link A→`to`, by cycle, as they came out of the pty. */
type Taps = Map<number, Map<number, Uint8Array>>;

function tapArrival(taps: Taps, arrival: Arrival): void {
  if (arrival.from !== LIAR || arrival.to === VOTER) return;
  const m = decodeExchangeMessage(arrival.bytes);
  if (!m.ok || m.value.type !== 'direct' || m.value.origin !== LIAR) return;
  const byLink = taps.get(m.value.cycle) ?? new Map<number, Uint8Array>();
  byLink.set(arrival.to, arrival.bytes);
  taps.set(m.value.cycle, byLink);
}

interface RunResult {
  readonly agreedByCycle: readonly boolean[];
  readonly proofsByCycle: readonly (readonly number[])[];
  readonly taps: Taps;
}

async function runOverPtys(mode: Mode, seed: number, opened: P2pSerialLinks[]): Promise<RunResult> {
  const taps: Taps = new Map();
  const links = await P2pSerialLinks.open({ nodeCount: CHANNELS + 1, roundTimeoutMillis: 2_000, observe: (a) => { tapArrival(taps, a); } });
  if (!links.ok) throw new Error(links.error.message);
  opened.push(links.value);
  const auth = mode === 'signed' ? keyringFromSeed(seed, CHANNELS) : undefined;
  const emulated = makeExchange(mode, auth);
  const overPtys = makeExchange(mode, auth);
  const prngEmulated = new Prng(seed);
  const prngPtys = new Prng(seed);
  const agreedByCycle: boolean[] = [];
  const proofsByCycle: number[][] = [];
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const expected = copyAll(emulated.exchangeInputs(cycle, readingsOf(prngEmulated, cycle)));
    const got = copyAll(await overPtys.exchangeInputsOver(links.value, cycle, readingsOf(prngPtys, cycle)));
    expect(got, `cycle ${cycle}: decided vectors`).toEqual(expected);
    const proofs = [0, 1, 2].map((k) => overPtys.proofMask(k));
    expect(proofs, `cycle ${cycle}: proofs`).toEqual([0, 1, 2].map((k) => emulated.proofMask(k)));
    const viewExpected = Float64Array.from(emulated.sendCommands(cycle, commandsOf(expected)));
    const viewGot = Float64Array.from(await overPtys.sendCommandsOver(links.value, cycle, commandsOf(got)));
    expect(viewGot, `cycle ${cycle}: voter view`).toEqual(viewExpected);
    agreedByCycle.push(agree(got, HEALTHY, CHANNELS * EXCHANGE_AXES));
    proofsByCycle.push(proofs);
  }
  expect(overPtys.rejected).toEqual(emulated.rejected);
  expectCleanLinks(links.value);
  return { agreedByCycle, proofsByCycle, taps };
}

/** Every channel→channel and channel→voter direction carried records, none lost, no E2E fault. */
function expectCleanLinks(links: P2pSerialLinks): void {
  expect(links.paths()).toHaveLength(6);
  for (const s of links.statistics()) {
    expect({ link: `${s.from}->${s.to}`, lost: s.lost, late: s.late, overflow: s.overflowDrops, failed: s.sendFailures }).toEqual({ link: `${s.from}->${s.to}`, lost: 0, late: 0, overflow: 0, failed: 0 });
    expect(s.recordsReceived).toBe(s.recordsSent);
    if (s.from !== VOTER) expect(s.recordsSent, `${s.from}->${s.to}`).toBeGreaterThanOrEqual(CYCLES);
  }
  expect(links.lineFaults()).toBe(0);
}

/** Before the fault A sends identical bytes to B and C; from FROM_CYCLE on they differ by ±OFFSET. */
function expectTwoFacedOnTheWire(taps: Taps): void {
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const toB = taps.get(cycle)?.get(1);
    const toC = taps.get(cycle)?.get(2);
    if (toB === undefined || toC === undefined) throw new Error(`cycle ${cycle}: A's direct message missing on a link`);
    const sameBytes = Buffer.from(toB).equals(Buffer.from(toC));
    expect(sameBytes, `cycle ${cycle}: A→B and A→C bytes equal`).toBe(cycle < FROM_CYCLE);
    if (cycle < FROM_CYCLE) continue;
    const b = decodeExchangeMessage(toB);
    const c = decodeExchangeMessage(toC);
    if (!b.ok || !c.ok) throw new Error('tapped bytes do not decode');
    expect((b.value.values[0] ?? 0) - (c.value.values[0] ?? 0)).toBeCloseTo(2 * OFFSET, 9);
  }
}

describe('agreement exchange over point-to-point serial links (socat ptys)', () => {
  const opened: P2pSerialLinks[] = [];
  afterEach(async () => {
    await Promise.all(opened.map((l) => l.close()));
    opened.length = 0;
  });

  it('gives every link its own 24-bit link ID', () => {
    const ids = new Set<number>();
    for (let a = 0; a <= VOTER; a++) for (let b = a + 1; b <= VOTER; b++) ids.add(p2pLinkId(a, b));
    expect(ids.size).toBe(6);
    expect(p2pLinkId(2, 0)).toBe(p2pLinkId(0, 2));
  });

  it('plain exchange, two-faced A: same results as the emulated fabric; healthy B and C disagree after the fault', async () => {
    const seed = testSeed('p2p-pty plain');
    const run = await runOverPtys('plain', seed, opened);
    run.agreedByCycle.forEach((agreed, cycle) => { expect(agreed, `cycle ${cycle}`).toBe(cycle < FROM_CYCLE); });
    expect(run.proofsByCycle.flat().every((p) => p === 0)).toBe(true);
    expectTwoFacedOnTheWire(run.taps);
  });

  it('signed exchange SM(1), two-faced A: same results as the emulated fabric; B and C agree and prove A faulty', async () => {
    const seed = testSeed('p2p-pty signed');
    const run = await runOverPtys('signed', seed, opened);
    run.agreedByCycle.forEach((agreed, cycle) => { expect(agreed, `cycle ${cycle}`).toBe(true); });
    run.proofsByCycle.forEach((proofs, cycle) => {
      const liarBit = cycle < FROM_CYCLE ? 0 : 1 << LIAR;
      expect(proofs.slice(1), `cycle ${cycle}: proofs at B and C`).toEqual([liarBit, liarBit]);
    });
    expectTwoFacedOnTheWire(run.taps);
  });
});
