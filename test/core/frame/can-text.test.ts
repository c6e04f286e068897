import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canTextProblem, formatCanFrame, parseCanFrame, type CanTextError } from '../../../src/core/frame/can-text.js';
import { classicFrame, type CanFrame } from '../../../src/core/frame/can.js';
import { canFrameArb } from '../../support/can-frames.js';
import { fcParams } from '../../support/seed.js';

function parsed(text: string): CanFrame {
  const result = parseCanFrame(text);
  if (!result.ok) throw new Error(`${text}: ${JSON.stringify(result.error)}`);
  return result.value;
}

function failure(text: string): CanTextError {
  const result = parseCanFrame(text);
  if (result.ok) throw new Error(`${text} parsed`);
  return result.error;
}

const hex = (frame: CanFrame): string => Buffer.from(frame.data).toString('hex');

describe('parseCanFrame: the cansend/candump examples', () => {
  it('classic standard and extended frames', () => {
    expect(parsed('123#DEADBEEF')).toMatchObject({ id: 0x123, extended: false, rtr: false, fd: false, error: false });
    expect(hex(parsed('123#DEADBEEF'))).toBe('deadbeef');
    expect(parsed('5A1#11.2233.44556677.88')).toMatchObject({ id: 0x5a1, extended: false });
    expect(hex(parsed('5A1#11.2233.44556677.88'))).toBe('1122334455667788');
    expect(parsed('5AA#')).toMatchObject({ id: 0x5aa, data: new Uint8Array(0) });
    expect(parsed('1F334455#1122334455667788')).toMatchObject({ id: 0x1f334455, extended: true });
    expect(parsed('00000123#')).toMatchObject({ id: 0x123, extended: true });
    expect(hex(parsed('7ff#deadbeef'))).toBe('deadbeef');
  });

  it('remote frames with and without a length', () => {
    expect(parsed('123#R')).toMatchObject({ id: 0x123, rtr: true, rtrLength: 0, data: new Uint8Array(0) });
    expect(parsed('123#R5')).toMatchObject({ rtr: true, rtrLength: 5 });
    expect(parsed('1F334455#R8')).toMatchObject({ extended: true, rtr: true, rtrLength: 8 });
  });

  it('CAN FD frames with flags', () => {
    expect(parsed('123##1DEADBEEF')).toMatchObject({ fd: true, brs: true, esi: false });
    expect(parsed('123##2')).toMatchObject({ fd: true, brs: false, esi: true, data: new Uint8Array(0) });
    expect(parsed('213##311223344')).toMatchObject({ fd: true, brs: true, esi: true });
    expect(parsed('213##5.11.22.33.44')).toMatchObject({ fd: true, brs: true, esi: false }); // FDF bit accepted
    expect(parsed(`1ABCDEF0##0${'AB'.repeat(64)}`).data).toHaveLength(64);
    expect(parsed(`123##0${'00'.repeat(12)}`).data).toHaveLength(12);
  });

  it('error frames: the flag is on the ID word, class bits go to id', () => {
    const frame = parsed('20000080#0000000000000000');
    expect(frame).toMatchObject({ id: 0x80, error: true, extended: false, rtr: false, fd: false });
    expect(frame.data).toHaveLength(8);
    expect(parsed('3FFFFFFF#')).toMatchObject({ id: 0x1fffffff, error: true });
  });
});

describe('parseCanFrame: typed errors', () => {
  it.each<[string, CanTextError['code']]>([
    ['', 'empty'],
    ['123', 'bad_id'],
    ['12#11', 'bad_id'],
    ['1234#11', 'bad_id'],
    ['12G#11', 'bad_id'],
    ['800#11', 'id_out_of_range'],
    ['40000000#', 'id_out_of_range'],
    ['123#1', 'odd_hex_digits'],
    ['123#1G', 'bad_hex'],
    ['123#..11', 'bad_hex'],
    ['123#112233445566778899', 'too_many_bytes'],
    [`123##0${'00'.repeat(65)}`, 'too_many_bytes'],
    ['123##0112233445566778899', 'bad_fd_length'],
    ['123##8', 'bad_fd_flags'],
    ['123##', 'bad_hex'],
    ['123##G', 'bad_hex'],
    ['123#R9', 'bad_rtr_length'],
    ['123#R55', 'bad_rtr_length'],
    ['123#RX', 'bad_rtr_length'],
    ['20000080#R', 'error_frame_kind'],
    ['20000080##1', 'error_frame_kind'],
    ['123###', 'unsupported'],
    ['123#1122334455667788_9', 'unsupported'],
    ['123#R_9', 'unsupported'],
    [`123#${'.'.repeat(300)}`, 'too_long'],
  ])('%s → %s', (text, code) => {
    expect(failure(text).code).toBe(code);
  });

  it('parses only the given range of a longer string', () => {
    const line = 'xx 123#AABB yy';
    const result = parseCanFrame(line, 3, 11);
    expect(result.ok && hex(result.value)).toBe('aabb');
  });
});

describe('formatCanFrame', () => {
  it('prints canonical can-utils text', () => {
    expect(formatCanFrame(classicFrame(0x44, Uint8Array.of(0x2a, 0x36, 0x6c, 0x2b, 0xba)))).toBe('044#2A366C2BBA');
    expect(formatCanFrame(classicFrame(0x123, Uint8Array.of(0xde, 0xad), true))).toBe('00000123#DEAD');
    expect(formatCanFrame(parsed('123#r'))).toBe('123#R');
    expect(formatCanFrame(parsed('123#R3'))).toBe('123#R3');
    expect(formatCanFrame(parsed('123##3de.ad'))).toBe('123##3DEAD');
    expect(formatCanFrame(parsed('123##4'))).toBe('123##0');
    expect(formatCanFrame(parsed('20000004#0004000000000000'))).toBe('20000004#0004000000000000');
    expect(formatCanFrame({ ...classicFrame(0x1, new Uint8Array(0)), rtr: true })).toBe('001#R');
  });

  it('refuses frames the syntax cannot carry (programmer error)', () => {
    const bad: CanFrame[] = [
      classicFrame(0x800, new Uint8Array(0), false),
      classicFrame(0x123, new Uint8Array(9)),
      { ...classicFrame(0x123, new Uint8Array(9)), fd: true },
      { ...classicFrame(0x123, new Uint8Array(1)), brs: true },
      { ...classicFrame(0x123, new Uint8Array(1)), rtr: true },
      { ...classicFrame(0x123, new Uint8Array(0)), rtr: true, fd: true },
      { ...classicFrame(0x123, new Uint8Array(0)), rtr: true, rtrLength: 9 },
      { ...classicFrame(0x123, new Uint8Array(8)), error: true, fd: true },
    ];
    for (const frame of bad) {
      expect(canTextProblem(frame)).toBeTypeOf('string');
      expect(() => formatCanFrame(frame)).toThrow();
    }
  });

  it('round-trips every valid frame through text (property)', () => {
    fc.assert(fc.property(canFrameArb, (frame) => {
      const text = formatCanFrame(frame);
      expect(parsed(text)).toEqual(frame);
      expect(formatCanFrame(parsed(text.toLowerCase()))).toBe(text);
    }), fcParams('can-text round trip', 5000));
  });

  it('accepts a dot before any byte and still round-trips (property)', () => {
    fc.assert(fc.property(canFrameArb.filter((f) => !f.rtr), fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), (frame, dots) => {
      const text = formatCanFrame(frame);
      const dataStart = text.lastIndexOf('#') + 1 + (frame.fd ? 1 : 0);
      let dotted = text.slice(0, dataStart);
      for (let i = 0; i < frame.data.length; i++) dotted += (dots[i] === true ? '.' : '') + text.slice(dataStart + 2 * i, dataStart + 2 * i + 2);
      expect(parsed(dotted)).toEqual(frame);
    }), fcParams('can-text dots', 2000));
  });
});
