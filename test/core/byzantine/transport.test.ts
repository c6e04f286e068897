/**
 * The transport seam of the fabric (LinkFabric.takeRound/arrive, AgreementExchange.*Over):
 * an in-memory transport that carries each round as the emulated medium would gives the same
 * results as the synchronous path; what a transport loses or mislabels is what the nodes see.
 */
import { describe, expect, test } from 'vitest';
import { makeAdversary } from '../../../src/core/byzantine/adversary.js';
import { AgreementExchange } from '../../../src/core/byzantine/exchange.js';
import { LinkFabric, type Arrival, type LinkTransport, type Queued } from '../../../src/core/byzantine/fabric.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { keyringFromSeed } from '../../../src/io/ed25519.js';
import { testSeed } from '../../support/seed.js';

const N = 3;
const AXES = 2;

/** Carries each queued message to its receiver on its sender's link, optionally rewriting or dropping it. */
function memoryTransport(edit: (q: Queued) => Arrival | undefined = (q) => ({ from: q.from, link: q.from, to: q.to, bytes: q.bytes })): LinkTransport & { rounds: number } {
  const t = {
    rounds: 0,
    carry: (round: readonly Queued[]): Promise<readonly Arrival[]> => {
      t.rounds++;
      return Promise.resolve(round.flatMap((q) => edit(q) ?? []));
    },
  };
  return t;
}

function readings(prng: Prng): Float64Array[] {
  return Array.from({ length: N }, () => Float64Array.from({ length: AXES }, () => prng.nextGaussian()));
}

describe('fabric transport seam', () => {
  test('takeRound + arrive deliver exactly what deliver() would, and clear the round', () => {
    const a = new LinkFabric('p2p', 3);
    const b = new LinkFabric('p2p', 3);
    for (const f of [a, b]) {
      f.setOmission((from, to) => from === 1 && to === 0);
      f.send(0, -1, Uint8Array.of(7));
      f.send(1, 0, Uint8Array.of(8));
      f.send(2, 1, Uint8Array.of(9));
    }
    const round = b.takeRound();
    expect(b.takeRound()).toEqual([]);
    expect(b.arrive(round.map((q) => ({ from: q.from, link: q.from, to: q.to, bytes: q.bytes })))).toEqual(a.deliver());
    expect(b.omissions).toBe(a.omissions);
    expect(() => b.arrive([{ from: 1, link: 1, to: 1, bytes: Uint8Array.of(0) }])).toThrow(/bad link/);
  });

  test.each(['plain', 'signed'] as const)('%s: exchange over an in-memory transport equals the emulated one, cycle by cycle', async (mode) => {
    const seed = testSeed(`transport seam ${mode}`);
    const auth = mode === 'signed' ? keyringFromSeed(seed, N) : undefined;
    const make = (): AgreementExchange => new AgreementExchange(
      { medium: 'p2p', algorithm: mode === 'signed' ? 'sm1' : 'plain', channelCount: N, axisCount: AXES }, auth,
      makeAdversary({ behaviour: 'two-faced', node: 0, fromCycle: 3, offset: 0.1 }));
    const emulated = make();
    const carried = make();
    const transport = memoryTransport();
    const p1 = new Prng(seed);
    const p2 = new Prng(seed);
    for (let cycle = 0; cycle < 8; cycle++) {
      const expected = emulated.exchangeInputs(cycle, readings(p1)).map((v) => Float64Array.from(v));
      const got = (await carried.exchangeInputsOver(transport, cycle, readings(p2))).map((v) => Float64Array.from(v));
      expect(got).toEqual(expected);
      expect([0, 1, 2].map((k) => carried.proofMask(k))).toEqual([0, 1, 2].map((k) => emulated.proofMask(k)));
      expect(Float64Array.from(await carried.sendCommandsOver(transport, cycle, got))).toEqual(Float64Array.from(emulated.sendCommands(cycle, expected)));
    }
    expect(transport.rounds).toBe(8 * (mode === 'signed' ? 3 : 2));
    expect(carried.rejected).toEqual(emulated.rejected);
  });

  test('a lost record is a missing value; a record on the wrong link is rejected as link_mismatch', async () => {
    const ex = new AgreementExchange({ medium: 'p2p', algorithm: 'plain', channelCount: N, axisCount: 1 });
    const lossy = memoryTransport((q) => (q.from === 0 && q.to === 1 ? undefined : { from: q.from, link: q.from, to: q.to, bytes: q.bytes }));
    const vectors = await ex.exchangeInputsOver(lossy, 0, [[1], [2], [3]]);
    expect(Array.from(vectors[1] ?? [])).toEqual([Number.NaN, 2, 3]);
    expect(Array.from(vectors[2] ?? [])).toEqual([1, 2, 3]);
    const miswired = memoryTransport((q) => ({ from: q.from, link: (q.from + 1) % N === q.to ? (q.from + 2) % N : (q.from + 1) % N, to: q.to, bytes: q.bytes }));
    await ex.exchangeInputsOver(miswired, 1, [[1], [2], [3]]);
    expect(ex.rejected.link_mismatch).toBe(N * (N - 1));
  });

  test('one exchange over a transport at a time; the emulated path refuses to interleave', async () => {
    const ex = new AgreementExchange({ medium: 'p2p', algorithm: 'plain', channelCount: N, axisCount: 1 });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const inner = memoryTransport();
    const slow: LinkTransport = { carry: async (round) => { await held; return inner.carry(round); } };
    const first = ex.exchangeInputsOver(slow, 0, [[1], [2], [3]]);
    await expect(ex.exchangeInputsOver(memoryTransport(), 0, [[1], [2], [3]])).rejects.toThrow(/one exchange/);
    expect(() => ex.exchangeInputs(0, [[1], [2], [3]])).toThrow(/in flight/);
    release();
    expect(Array.from((await first)[2] ?? [])).toEqual([1, 2, 3]);
    expect(Array.from(ex.exchangeInputs(1, [[1], [2], [3]])[0] ?? [])).toEqual([1, 2, 3]);
  });
});
