import { describe, expect, it } from 'vitest';
import { decodeRigAnswer, encodeRigRequest, RIG_OPCODE, RIG_STATUS_BYTES, RIG_TICK_BYTES, RIG_VERIFY_BYTES } from '../../../src/core/frame/rig-command.js';

const body = (r: Parameters<typeof encodeRigRequest>[0]): number[] => {
  const encoded = encodeRigRequest(r);
  if (!encoded.ok) throw new Error(encoded.error.reason);
  return Array.from(encoded.value);
};

describe('rig command codec (docs/RIG-PROTOCOL.md)', () => {
  it('encodes every request layout byte for byte', () => {
    expect(body({ op: 'status', tag: 7 })).toEqual([0x01, 7]);
    expect(body({ op: 'peek', tag: 1, space: 'raw', address: 0x0102, count: 3 })).toEqual([0x02, 1, 1, 0x01, 0x02, 3]);
    expect(body({ op: 'poke', tag: 2, space: 'reg', address: 4, data: Uint8Array.of(1, 2, 3, 4) })).toEqual([0x03, 2, 2, 0, 4, 1, 2, 3, 4]);
    expect(body({ op: 'flip', tag: 3, target: 'mem', word: 20, bit: 38 })).toEqual([0x04, 3, 0, 0, 20, 38, 0]);
    expect(body({ op: 'flip', tag: 3, target: 'reg', index: 9, copy: 2, bit: 31 })).toEqual([0x04, 3, 1, 0, 9, 31, 2]);
    expect(body({ op: 'scrub', tag: 4, words: 0x1234 })).toEqual([0x05, 4, 0x12, 0x34]);
    expect(body({ op: 'reset', tag: 5 })).toEqual([0x06, 5]);
    expect(body({ op: 'hang', tag: 6 })).toEqual([0x07, 6]);
    expect(body({ op: 'tick', tag: 8 })).toEqual([0x08, 8]);
    expect(body({ op: 'verify', tag: 9, crc: 0xe3069283 })).toEqual([0x09, 9, 0xe3, 0x06, 0x92, 0x83]);
  });

  it('refuses requests that cannot be encoded', () => {
    expect(encodeRigRequest({ op: 'status', tag: 256 }).ok).toBe(false);
    expect(encodeRigRequest({ op: 'peek', tag: 0, space: 'mem', address: 0, count: 0 }).ok).toBe(false);
    expect(encodeRigRequest({ op: 'poke', tag: 0, space: 'reg', address: 0, data: Uint8Array.of(1, 2) }).ok).toBe(false);
    expect(encodeRigRequest({ op: 'scrub', tag: 0, words: 70000 }).ok).toBe(false);
    for (const crc of [-1, 2 ** 32, 1.5, Number.NaN]) expect(encodeRigRequest({ op: 'verify', tag: 0, crc }).ok).toBe(false);
  });

  it('decodes a verify answer: the board\'s CRC over what it installed and its verdict', () => {
    expect(RIG_VERIFY_BYTES).toBe(5);
    const accepted = decodeRigAnswer(RIG_OPCODE.verify, 0, Uint8Array.of(0xe3, 0x06, 0x92, 0x83, 1));
    expect(accepted.ok && accepted.value).toEqual({ status: 'ok', result: { op: 'verify', verify: { crc: 0xe3069283, accepted: true } } });
    const rejected = decodeRigAnswer(RIG_OPCODE.verify, 0, Uint8Array.of(0, 0, 0, 1, 0));
    expect(rejected.ok && rejected.value.result).toEqual({ op: 'verify', verify: { crc: 1, accepted: false } });
    expect(decodeRigAnswer(RIG_OPCODE.verify, 4, Uint8Array.of(0, 9))).toEqual({ ok: true, value: { status: 'uncorrectable', result: { op: 'uncorrectable', word: 9 } } });
    expect(decodeRigAnswer(RIG_OPCODE.verify, 0, Uint8Array.of(0, 0, 0, 1, 2)).ok).toBe(false); // a verdict is 0 or 1
    expect(decodeRigAnswer(RIG_OPCODE.verify, 0, Uint8Array.of(0, 0, 0, 1)).ok).toBe(false);
    expect(decodeRigAnswer(RIG_OPCODE.verify, 2, new Uint8Array(0))).toEqual({ ok: true, value: { status: 'bad_length', result: { op: 'none' } } });
  });

  it('decodes a tick answer', () => {
    const p = new Uint8Array(RIG_TICK_BYTES);
    p.set([0, 0, 1, 2, 0, 7, 0, 1, 0, 0, 0, 0, 3, 5, 0xff, 0xff, 0x00, 0x10, 0x07, 0xff, 0xf8, 0x01]);
    const decoded = decodeRigAnswer(RIG_OPCODE.tick, 0, p);
    expect(decoded.ok && decoded.value.result).toEqual({ op: 'tick', tick: { cycle: 258, lawStatus: 0, usedMask: 7, health: 0, engaged: true, streamStatus: [0, 0, 0, 0, 3, 5], deflectionMrad: [-1, 16, 2047, -2047] } });
  });

  it('decodes status, peek spaces, scrub and uncorrectable answers', () => {
    const status = new Uint8Array(RIG_STATUS_BYTES);
    status[1] = 2;
    status.set([0xff, 0xff, 0xff, 0xff], 88);
    const s = decodeRigAnswer(RIG_OPCODE.status, 0, status);
    expect(s.ok && s.value.result.op === 'status' && s.value.result.status.channel === 2 && s.value.result.status.lastUncorrectableWord === -1).toBe(true);
    const raw = decodeRigAnswer(RIG_OPCODE.peek, 0, Uint8Array.of(0, 0, 0, 1, 0x55), 'raw');
    expect(raw.ok && raw.value.result).toEqual({ op: 'peek-raw', words: [{ data: 1, check: 0x55 }] });
    const scrub = decodeRigAnswer(RIG_OPCODE.scrub, 0, Uint8Array.of(0, 74, 0, 1, 0, 0, 1, 0, 0));
    expect(scrub.ok && scrub.value.result).toEqual({ op: 'scrub', scrub: { wordsScanned: 74, corrected: 1, uncorrectable: 0, passCompleted: true, cursor: 0 } });
    const bad = decodeRigAnswer(RIG_OPCODE.peek, 4, Uint8Array.of(0, 10));
    expect(bad.ok && bad.value.result).toEqual({ op: 'uncorrectable', word: 10 });
  });

  it('rejects malformed answers with typed errors', () => {
    expect(decodeRigAnswer(RIG_OPCODE.status, 0, new Uint8Array(3))).toEqual({ ok: false, error: { code: 'bad_payload', opcode: 1, lengthBytes: 3 } });
    expect(decodeRigAnswer(0x99, 0, new Uint8Array(0))).toEqual({ ok: false, error: { code: 'unknown_opcode', opcode: 0x99 } });
    expect(decodeRigAnswer(1, 17, new Uint8Array(0))).toEqual({ ok: false, error: { code: 'unknown_status', status: 17 } });
    expect(decodeRigAnswer(0x99, 1, new Uint8Array(0)).ok).toBe(true);
  });
});
