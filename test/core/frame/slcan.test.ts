import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classicFrame, type CanFrame } from '../../../src/core/frame/can.js';
import {
  decodeSlcanCommand, decodeSlcanResponse, encodeSlcanCommand, encodeSlcanFrame, encodeSlcanResponse, SLCAN_LINE_BYTES_MAX,
  slcanBitrateCode, SlcanStreamDecoder, unwrapSlcanTimestamp, type SlcanCommand, type SlcanResponse,
} from '../../../src/core/frame/slcan.js';
import type { Result } from '../../../src/core/result.js';
import { fcParams } from '../../support/seed.js';
import { canFrameArb } from './can-frame-arb.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const stripCr = (text: string): Uint8Array => ascii(text.replace(/\r$/, ''));

function command(line: string): Result<SlcanCommand, unknown> {
  return decodeSlcanCommand(ascii(line));
}

describe('SLCAN frames', () => {
  it('encodes the Lawicel examples', () => {
    expect(encodeSlcanFrame(classicFrame(0x123, Uint8Array.of(0x11, 0x22)))).toEqual({ ok: true, value: 't12321122' });
    expect(encodeSlcanFrame(classicFrame(0x12abcdef, Uint8Array.of(0xaa), true))).toEqual({ ok: true, value: 'T12ABCDEF1AA' });
    expect(encodeSlcanFrame({ ...classicFrame(0x7ff, new Uint8Array(0)), rtr: true, rtrLength: 8 })).toEqual({ ok: true, value: 'r7FF8' });
    expect(encodeSlcanFrame(classicFrame(0x100, new Uint8Array(0)), 0x1234)).toEqual({ ok: true, value: 't10001234' });
    const fd: CanFrame = { ...classicFrame(0x10, new Uint8Array(12).fill(0xee)), fd: true, brs: true };
    expect(encodeSlcanFrame(fd)).toEqual({ ok: true, value: `b0109${'EE'.repeat(12)}` });
  });

  it('round-trips every valid frame as a command and as a received frame with a timestamp', () => {
    fc.assert(fc.property(canFrameArb, fc.integer({ min: 0, max: 59_999 }), (frame, stamp) => {
      const asCommand = encodeSlcanCommand({ kind: 'frame', frame });
      expect(asCommand.ok).toBe(true);
      if (!asCommand.ok) return;
      expect(decodeSlcanCommand(stripCr(asCommand.value))).toEqual({ ok: true, value: { kind: 'frame', frame } });
      const received = encodeSlcanResponse({ kind: 'frame', frame, timestampMillis: stamp });
      expect(decodeSlcanResponse(stripCr(received))).toEqual({ ok: true, value: { kind: 'frame', frame, timestampMillis: stamp } });
    }), fcParams('slcan frame round trip'));
  });

  it('refuses frames SLCAN cannot carry', () => {
    expect(encodeSlcanFrame({ ...classicFrame(1, new Uint8Array(8)), error: true })).toMatchObject({ ok: false, error: { code: 'invalid_frame' } });
    expect(encodeSlcanFrame({ ...classicFrame(1, new Uint8Array(8)), fd: true, esi: true })).toMatchObject({ ok: false });
    expect(command('t12390011223344556677889')).toMatchObject({ ok: false, error: { code: 'bad_frame' } });
    expect(command('t8001AA')).toMatchObject({ ok: false, error: { code: 'bad_frame' } });
    expect(command('t1232AA')).toMatchObject({ ok: false, error: { code: 'bad_length' } });
    expect(command('t1232AABB1234')).toMatchObject({ ok: false, error: { code: 'bad_length' } });
    expect(command('t1G32AABB')).toMatchObject({ ok: false, error: { code: 'bad_hex' } });
    expect(decodeSlcanResponse(ascii('t1232AABBEA60'))).toMatchObject({ ok: false, error: { code: 'bad_argument' } });
  });
});

describe('SLCAN commands', () => {
  const cases: readonly [string, SlcanCommand][] = [
    ['O', { kind: 'open' }], ['L', { kind: 'listen' }], ['C', { kind: 'close' }], ['S0', { kind: 'bitrate', code: 0 }],
    ['S8', { kind: 'bitrate', code: 8 }], ['s031C', { kind: 'btr', btr0: 0x03, btr1: 0x1c }], ['Y2', { kind: 'data_bitrate', code: 2 }],
    ['F', { kind: 'status' }], ['V', { kind: 'version' }], ['N', { kind: 'serial' }], ['Z1', { kind: 'timestamps', on: true }],
    ['Z0', { kind: 'timestamps', on: false }],
  ];

  it.each(cases)('%s decodes and re-encodes', (line, expected) => {
    expect(command(line)).toEqual({ ok: true, value: expected });
    expect(encodeSlcanCommand(expected)).toEqual({ ok: true, value: `${line}\r` });
  });

  it('rejects bad arguments and unknown letters', () => {
    expect(command('S9')).toMatchObject({ ok: false, error: { code: 'bad_argument' } });
    expect(command('Z2')).toMatchObject({ ok: false, error: { code: 'bad_argument' } });
    expect(command('O1')).toMatchObject({ ok: false, error: { code: 'bad_length' } });
    expect(command('Q')).toEqual({ ok: false, error: { code: 'unknown_command', letter: 0x51 } });
    expect(command('')).toEqual({ ok: false, error: { code: 'empty_line' } });
  });

  it('maps bit rates to S digits', () => {
    expect(slcanBitrateCode(500_000)).toBe(6);
    expect(slcanBitrateCode(1_000_000)).toBe(8);
    expect(slcanBitrateCode(33_333)).toBeUndefined();
  });
});

describe('SLCAN responses and the stream decoder', () => {
  it('decodes CR as ok, z/Z as transmit acks, F/V/N answers', () => {
    const cases: readonly [string, SlcanResponse][] = [
      ['', { kind: 'ok' }], ['z', { kind: 'tx_ack', extended: false }], ['Z', { kind: 'tx_ack', extended: true }],
      ['F24', { kind: 'status', flags: 0x24 }], ['V1013', { kind: 'version', text: '1013' }], ['NA123', { kind: 'serial', text: 'A123' }],
    ];
    for (const [line, expected] of cases) {
      expect(decodeSlcanResponse(ascii(line))).toEqual({ ok: true, value: expected });
      expect(encodeSlcanResponse(expected)).toBe(`${line}\r`);
    }
    expect(encodeSlcanResponse({ kind: 'error' })).toBe('\x07');
  });

  it('splits a stream into answers, BEL as its own answer, across any chunking', () => {
    const stream = ascii('\r\x07z\rt1232AABB\rV1013\r\n\x07\r');
    fc.assert(fc.property(fc.array(fc.nat(stream.length), { maxLength: 6 }), (cuts) => {
      const decoder = new SlcanStreamDecoder(decodeSlcanResponse);
      const seen: string[] = [];
      let at = 0;
      for (const cut of [...[...cuts].sort((a, b) => a - b), stream.length]) {
        decoder.push(stream.subarray(at, Math.max(at, cut)), (item) => seen.push(item === 'bel' ? 'bel' : item.ok ? item.value.kind : item.error.code));
        at = Math.max(at, cut);
      }
      expect(seen).toEqual(['ok', 'bel', 'tx_ack', 'frame', 'version', 'bel', 'ok']);
    }), fcParams('slcan stream chunking'));
  });

  it('reports garbage before a BEL, drops overlong lines and stays bounded', () => {
    const decoder = new SlcanStreamDecoder(decodeSlcanResponse);
    const seen: string[] = [];
    const sink = (item: Result<SlcanResponse, { code: string }> | 'bel'): void => { seen.push(item === 'bel' ? 'bel' : item.ok ? item.value.kind : item.error.code); };
    decoder.push(ascii('xx\x07'), sink);
    decoder.push(new Uint8Array(100_000).fill(0x41), sink);
    expect(decoder.pendingBytes()).toBeLessThanOrEqual(SLCAN_LINE_BYTES_MAX);
    decoder.push(ascii('\rz\r'), sink);
    expect(seen).toEqual(['unknown_command', 'bel', 'line_too_long', 'tx_ack']);
    expect(decoder.counters().overlongLines).toBe(1);
  });
});

describe('SLCAN timestamps', () => {
  it('unwraps the 60 s millisecond counter using host time for whole wraps', () => {
    expect(unwrapSlcanTimestamp(undefined, 500, 1_000_000)).toBe(1_000_000);
    const previous = { adapterMillis: 59_990, micros: 5_000_000, hostMicros: 5_000_000 };
    expect(unwrapSlcanTimestamp(previous, 10, 5_020_000)).toBe(5_020_000);
    expect(unwrapSlcanTimestamp(previous, 59_995, 5_005_000)).toBe(5_005_000);
    expect(unwrapSlcanTimestamp(previous, 10, 5_000_000 + 60_020_000)).toBe(5_000_000 + 60_020_000);
  });
});
