import { describe, expect, test } from 'vitest';
import {
  decodeExchangeMessage, encodeExchangeMessage, EXCHANGE_MESSAGE_BYTES_MAX, NO_RELAYER, sameStatement, sameValues, type ExchangeMessage,
} from '../../../src/core/byzantine/message.js';

const direct: ExchangeMessage = { type: 'direct', origin: 2, relayer: NO_RELAYER, cycle: 0xdeadbeef, values: Float64Array.of(1.5, -2, 1e-300), signatures: [] };
const relay: ExchangeMessage = {
  type: 'relay', origin: 0, relayer: 3, cycle: 7, values: Float64Array.of(0.25),
  signatures: [{ signer: 0, bytes: new Uint8Array(64).fill(1) }, { signer: 3, bytes: new Uint8Array(64).fill(2) }],
};

describe('exchange message codec', () => {
  test('round-trips direct and relayed, signed and unsigned messages', () => {
    for (const m of [direct, relay]) {
      const bytes = encodeExchangeMessage(m);
      expect(bytes.length).toBeLessThanOrEqual(EXCHANGE_MESSAGE_BYTES_MAX);
      const back = decodeExchangeMessage(bytes);
      expect(back.ok).toBe(true);
      if (!back.ok) return;
      expect(back.value.type).toBe(m.type);
      expect(back.value.origin).toBe(m.origin);
      expect(back.value.relayer).toBe(m.relayer);
      expect(back.value.cycle).toBe(m.cycle);
      expect(sameValues(back.value.values, m.values)).toBe(true);
      expect(back.value.signatures.map((s) => [s.signer, [...s.bytes]])).toEqual(m.signatures.map((s) => [s.signer, [...s.bytes]]));
    }
  });

  test('names what is wrong with bad bytes', () => {
    const bytes = encodeExchangeMessage(relay);
    expect(decodeExchangeMessage(bytes.subarray(0, 5))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    expect(decodeExchangeMessage(bytes.subarray(0, bytes.length - 1))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    expect(decodeExchangeMessage(Uint8Array.of(...bytes, 0))).toMatchObject({ ok: false, error: { code: 'trailing_bytes', extraBytes: 1 } });
    const badType = Uint8Array.from(bytes); badType[0] = 9;
    expect(decodeExchangeMessage(badType)).toMatchObject({ ok: false, error: { code: 'bad_type', type: 9 } });
    const badOrigin = Uint8Array.from(bytes); badOrigin[2] = 5;
    expect(decodeExchangeMessage(badOrigin)).toMatchObject({ ok: false, error: { code: 'bad_node', field: 'origin' } });
    const directWithRelayer = encodeExchangeMessage(direct); directWithRelayer[1] = 1;
    expect(decodeExchangeMessage(directWithRelayer)).toMatchObject({ ok: false, error: { code: 'bad_node', field: 'relayer' } });
    const badAxes = Uint8Array.from(bytes); badAxes[7] = 0;
    expect(decodeExchangeMessage(badAxes)).toMatchObject({ ok: false, error: { code: 'bad_axis_count' } });
    const badCount = Uint8Array.from(bytes); badCount[16] = 3;
    expect(decodeExchangeMessage(badCount)).toMatchObject({ ok: false, error: { code: 'bad_signature_count', count: 3 } });
    const badLength = Uint8Array.from(bytes); badLength[18] = 0;
    expect(decodeExchangeMessage(badLength)).toMatchObject({ ok: false, error: { code: 'bad_signature_length' } });
  });

  test('sameValues compares exactly; NaN is never equal', () => {
    expect(sameValues(Float64Array.of(1, 2), Float64Array.of(1, 2))).toBe(true);
    expect(sameValues(Float64Array.of(1, 2), Float64Array.of(1, 2 + Number.EPSILON * 2))).toBe(false);
    expect(sameValues(Float64Array.of(Number.NaN), Float64Array.of(Number.NaN))).toBe(false);
    expect(sameValues(Float64Array.of(1), Float64Array.of(1, 1))).toBe(false);
  });

  test('sameStatement (SM(1)): NaN, "no value", is one value; otherwise exact, and +0 is not −0', () => {
    expect(sameStatement(Float64Array.of(Number.NaN, 2), Float64Array.of(Number.NaN, 2))).toBe(true);
    expect(sameStatement(Float64Array.of(Number.NaN), Float64Array.of(0))).toBe(false);
    expect(sameStatement(Float64Array.of(1, 2), Float64Array.of(1, 2 + Number.EPSILON * 2))).toBe(false);
    expect(sameStatement(Float64Array.of(0), Float64Array.of(-0))).toBe(false);
    expect(sameStatement(Float64Array.of(1), Float64Array.of(1, 1))).toBe(false);
  });
});
