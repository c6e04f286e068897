/**
 * The Triplex serial line format: one message per ASCII line, E2E-protected, so that a
 * board's firmware (C, see docs/SERIAL.md for the byte-for-byte layout) and the host can
 * exchange CAN-like frames and, later, rig commands over a plain UART.
 *
 *   line   = type 2*N(HEXDIG) [CR] LF            (type: one ASCII letter; '#' = comment)
 *   record = header(12) body                      (the hex digits decode to the record)
 *   header = length u16 | counter u16 | dataId u32 | crc u32     (big-endian)
 *
 * The header is the AUTOSAR E2E Profile 4 layout at offset 0: `length` counts the whole
 * record, `dataId = (linkId << 8) | typeByte`, `crc` is CRC-32/AUTOSAR (the Profile 4 CRC)
 * over the record with the crc field left out; protection and the counter check are the
 * project's Profile 4 (./e2e/profile4.ts). Pure code: no I/O, no clock.
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';
import { CAN_CLASSIC_DATA_BYTES_MAX, CAN_EFF_MASK, CAN_FD_LENGTHS, CAN_SFF_MASK, type CanFrame } from './can.js';
import { createCheckState, evaluateCounter, type CheckState } from './e2e/check-status.js';
import { createP4Config, P4_COUNTER_MAX, P4_COUNTER_MODULO, p4Crc, protectP4, type P4Config } from './e2e/profile4.js';

/** Longest line, in bytes, not counting the terminating LF (type + hex + optional CR). */
export const SERIAL_LINE_BYTES_MAX = 512;
/** Longest record (header + body) the hex part of a line can carry: (512 - type - CR) / 2. */
export const SERIAL_RECORD_BYTES_MAX = 255;
export const SERIAL_HEADER_BYTES = 12;
export const SERIAL_BODY_BYTES_MAX = SERIAL_RECORD_BYTES_MAX - SERIAL_HEADER_BYTES;
/** Default 24-bit link ID ('TPX'); both ends of a link must agree on it. */
export const SERIAL_LINK_ID_DEFAULT = 0x545058;
/** Largest counter step still accepted as "some lost" rather than a wrong sequence. */
export const SERIAL_COUNTER_DELTA_MAX = 64;

/** Message types. Letters not listed are reserved and decode as `unknown_type`. */
export const SerialType = {
  /** A CAN-like frame (FrameBus traffic). */
  frame: 0x46, // 'F'
  /** Rig command request (host to board): opcode, tag, arguments. Reserved for the firmware bridge. */
  request: 0x51, // 'Q'
  /** Rig command answer (board to host): opcode, tag, status, payload. */
  answer: 0x41, // 'A'
  /** Unsolicited board event (scrub report, heartbeat): opaque payload. */
  event: 0x45, // 'E'
} as const;
export const SERIAL_COMMENT_BYTE = 0x23; // '#'

/** Rig command opcodes reserved for 'Q'/'A' lines (implemented by the firmware bridge). */
export const RigOpcode = { status: 0x01, peek: 0x02, poke: 0x03, flip: 0x04, scrub: 0x05, reset: 0x06, hang: 0x07 } as const;

/** Flag bits of the first body byte of an 'F' line. */
export const FrameFlag = { extended: 0x01, rtr: 0x02, fd: 0x04, brs: 0x08, esi: 0x10, error: 0x20 } as const;
const FRAME_FLAGS_KNOWN = 0x3f;
const FRAME_BODY_HEADER_BYTES = 6; // flags u8, id u32, length u8

export type SerialMessage =
  | { readonly kind: 'frame'; readonly counter: number; readonly frame: CanFrame }
  | { readonly kind: 'request'; readonly counter: number; readonly opcode: number; readonly tag: number; readonly args: Uint8Array }
  | { readonly kind: 'answer'; readonly counter: number; readonly opcode: number; readonly tag: number; readonly status: number; readonly payload: Uint8Array }
  | { readonly kind: 'event'; readonly counter: number; readonly payload: Uint8Array }
  | { readonly kind: 'comment'; readonly text: string };

export type SerialLineError =
  | { readonly code: 'empty_line' }
  | { readonly code: 'line_too_long'; readonly lengthBytes: number; readonly lengthBytesMax: number }
  | { readonly code: 'unknown_type'; readonly typeByte: number }
  | { readonly code: 'bad_hex'; readonly offset: number }
  | { readonly code: 'odd_hex_length'; readonly digits: number }
  | { readonly code: 'record_too_short'; readonly lengthBytes: number }
  | { readonly code: 'length_mismatch'; readonly declared: number; readonly actual: number }
  | { readonly code: 'data_id_mismatch'; readonly expected: number; readonly actual: number }
  | { readonly code: 'crc_mismatch'; readonly expected: number; readonly actual: number }
  | { readonly code: 'bad_body'; readonly reason: string };

// ---------------------------------------------------------------------------------------
// E2E: the header is Profile 4 at offset 0 (src/core/frame/e2e/profile4.ts does the CRC,
// protect and counter evaluation; this file adds typed errors for each failed field).

/** The Profile 4 configuration of one message type on one link. */
export function serialP4Config(linkId: number, typeByte: number, maxDeltaCounter = SERIAL_COUNTER_DELTA_MAX): P4Config {
  return createP4Config({
    dataId: serialDataId(linkId, typeByte), offsetBytes: 0, minDataLengthBytes: SERIAL_HEADER_BYTES,
    maxDataLengthBytes: SERIAL_RECORD_BYTES_MAX, maxDeltaCounter,
  });
}

/** The Profile 4 CRC of a record (CRC-32/AUTOSAR over the record without its crc field). */
export function recordCrc(record: Uint8Array, linkId: number, typeByte: number): number {
  return p4Crc(serialP4Config(linkId, typeByte), record);
}

export function serialDataId(linkId: number, typeByte: number): number {
  return ((linkId << 8) | typeByte) >>> 0;
}

// ---------------------------------------------------------------------------------------
// Hex

const HEX_DIGITS = '0123456789ABCDEF';

/** Uppercase only: accepting 'a'..'f' too would let a flip of bit 5 ('A' to 'a') pass unseen. */
function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/** Writes `bytes` as uppercase hex ASCII into `out` at `offset`; returns the end offset. */
function writeHex(out: Uint8Array, offset: number, bytes: Uint8Array): number {
  let at = offset;
  for (const byte of bytes) {
    out[at++] = HEX_DIGITS.charCodeAt(byte >>> 4);
    out[at++] = HEX_DIGITS.charCodeAt(byte & 0x0f);
  }
  return at;
}

function readHex(line: Uint8Array, start: number, end: number): Result<Uint8Array, SerialLineError> {
  const digits = end - start;
  if (digits % 2 !== 0) return err({ code: 'odd_hex_length', digits });
  const out = new Uint8Array(digits / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(line[start + 2 * i] ?? 0);
    const lo = hexValue(line[start + 2 * i + 1] ?? 0);
    if (hi < 0) return err({ code: 'bad_hex', offset: start + 2 * i });
    if (lo < 0) return err({ code: 'bad_hex', offset: start + 2 * i + 1 });
    out[i] = (hi << 4) | lo;
  }
  return ok(out);
}

// ---------------------------------------------------------------------------------------
// Encoding

/** Builds one line (with its LF) from a type, a counter and a body. Body size is the caller's invariant. */
export function encodeRecordLine(typeByte: number, body: Uint8Array, counter: number, linkId: number): Uint8Array {
  assert(isTypeLetter(typeByte), `serial line type must be an ASCII letter, got ${typeByte}`);
  assert(body.length <= SERIAL_BODY_BYTES_MAX, `serial body of ${body.length} bytes exceeds ${SERIAL_BODY_BYTES_MAX}`);
  assert(Number.isInteger(counter) && counter >= 0 && counter <= 0xffff, `bad counter ${counter}`);
  const record = new Uint8Array(SERIAL_HEADER_BYTES + body.length);
  record.set(body, SERIAL_HEADER_BYTES);
  protectP4(serialP4Config(linkId, typeByte), { counter }, record);
  const line = new Uint8Array(1 + 2 * record.length + 1);
  line[0] = typeByte;
  const end = writeHex(line, 1, record);
  line[end] = 0x0a;
  assert(end + 1 === line.length && line.length - 1 <= SERIAL_LINE_BYTES_MAX, 'encoded serial line has the wrong length');
  return line;
}

/** Why `frame` cannot be sent as a CAN frame, or undefined when it can. */
export function canFrameProblem(frame: CanFrame): string | undefined {
  const idMax = frame.error ? CAN_EFF_MASK : frame.extended ? CAN_EFF_MASK : CAN_SFF_MASK;
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > idMax) return `id ${frame.id} out of range 0..${idMax}`;
  if (frame.fd && frame.rtr) return 'CAN FD has no remote frames';
  if (!frame.fd && (frame.brs || frame.esi)) return 'brs/esi need an FD frame';
  if (frame.rtr) return rtrProblem(frame);
  if (frame.fd) return CAN_FD_LENGTHS.includes(frame.data.length) ? undefined : `FD data length ${frame.data.length} is not a valid FD size`;
  return frame.data.length <= CAN_CLASSIC_DATA_BYTES_MAX ? undefined : `classic data length ${frame.data.length} exceeds 8`;
}

function rtrProblem(frame: CanFrame): string | undefined {
  if (frame.data.length !== 0) return 'a remote frame carries no data';
  const length = frame.rtrLength ?? 0;
  return Number.isInteger(length) && length >= 0 && length <= CAN_CLASSIC_DATA_BYTES_MAX ? undefined : `rtrLength ${length} out of range 0..8`;
}

function frameFlags(frame: CanFrame): number {
  return (frame.extended ? FrameFlag.extended : 0) | (frame.rtr ? FrameFlag.rtr : 0) | (frame.fd ? FrameFlag.fd : 0) |
    (frame.brs ? FrameFlag.brs : 0) | (frame.esi ? FrameFlag.esi : 0) | (frame.error ? FrameFlag.error : 0);
}

/** The 'F' line for a frame, or why the frame is invalid. */
export function encodeFrameLine(frame: CanFrame, counter: number, linkId: number): Result<Uint8Array, { readonly code: 'invalid_frame'; readonly reason: string }> {
  const problem = canFrameProblem(frame);
  if (problem !== undefined) return err({ code: 'invalid_frame', reason: problem });
  const body = new Uint8Array(FRAME_BODY_HEADER_BYTES + frame.data.length);
  const view = new DataView(body.buffer);
  view.setUint8(0, frameFlags(frame));
  view.setUint32(1, frame.id);
  view.setUint8(5, frame.rtr ? (frame.rtrLength ?? 0) : frame.data.length);
  body.set(frame.data, FRAME_BODY_HEADER_BYTES);
  return ok(encodeRecordLine(SerialType.frame, body, counter, linkId));
}

// ---------------------------------------------------------------------------------------
// Decoding

function isTypeLetter(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

function decodeComment(line: Uint8Array, end: number): SerialMessage {
  let text = '';
  for (let i = 1; i < end; i++) {
    const byte = line[i] ?? 0;
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '?';
  }
  return { kind: 'comment', text };
}

/**
 * Decodes one line (without its LF; a trailing CR is tolerated). `linkId` is the link's
 * 24-bit ID, checked through the data ID. Never throws; work is bounded by the line length.
 */
export function decodeLine(line: Uint8Array, linkId: number): Result<SerialMessage, SerialLineError> {
  const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
  if (line.length > SERIAL_LINE_BYTES_MAX) return err({ code: 'line_too_long', lengthBytes: line.length, lengthBytesMax: SERIAL_LINE_BYTES_MAX });
  const typeByte = line[0];
  if (typeByte === undefined || end === 0) return err({ code: 'empty_line' });
  if (typeByte === SERIAL_COMMENT_BYTE) return ok(decodeComment(line, end));
  if (!isKnownType(typeByte)) return err({ code: 'unknown_type', typeByte });
  const record = readHex(line, 1, end);
  if (!record.ok) return record;
  const checked = checkRecord(record.value, typeByte, linkId);
  if (!checked.ok) return checked;
  return decodeBody(typeByte, checked.value.counter, record.value.subarray(SERIAL_HEADER_BYTES));
}

function isKnownType(byte: number): boolean {
  return byte === SerialType.frame || byte === SerialType.request || byte === SerialType.answer || byte === SerialType.event;
}

function checkRecord(record: Uint8Array, typeByte: number, linkId: number): Result<{ counter: number }, SerialLineError> {
  if (record.length < SERIAL_HEADER_BYTES) return err({ code: 'record_too_short', lengthBytes: record.length });
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const declared = view.getUint16(0);
  if (declared !== record.length) return err({ code: 'length_mismatch', declared, actual: record.length });
  const expectedCrc = view.getUint32(8);
  const actualCrc = recordCrc(record, linkId, typeByte);
  if (expectedCrc !== actualCrc) return err({ code: 'crc_mismatch', expected: expectedCrc, actual: actualCrc });
  const dataId = view.getUint32(4);
  const expectedId = serialDataId(linkId, typeByte);
  if (dataId !== expectedId) return err({ code: 'data_id_mismatch', expected: expectedId, actual: dataId });
  return ok({ counter: view.getUint16(2) });
}

function decodeBody(typeByte: number, counter: number, body: Uint8Array): Result<SerialMessage, SerialLineError> {
  const copy = (from: number): Uint8Array => body.slice(from);
  switch (typeByte) {
    case SerialType.frame:
      return decodeFrameBody(counter, body);
    case SerialType.request:
      if (body.length < 2) return err({ code: 'bad_body', reason: 'request needs opcode and tag' });
      return ok({ kind: 'request', counter, opcode: body[0] ?? 0, tag: body[1] ?? 0, args: copy(2) });
    case SerialType.answer:
      if (body.length < 3) return err({ code: 'bad_body', reason: 'answer needs opcode, tag and status' });
      return ok({ kind: 'answer', counter, opcode: body[0] ?? 0, tag: body[1] ?? 0, status: body[2] ?? 0, payload: copy(3) });
    default:
      return ok({ kind: 'event', counter, payload: copy(0) });
  }
}

function decodeFrameBody(counter: number, body: Uint8Array): Result<SerialMessage, SerialLineError> {
  if (body.length < FRAME_BODY_HEADER_BYTES) return err({ code: 'bad_body', reason: `frame body of ${body.length} bytes is shorter than 6` });
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const flags = view.getUint8(0);
  if ((flags & ~FRAME_FLAGS_KNOWN) !== 0) return err({ code: 'bad_body', reason: `unknown frame flags 0x${flags.toString(16)}` });
  const length = view.getUint8(5);
  const rtr = (flags & FrameFlag.rtr) !== 0;
  const dataBytes = body.length - FRAME_BODY_HEADER_BYTES;
  if (!rtr && length !== dataBytes) return err({ code: 'bad_body', reason: `frame length ${length} but ${dataBytes} data bytes` });
  const frame: CanFrame = {
    id: view.getUint32(1),
    extended: (flags & FrameFlag.extended) !== 0,
    rtr,
    ...(rtr ? { rtrLength: length } : {}),
    fd: (flags & FrameFlag.fd) !== 0,
    brs: (flags & FrameFlag.brs) !== 0,
    esi: (flags & FrameFlag.esi) !== 0,
    error: (flags & FrameFlag.error) !== 0,
    data: body.slice(FRAME_BODY_HEADER_BYTES),
  };
  const problem = canFrameProblem(frame);
  if (problem !== undefined) return err({ code: 'bad_body', reason: problem });
  return ok({ kind: 'frame', counter, frame });
}

// ---------------------------------------------------------------------------------------
// Counters (the sequence half of E2E): one 16-bit counter per type letter and direction.

export type CounterStatus = 'ok' | 'ok_some_lost' | 'repeated' | 'wrong_sequence';

const TYPE_SLOTS = 26;

function typeSlot(typeByte: number): number {
  const upper = typeByte & ~0x20;
  assert(upper >= 0x41 && upper <= 0x5a, `type ${typeByte} is not a letter`);
  return upper - 0x41;
}

/** The sender's counters: the next counter for each type, wrapping at 2^16. */
export class SerialCounterSender {
  private readonly next = new Uint16Array(TYPE_SLOTS);

  take(typeByte: number): number {
    const slot = typeSlot(typeByte);
    const counter = this.next[slot] ?? 0;
    this.next[slot] = (counter + 1) & 0xffff;
    return counter;
  }
}

/**
 * The receiver's counter check, one Profile 4 check state per type (evaluateCounter): a step
 * of 1 is ok, 2..deltaMax means some were lost, 0 is a repeat (drop it), any other step is a
 * wrong sequence (e.g. a restarted peer: accept and resynchronise, but count it). As in
 * AUTOSAR's CheckInit, the state starts at 0xFFFF so that a first counter of 0 is ok.
 */
export class SerialCounterReceiver {
  private readonly states: CheckState[] = Array.from({ length: TYPE_SLOTS }, () => createCheckState(P4_COUNTER_MAX));

  constructor(private readonly deltaMax = SERIAL_COUNTER_DELTA_MAX) {
    assert(Number.isInteger(deltaMax) && deltaMax >= 1 && deltaMax <= P4_COUNTER_MAX, `bad counter deltaMax ${deltaMax}`);
  }

  check(typeByte: number, counter: number): { readonly status: CounterStatus; readonly lost: number } {
    const state = this.states[typeSlot(typeByte)];
    assert(state !== undefined, 'one check state per type letter');
    const status = evaluateCounter(state, counter, P4_COUNTER_MODULO, this.deltaMax);
    if (status === 'REPEATED') return { status: 'repeated', lost: 0 };
    if (status === 'WRONGSEQUENCE') return { status: 'wrong_sequence', lost: 0 };
    const lost = state.lostFramesLast;
    return lost === 0 ? { status: 'ok', lost: 0 } : { status: 'ok_some_lost', lost };
  }
}

// ---------------------------------------------------------------------------------------
// A bounded line splitter for byte streams (used by SLCAN; the serial bus wraps parser-readline).

/**
 * Splits a byte stream into lines at any of the terminator bytes, in a buffer allocated once.
 * A line longer than `lineBytesMax` is discarded up to the next terminator and reported
 * once through `onOverflow`; memory never grows with the input.
 */
export class BoundedLineSplitter {
  private readonly buffer: Uint8Array;
  private length = 0;
  private discarding = false;

  constructor(
    readonly lineBytesMax: number,
    private readonly terminators: readonly number[],
  ) {
    assert(Number.isInteger(lineBytesMax) && lineBytesMax > 0, `bad lineBytesMax ${lineBytesMax}`);
    assert(terminators.length > 0, 'a splitter needs a terminator');
    this.buffer = new Uint8Array(lineBytesMax);
  }

  /** Bytes held for the current unfinished line (always ≤ lineBytesMax). */
  pendingBytes(): number {
    return this.length;
  }

  /**
   * Feeds a chunk. `onLine` gets a view of the line (valid only during the call) and the
   * terminator byte; `onOverflow` is called once per overlong line, when it starts to overflow.
   */
  push(chunk: Uint8Array, onLine: (line: Uint8Array, terminator: number) => void, onOverflow: () => void): void {
    for (const byte of chunk) {
      if (this.terminators.includes(byte)) {
        if (!this.discarding) onLine(this.buffer.subarray(0, this.length), byte);
        this.discarding = false;
        this.length = 0;
      } else if (this.discarding) {
        continue;
      } else if (this.length === this.lineBytesMax) {
        this.discarding = true;
        this.length = 0;
        onOverflow();
      } else {
        this.buffer[this.length++] = byte;
      }
    }
    assert(this.length <= this.lineBytesMax, 'splitter buffer overran its bound');
  }

  reset(): void {
    this.length = 0;
    this.discarding = false;
  }
}
