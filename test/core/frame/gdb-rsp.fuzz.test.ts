import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseErrorReply, parseStopReply, parseSupported, parseTargetXml, parseXferChunk, registerTable } from '../../../src/core/frame/gdb-reply.js';
import { decodeRegisterHex, decodeRspBody, encodeRegisterHex, encodeRspPacket, hexDecode, RSP_PAYLOAD_BYTES_MAX, RSP_RUN_EXTRA_MAX, RspDecoder, type RspEvent } from '../../../src/core/frame/gdb-rsp.js';
import { fcParams, fuzzRuns } from '../../support/seed.js';

/** Feeds `bytes` to a fresh decoder cut at the given points. */
function decodeChunked(bytes: Uint8Array, cuts: readonly number[]): RspEvent[] {
  const decoder = new RspDecoder();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const events: RspEvent[] = [];
  let from = 0;
  for (const to of [...points, bytes.length]) {
    events.push(...decoder.push(bytes.subarray(from, to)));
    from = to;
  }
  return events;
}

const runs = (): number => Math.min(fuzzRuns(), 20_000);

describe('GDB RSP codec fuzz', () => {
  it('the stream decoder never throws on arbitrary bytes; events ≤ bytes, payloads bounded', () => {
    const wireish = fc.uint8Array({ maxLength: 600 }).map((b) => b.map((x) => (x % 3 === 0 ? [0x24, 0x23, 0x2a, 0x7d, 0x2b, 0x2d, 0x03, 0x30][x % 8] ?? x : x)));
    fc.assert(fc.property(wireish, fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
      const events = decodeChunked(bytes, cuts);
      return events.length <= bytes.length && events.every((e) => e.kind !== 'packet' || e.payload.length <= RSP_PAYLOAD_BYTES_MAX);
    }), { ...fcParams('rsp stream decode'), numRuns: fuzzRuns() / 10 });
  });

  it('encode → decode round-trips any payload, with and without run-length encoding, across chunk boundaries', () => {
    const payload = fc.oneof(fc.uint8Array({ maxLength: 1200 }), fc.array(fc.tuple(fc.nat({ max: 255 }), fc.integer({ min: 1, max: 300 })), { maxLength: 20 })
      .map((rs) => Uint8Array.from(rs.flatMap(([b, n]) => Array<number>(n).fill(b)))));
    fc.assert(fc.property(payload, fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (bytes, rle, cuts) => {
      const events = decodeChunked(encodeRspPacket(bytes, rle), cuts);
      const [only] = events;
      return events.length === 1 && only?.kind === 'packet' && Buffer.from(only.payload).equals(Buffer.from(bytes));
    }), { ...fcParams('rsp round trip'), numRuns: runs() / 4 });
  });

  it('every single-bit flip of a body byte that keeps the framing is a checksum mismatch', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean(), fc.nat(), fc.nat({ max: 7 }), (bytes, rle, at, bit) => {
      const packet = encodeRspPacket(bytes, rle);
      const index = 1 + (at % (packet.length - 4));
      const flipped = (packet[index] ?? 0) ^ (1 << bit);
      fc.pre(flipped !== 0x24 && flipped !== 0x23);
      packet[index] = flipped;
      const events = new RspDecoder().push(packet);
      expect(events).toHaveLength(1);
      expect(events[0]?.kind === 'bad_packet' && events[0].error.code).toBe('checksum_mismatch');
    }), { ...fcParams('rsp single-bit flips'), numRuns: runs() });
  });

  it('run-length expansion of arbitrary bodies is bounded (≤ 98× the body and ≤ RSP_PAYLOAD_BYTES_MAX)', () => {
    const body = fc.array(fc.oneof(fc.constant(0x2a), fc.constant(0x7e), fc.constant(0x7d), fc.nat({ max: 255 })), { maxLength: 4000 }).map((a) => Uint8Array.from(a));
    fc.assert(fc.property(body, (b) => {
      const decoded = decodeRspBody(b);
      return !decoded.ok || (decoded.value.length <= b.length * (RSP_RUN_EXTRA_MAX + 1) && decoded.value.length <= RSP_PAYLOAD_BYTES_MAX);
    }), { ...fcParams('rsp run-length bound'), numRuns: runs() });
    // The largest possible expansion is refused, not allocated.
    const bomb = new TextEncoder().encode('0*~'.repeat(1400)); // would be 137,200 bytes
    expect(decodeRspBody(bomb)).toEqual({ ok: false, error: { code: 'payload_too_long', lengthBytesMax: RSP_PAYLOAD_BYTES_MAX } });
  });

  it('register values round-trip through little-endian hex; hex decoding never throws', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 16 }), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.string({ maxLength: 40 }), (bytes, raw, junk) => {
      const value = raw & ((1n << BigInt(8 * bytes)) - 1n);
      const hex = encodeRegisterHex(value, bytes);
      expect(decodeRegisterHex(hex, bytes)).toEqual({ ok: true, value });
      expect(decodeRegisterHex(hex.toUpperCase(), bytes)).toEqual({ ok: true, value });
      const other = decodeRegisterHex(junk, bytes);
      const bytesOk = hexDecode(junk);
      return typeof other.ok === 'boolean' && typeof bytesOk.ok === 'boolean';
    }), { ...fcParams('rsp register hex'), numRuns: runs() });
  });

  it('reply parsers never throw on arbitrary text', () => {
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('T05', 'S', 'W', 'O', 'E', 'PacketSize=', '<reg ', '<xi:include ').chain((p) => fc.string({ maxLength: 200 }).map((s) => p + s)));
    fc.assert(fc.property(text, (t) => {
      parseStopReply(t); parseSupported(t); parseErrorReply(t);
      parseXferChunk(new TextEncoder().encode(t));
      const xml = parseTargetXml(t);
      if (xml.ok) registerTable(xml.value.registers);
      return true;
    }), { ...fcParams('rsp reply parsers'), numRuns: runs() });
  });
});
