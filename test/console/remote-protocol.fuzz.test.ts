/** Bytes from the network: the decoders and the frame reader must never throw or over-read. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_MESSAGE_BYTES_MAX, decodeClientMessage, decodeServerMessage, encodeMessage, FrameReader, LENGTH_PREFIX_BYTES, type ClientMessage,
} from '../../src/console/remote-protocol.js';
import { fcParams, fuzzRuns } from '../support/seed.js';

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ t: fc.constant('cmd' as const), id: fc.nat(), line: fc.string({ maxLength: 200 }) }),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((mac) => ({ t: 'auth' as const, mac })),
);

describe('remote console protocol (fuzz)', () => {
  it('decoders return a Result for any bytes', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      // Mutations of valid messages reach deeper into the CBOR decoder than random bytes.
      fc.tuple(clientMessage, fc.nat(), fc.nat(255)).map(([m, at, v]) => {
        const body = encodeMessage(m).slice(LENGTH_PREFIX_BYTES);
        body[at % body.length] = v;
        return body;
      }),
    );
    fc.assert(fc.property(bytes, (b) => {
      decodeClientMessage(b);
      decodeServerMessage(b);
    }), { ...fcParams('remote decoders fuzz'), numRuns: Math.max(1000, Math.floor(fuzzRuns() / 4)) });
  });

  it('round-trips client messages through any chunking of the stream', () => {
    fc.assert(fc.property(fc.array(clientMessage, { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), (messages, cuts) => {
      const stream = Uint8Array.from(messages.flatMap((m) => [...encodeMessage(m)]));
      const reader = new FrameReader(CLIENT_MESSAGE_BYTES_MAX);
      const decoded: ClientMessage[] = [];
      for (let at = 0, i = 0; at < stream.length; i++) {
        const size = cuts[i % cuts.length] ?? 1;
        const frames = reader.push(stream.subarray(at, at + size));
        at += size;
        if (!frames.ok) throw new Error('oversized');
        for (const f of frames.value) {
          const m = decodeClientMessage(f);
          if (!m.ok) throw new Error(m.error.message);
          decoded.push(m.value);
        }
      }
      expect(decoded).toEqual(messages);
      expect(reader.pendingBytes()).toBe(0);
    }), fcParams('remote framing round trip', 5000));
  });

  it('rejects any prefix above the maximum without buffering the body', () => {
    fc.assert(fc.property(fc.integer({ min: CLIENT_MESSAGE_BYTES_MAX + 1, max: 0xffffffff }), (length) => {
      const reader = new FrameReader(CLIENT_MESSAGE_BYTES_MAX);
      const prefix = new Uint8Array(4);
      new DataView(prefix.buffer).setUint32(0, length);
      expect(reader.push(prefix)).toEqual({ ok: false, error: { code: 'oversized', bytes: length, bytesMax: CLIENT_MESSAGE_BYTES_MAX } });
      expect(reader.push(new Uint8Array(10)).ok).toBe(false);
    }), fcParams('remote oversized prefix', 2000));
  });
});
