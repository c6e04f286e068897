import { describe, expect, test } from 'vitest';
import { BROADCAST, LINK_MESSAGES_MAX, LinkFabric, UNKNOWN_LINK } from '../../../src/core/byzantine/fabric.js';
import { encodeExchangeMessage, NO_RELAYER, type ExchangeMessage } from '../../../src/core/byzantine/message.js';
import { ExchangeNode, signDirect } from '../../../src/core/byzantine/node.js';
import { keyringFromSeed } from '../../../src/io/ed25519.js';

const v = (x: number): Float64Array => Float64Array.of(x);
const directMsg = (origin: number, cycle: number, x: number): Uint8Array =>
  encodeExchangeMessage({ type: 'direct', origin, relayer: NO_RELAYER, cycle, values: v(x), signatures: [] });
const relayMsg = (origin: number, relayer: number, cycle: number, x: number): Uint8Array =>
  encodeExchangeMessage({ type: 'relay', origin, relayer, cycle, values: v(x), signatures: [] });

describe('LinkFabric', () => {
  test('p2p delivers on the physical link; CAN delivers the same frame to all, sender unknown', () => {
    const p2p = new LinkFabric('p2p', 3);
    p2p.send(0, BROADCAST, Uint8Array.of(1));
    p2p.send(1, 2, Uint8Array.of(2));
    expect(p2p.deliver().map((d) => [d.link, d.to, d.bytes[0]])).toEqual([[0, 1, 1], [0, 2, 1], [1, 2, 2]]);
    const can = new LinkFabric('can', 3);
    can.send(2, BROADCAST, Uint8Array.of(3));
    expect(can.deliver().map((d) => [d.link, d.to])).toEqual([[UNKNOWN_LINK, 0], [UNKNOWN_LINK, 1]]);
    expect(() => { can.send(0, 1, Uint8Array.of(0)); }).toThrow(/broadcast/);
  });

  test('the omission filter drops at chosen receivers only; a babbling link is bounded', () => {
    const can = new LinkFabric('can', 3);
    can.setOmission((from, to) => from === 0 && to === 2);
    can.send(0, BROADCAST, Uint8Array.of(1));
    expect(can.deliver().map((d) => d.to)).toEqual([1]);
    expect(can.omissions).toBe(1);
    const p2p = new LinkFabric('p2p', 2);
    for (let i = 0; i < LINK_MESSAGES_MAX + 5; i++) p2p.send(0, 1, Uint8Array.of(i));
    expect(p2p.deliver()).toHaveLength(LINK_MESSAGES_MAX);
    expect(p2p.overflowDrops).toBe(5);
  });
});

describe('ExchangeNode', () => {
  test('plain: rejects a direct message on the wrong link, a stale one and one about itself', () => {
    const node = new ExchangeNode(2, { algorithm: 'plain', channelCount: 3, axisCount: 1 });
    node.begin(5, [0.5]);
    expect(node.receive(1, 0, directMsg(1, 5, 9))).toBe('link_mismatch');
    expect(node.receive(1, 1, directMsg(1, 4, 9))).toBe('stale');
    expect(node.receive(1, 0, directMsg(2, 5, 9))).toBe('bad_origin');
    expect(node.receive(1, 0, directMsg(0, 5, 1))).toBeUndefined();
    const out = new Float64Array(3);
    node.decide(out);
    expect([...out]).toEqual([1, Number.NaN, 0.5]);
  });

  test('OM(1): majority of direct and relayed reports; no majority gives the same "no value" everywhere', () => {
    const node = new ExchangeNode(1, { algorithm: 'om1', channelCount: 4, axisCount: 1 });
    node.begin(0, [7]);
    node.receive(1, 0, directMsg(0, 0, 1)); // origin 0 told me 1
    node.receive(2, 2, relayMsg(0, 2, 0, 2)); // 2 says 0 said 2
    node.receive(2, 3, relayMsg(0, 3, 0, 2)); // 3 says 0 said 2
    node.receive(1, 3, directMsg(3, 0, 4));
    node.receive(2, 0, relayMsg(3, 0, 0, 5));
    node.receive(2, 2, relayMsg(3, 2, 0, 6));
    expect(node.receive(2, 0, relayMsg(2, 3, 0, 6))).toBe('link_mismatch');
    const out = new Float64Array(4);
    node.decide(out);
    expect([...out]).toEqual([2, 7, Number.NaN, Number.NaN]);
  });

  test('SM(1): two validly signed values from one origin prove it faulty; forged signatures are rejected', () => {
    const keys = keyringFromSeed(11, 3);
    const node = new ExchangeNode(1, { algorithm: 'sm1', channelCount: 3, axisCount: 1 }, { signer: keys.signers[1]!, verifier: keys.verifier });
    node.begin(3, [0]);
    const a1 = signDirect(keys.signers[0]!, 0, 3, v(1));
    expect(node.receive(1, 0, encodeExchangeMessage(a1))).toBeUndefined();
    const forged: ExchangeMessage = { ...signDirect(keys.signers[0]!, 0, 3, v(8)), origin: 2, signatures: [{ signer: 2, bytes: a1.signatures[0]!.bytes }] };
    expect(node.receive(1, 2, encodeExchangeMessage(forged))).toBe('bad_signature');
    expect(node.receive(1, 0, encodeExchangeMessage(signDirect(keys.signers[0]!, 0, 2, v(1))))).toBe('stale');
    const relays = new ExchangeNode(2, { algorithm: 'sm1', channelCount: 3, axisCount: 1 }, { signer: keys.signers[2]!, verifier: keys.verifier });
    relays.begin(3, [0]);
    relays.receive(1, 0, encodeExchangeMessage(signDirect(keys.signers[0]!, 0, 3, v(2))));
    const relay = relays.outgoing(2).find((o) => o.to === 1);
    expect(relay?.message.signatures.map((s) => s.signer)).toEqual([0, 2]);
    expect(node.receive(2, 2, encodeExchangeMessage(relay!.message))).toBeUndefined();
    const out = new Float64Array(3);
    expect(node.decide(out)).toBe(0b001);
    expect(Number.isNaN(out[0])).toBe(true);
  });

  test('SM(1): an honest "no reading" (NaN), signed once and relayed, is one value, not a proof', () => {
    const keys = keyringFromSeed(12, 4);
    const nodes = [0, 1, 2, 3].map((i) => new ExchangeNode(i, { algorithm: 'sm1', channelCount: 4, axisCount: 2 }, { signer: keys.signers[i]!, verifier: keys.verifier }));
    const readings = [[0.1, 0.2], [0.1, 0.2], [0.1, 0.2], [Number.NaN, Number.NaN]];
    nodes.forEach((n, i) => { n.begin(0, readings[i]!); });
    for (const round of [1, 2] as const) {
      const sent = nodes.map((n) => n.outgoing(round));
      sent.forEach((out, from) => {
        for (const o of out) {
          for (const to of o.to === BROADCAST ? [0, 1, 2, 3].filter((r) => r !== from) : [o.to]) {
            expect(nodes[to]!.receive(round, from, encodeExchangeMessage(o.message))).toBeUndefined();
          }
        }
      });
    }
    for (const n of nodes.slice(0, 3)) {
      const out = new Float64Array(8);
      expect(n.decide(out)).toBe(0);
      expect([...out.subarray(0, 6)]).toEqual([0.1, 0.2, 0.1, 0.2, 0.1, 0.2]);
      expect(out.subarray(6).every(Number.isNaN)).toBe(true);
    }
  });
});
