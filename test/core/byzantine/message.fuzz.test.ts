import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  decodeExchangeMessage, encodeExchangeMessage, EXCHANGE_AXES_MAX, EXCHANGE_MESSAGE_BYTES_MAX, FABRIC_NODES_MAX, NO_RELAYER,
  SIGNATURE_BYTES_MAX, type ExchangeMessage,
} from '../../../src/core/byzantine/message.js';
import { fcParams, fuzzRuns } from '../../support/seed.js';

const node = fc.integer({ min: 0, max: FABRIC_NODES_MAX - 1 });
const signature = fc.record({ signer: node, bytes: fc.uint8Array({ minLength: 1, maxLength: SIGNATURE_BYTES_MAX }) });
const message: fc.Arbitrary<ExchangeMessage> = fc.record({
  relay: fc.boolean(), origin: node, relayer: node, cycle: fc.integer({ min: 0, max: 0xffffffff }),
  values: fc.float64Array({ minLength: 1, maxLength: EXCHANGE_AXES_MAX }), signatures: fc.array(signature, { maxLength: 2 }),
}).map((r) => ({ type: r.relay ? 'relay' : 'direct', origin: r.origin, relayer: r.relay ? r.relayer : NO_RELAYER, cycle: r.cycle, values: r.values, signatures: r.signatures }));
const runs = Math.max(1, Math.floor(fuzzRuns() / 4));

test('decoding arbitrary bytes never throws and never accepts an over-long message', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: EXCHANGE_MESSAGE_BYTES_MAX + 8 }), (bytes) => {
    const r = decodeExchangeMessage(bytes);
    if (r.ok) expect(bytes.length).toBeLessThanOrEqual(EXCHANGE_MESSAGE_BYTES_MAX);
  }), { ...fcParams('exchange decode arbitrary'), numRuns: runs });
});

test('every encoded message decodes to itself, bit for bit', () => {
  fc.assert(fc.property(message, (m) => {
    const bytes = encodeExchangeMessage(m);
    const r = decodeExchangeMessage(bytes);
    expect(r.ok).toBe(true);
    if (r.ok) expect(encodeExchangeMessage(r.value)).toEqual(bytes);
  }), { ...fcParams('exchange round trip'), numRuns: runs });
});

test('any single-byte change to an encoded message decodes or is rejected, never throws', () => {
  fc.assert(fc.property(message, fc.nat(), fc.integer({ min: 1, max: 255 }), (m, at, xor) => {
    const bytes = encodeExchangeMessage(m);
    const i = at % bytes.length;
    bytes[i] = (bytes[i] ?? 0) ^ xor;
    const r = decodeExchangeMessage(bytes);
    if (r.ok) expect(encodeExchangeMessage(r.value)).toEqual(bytes);
  }), { ...fcParams('exchange byte flip'), numRuns: runs });
});
