import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classicFrame, type CanFrame } from '../../../src/core/frame/can.js';
import {
  BoundedLineSplitter, decodeLine, encodeFrameLine, encodeRecordLine, recordCrc, SERIAL_LINE_BYTES_MAX, SERIAL_LINK_ID_DEFAULT,
  SerialCounterReceiver, SerialCounterSender, SerialType,
} from '../../../src/core/frame/serial-line.js';
import { getCrc } from '../../../src/core/integrity/crc-catalogue.js';
import { fcParams } from '../../support/seed.js';
import { canFrameArb } from './can-frame-arb.js';

const LINK = SERIAL_LINK_ID_DEFAULT;
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const withoutLf = (line: Uint8Array): Uint8Array => line.subarray(0, line.length - 1);

function frameLine(frame: CanFrame, counter = 0): Uint8Array {
  const line = encodeFrameLine(frame, counter, LINK);
  if (!line.ok) throw new Error(line.error.reason);
  return line.value;
}

describe('serial line format (docs/SERIAL.md)', () => {
  it('encodes the documented example byte for byte', () => {
    const line = frameLine(classicFrame(0x123, Uint8Array.of(0xde, 0xad)), 7);
    expect(text(line)).toBe('F00140007545058463B767BDD000000012302DEAD\n');
  });

  it('uses CRC-32/AUTOSAR over the record without its crc field (catalogue cross-check)', () => {
    const line = frameLine(classicFrame(0x7ff, Uint8Array.of(1, 2, 3)), 0x1234);
    const hex = text(withoutLf(line)).slice(1);
    const record = Uint8Array.from(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
    const covered = new Uint8Array(record.length - 4);
    covered.set(record.subarray(0, 8), 0);
    covered.set(record.subarray(12), 8);
    const expected = getCrc('CRC-32/AUTOSAR').compute(covered);
    expect(recordCrc(record, LINK, SerialType.frame)).toBe(expected);
    expect(new DataView(record.buffer).getUint32(8)).toBe(expected);
  });

  it('round-trips every valid frame and counter', () => {
    fc.assert(fc.property(canFrameArb, fc.integer({ min: 0, max: 0xffff }), (frame, counter) => {
      const decoded = decodeLine(withoutLf(frameLine(frame, counter)), LINK);
      expect(decoded).toEqual({ ok: true, value: { kind: 'frame', counter, frame } });
    }), fcParams('serial-line round trip'));
  });

  it('detects every single-bit flip of a line', () => {
    const line = withoutLf(frameLine(classicFrame(0x1abcdef, Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7), true), 99));
    for (let bit = 0; bit < line.length * 8; bit++) {
      const copy = line.slice();
      copy[bit >> 3]! ^= 1 << (bit & 7);
      expect(decodeLine(copy, LINK).ok, `bit ${bit}`).toBe(false);
    }
  });

  it('detects every double-bit flip of a line', () => {
    const line = withoutLf(frameLine(classicFrame(0x42, Uint8Array.of(0x55, 0xaa)), 1));
    const bits = line.length * 8;
    let undetected = 0;
    for (let a = 0; a < bits; a++) {
      for (let b = a + 1; b < bits; b++) {
        const copy = line.slice();
        copy[a >> 3]! ^= 1 << (a & 7);
        copy[b >> 3]! ^= 1 << (b & 7);
        // A flip pair that makes the last byte a CR shortens the line by one hex digit: still caught.
        if (decodeLine(copy, LINK).ok) undetected++;
      }
    }
    expect(undetected).toBe(0);
  });

  it('returns typed errors for each kind of bad line', () => {
    const good = text(withoutLf(frameLine(classicFrame(1, Uint8Array.of(9)))));
    expect(decodeLine(ascii(''), LINK)).toEqual({ ok: false, error: { code: 'empty_line' } });
    expect(decodeLine(ascii('\r'), LINK)).toEqual({ ok: false, error: { code: 'empty_line' } });
    expect(decodeLine(ascii('X00'), LINK)).toEqual({ ok: false, error: { code: 'unknown_type', typeByte: 0x58 } });
    expect(decodeLine(ascii('F0'), LINK)).toEqual({ ok: false, error: { code: 'odd_hex_length', digits: 1 } });
    expect(decodeLine(ascii('F0G'), LINK).ok).toBe(false);
    expect(decodeLine(ascii('F00'), LINK)).toEqual({ ok: false, error: { code: 'record_too_short', lengthBytes: 1 } });
    expect(decodeLine(ascii(good.toLowerCase().replace(/^f/, 'F')), LINK)).toMatchObject({ ok: false, error: { code: 'bad_hex' } });
    expect(decodeLine(ascii(`${good}00`), LINK)).toMatchObject({ ok: false, error: { code: 'length_mismatch' } });
    expect(decodeLine(ascii(good), 0x123456)).toMatchObject({ ok: false, error: { code: 'data_id_mismatch' } });
    expect(decodeLine(new Uint8Array(SERIAL_LINE_BYTES_MAX + 1).fill(0x46), LINK)).toMatchObject({ ok: false, error: { code: 'line_too_long' } });
    const corrupt = good.slice(0, -1) + (good.endsWith('0') ? '1' : '0');
    expect(decodeLine(ascii(corrupt), LINK)).toMatchObject({ ok: false, error: { code: 'crc_mismatch' } });
  });

  it('tolerates a CR before the LF and passes comment lines through', () => {
    const line = text(withoutLf(frameLine(classicFrame(5, new Uint8Array(0)))));
    expect(decodeLine(ascii(`${line}\r`), LINK).ok).toBe(true);
    expect(decodeLine(ascii('# boot ok\x01'), LINK)).toEqual({ ok: true, value: { kind: 'comment', text: ' boot ok?' } });
  });

  it('rejects frame bodies that are not CAN frames', () => {
    const body = Uint8Array.of(0x00, 0, 0, 0x08, 0x00, 0); // standard frame with id 0x800
    expect(decodeLine(withoutLf(encodeRecordLine(SerialType.frame, body, 0, LINK)), LINK)).toMatchObject({ ok: false, error: { code: 'bad_body' } });
    const flags = Uint8Array.of(0x40, 0, 0, 0, 1, 0);
    expect(decodeLine(withoutLf(encodeRecordLine(SerialType.frame, flags, 0, LINK)), LINK)).toMatchObject({ ok: false, error: { code: 'bad_body' } });
    expect(encodeFrameLine({ ...classicFrame(1, new Uint8Array(9)) }, 0, LINK)).toMatchObject({ ok: false, error: { code: 'invalid_frame' } });
  });

  it('carries the reserved rig messages (Q request, A answer, E event)', () => {
    const request = withoutLf(encodeRecordLine(SerialType.request, Uint8Array.of(0x02, 0x11, 0xaa), 3, LINK));
    expect(decodeLine(request, LINK)).toEqual({ ok: true, value: { kind: 'request', counter: 3, opcode: 2, tag: 0x11, args: Uint8Array.of(0xaa) } });
    const answer = withoutLf(encodeRecordLine(SerialType.answer, Uint8Array.of(0x02, 0x11, 0, 1, 2), 4, LINK));
    expect(decodeLine(answer, LINK)).toEqual({ ok: true, value: { kind: 'answer', counter: 4, opcode: 2, tag: 0x11, status: 0, payload: Uint8Array.of(1, 2) } });
    const event = withoutLf(encodeRecordLine(SerialType.event, Uint8Array.of(7), 5, LINK));
    expect(decodeLine(event, LINK)).toEqual({ ok: true, value: { kind: 'event', counter: 5, payload: Uint8Array.of(7) } });
    expect(decodeLine(withoutLf(encodeRecordLine(SerialType.request, Uint8Array.of(1), 0, LINK)), LINK)).toMatchObject({ ok: false, error: { code: 'bad_body' } });
  });
});

describe('serial line counters (Profile 4 counter check)', () => {
  it('numbers each type separately and wraps at 2^16', () => {
    const sender = new SerialCounterSender();
    expect([sender.take(SerialType.frame), sender.take(SerialType.frame), sender.take(SerialType.request)]).toEqual([0, 1, 0]);
    for (let i = 2; i < 0x10000; i++) sender.take(SerialType.frame);
    expect(sender.take(SerialType.frame)).toBe(0);
  });

  it('classifies steps: ok, lost, repeated, wrong sequence, wrap', () => {
    const receiver = new SerialCounterReceiver(4);
    const F = SerialType.frame;
    expect(receiver.check(F, 0)).toEqual({ status: 'ok', lost: 0 });
    expect(receiver.check(F, 1)).toEqual({ status: 'ok', lost: 0 });
    expect(receiver.check(F, 1)).toEqual({ status: 'repeated', lost: 0 });
    expect(receiver.check(F, 4)).toEqual({ status: 'ok_some_lost', lost: 2 });
    expect(receiver.check(F, 100)).toEqual({ status: 'wrong_sequence', lost: 0 });
    expect(receiver.check(F, 101)).toEqual({ status: 'ok', lost: 0 });
    expect(receiver.check(SerialType.answer, 500)).toEqual({ status: 'wrong_sequence', lost: 0 });
    const wrap = new SerialCounterReceiver();
    wrap.check(F, 0xffff);
    expect(wrap.check(F, 0)).toEqual({ status: 'ok', lost: 0 });
  });
});

describe('BoundedLineSplitter', () => {
  it('gives the same lines however the stream is chunked', () => {
    fc.assert(fc.property(fc.array(fc.stringMatching(/^[A-Z0-9]{0,20}$/), { maxLength: 10 }), fc.array(fc.nat(40), { maxLength: 10 }), (lines, cuts) => {
      const stream = ascii(lines.map((l) => `${l}\n`).join(''));
      const splitter = new BoundedLineSplitter(32, [0x0a]);
      const seen: string[] = [];
      let at = 0;
      for (const cut of [...cuts, stream.length]) {
        const end = Math.min(stream.length, at + cut);
        splitter.push(stream.subarray(at, end), (line) => seen.push(text(line)), () => { throw new Error('no overflow expected'); });
        at = end;
      }
      expect(seen).toEqual(lines);
    }), fcParams('splitter chunking'));
  });

  it('drops an overlong line, reports it once, and resynchronises at the next terminator', () => {
    const splitter = new BoundedLineSplitter(4, [0x0a]);
    const seen: string[] = [];
    let overflows = 0;
    splitter.push(ascii('ab\n123456789\ncd\n'), (line) => seen.push(text(line)), () => overflows++);
    expect(seen).toEqual(['ab', 'cd']);
    expect(overflows).toBe(1);
    splitter.push(new Uint8Array(1_000_000).fill(0x41), () => seen.push('?'), () => overflows++);
    expect(splitter.pendingBytes()).toBeLessThanOrEqual(4);
    expect(overflows).toBe(2);
  });
});
