/**
 * SLCAN (Lawicel ASCII) codec for USB-CAN adapters: commands the host sends, and the
 * responses and received frames an adapter sends back. Pure: no I/O, no clock.
 *
 * Every command and every response line ends in CR (0x0D). An adapter answers a command
 * with CR (ok) or BEL (0x07, error); after `t`/`T` a Lawicel adapter answers `z`/`Z` CR,
 * other adapters answer CR or nothing, so a host must never wait for an answer.
 * The CAN FD letters (d/D without bit-rate switch, b/B with it, Y data bit rate) follow the
 * CANable 2 firmware; their DLC digit 9..F means 12..64 bytes.
 */
import { err, ok, type Result } from '../result.js';
import { CAN_FD_LENGTHS, type CanFrame } from './can.js';
import { BoundedLineSplitter, canFrameProblem } from './serial-line.js';

export const SLCAN_CR = 0x0d;
export const SLCAN_BEL = 0x07;
/** Longest line: 'D' + 8 id + 1 dlc + 128 data + 4 timestamp = 142; rounded up. */
export const SLCAN_LINE_BYTES_MAX = 160;
/** S0..S8 nominal bit rates (bit/s), index = the digit. */
export const SLCAN_BITRATES_BPS: readonly number[] = [10_000, 20_000, 50_000, 100_000, 125_000, 250_000, 500_000, 800_000, 1_000_000];
/** Y0..Y5 CAN FD data bit rates (bit/s), index = the digit. */
export const SLCAN_DATA_BITRATES_BPS: readonly number[] = [500_000, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000];
/** Adapter timestamps (Z1) count milliseconds and wrap at 60,000. */
export const SLCAN_TIMESTAMP_WRAP_MILLIS = 60_000;

/** Lawicel status flags (the `F` answer). */
export const SlcanStatusFlag = {
  rxFifoFull: 0x01, txFifoFull: 0x02, errorWarning: 0x04, dataOverrun: 0x08,
  errorPassive: 0x20, arbitrationLost: 0x40, busError: 0x80,
} as const;

export type SlcanCommand =
  | { readonly kind: 'open' }
  | { readonly kind: 'listen' }
  | { readonly kind: 'close' }
  | { readonly kind: 'bitrate'; readonly code: number }
  | { readonly kind: 'btr'; readonly btr0: number; readonly btr1: number }
  | { readonly kind: 'data_bitrate'; readonly code: number }
  | { readonly kind: 'status' }
  | { readonly kind: 'version' }
  | { readonly kind: 'serial' }
  | { readonly kind: 'timestamps'; readonly on: boolean }
  | { readonly kind: 'frame'; readonly frame: CanFrame };

export type SlcanResponse =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error' }
  | { readonly kind: 'tx_ack'; readonly extended: boolean }
  | { readonly kind: 'frame'; readonly frame: CanFrame; readonly timestampMillis?: number }
  | { readonly kind: 'status'; readonly flags: number }
  | { readonly kind: 'version'; readonly text: string }
  | { readonly kind: 'serial'; readonly text: string };

export type SlcanError =
  | { readonly code: 'empty_line' }
  | { readonly code: 'line_too_long'; readonly lengthBytes: number; readonly lengthBytesMax: number }
  | { readonly code: 'unknown_command'; readonly letter: number }
  | { readonly code: 'bad_hex'; readonly offset: number }
  | { readonly code: 'bad_length'; readonly expected: number; readonly actual: number }
  | { readonly code: 'bad_argument'; readonly reason: string }
  | { readonly code: 'bad_frame'; readonly reason: string };

// ---------------------------------------------------------------------------------------
// Frames: t iii l dd.. | T iiiiiiii l dd.. | r iii l | R iiiiiiii l | d/D/b/B (FD) [tttt]

interface FrameLetter { readonly extended: boolean; readonly rtr: boolean; readonly fd: boolean; readonly brs: boolean }

const FRAME_LETTERS: ReadonlyMap<number, FrameLetter> = new Map([
  [0x74, { extended: false, rtr: false, fd: false, brs: false }], // t
  [0x54, { extended: true, rtr: false, fd: false, brs: false }], // T
  [0x72, { extended: false, rtr: true, fd: false, brs: false }], // r
  [0x52, { extended: true, rtr: true, fd: false, brs: false }], // R
  [0x64, { extended: false, rtr: false, fd: true, brs: false }], // d
  [0x44, { extended: true, rtr: false, fd: true, brs: false }], // D
  [0x62, { extended: false, rtr: false, fd: true, brs: true }], // b
  [0x42, { extended: true, rtr: false, fd: true, brs: true }], // B
]);

function frameLetter(f: FrameLetter): string {
  if (f.fd) return f.brs ? (f.extended ? 'B' : 'b') : f.extended ? 'D' : 'd';
  if (f.rtr) return f.extended ? 'R' : 'r';
  return f.extended ? 'T' : 't';
}

const HEX = '0123456789ABCDEF';

function hex(value: number, digits: number): string {
  let out = '';
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += HEX.charAt((value >>> shift) & 0xf);
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** Reads `digits` hex digits at `offset`; -1 when one is not hex or the line is short. */
function readHexNumber(line: Uint8Array, offset: number, digits: number): number {
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const digit = hexValue(line[offset + i] ?? 0);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** Why `frame` cannot travel as SLCAN, or undefined when it can. */
export function slcanFrameProblem(frame: CanFrame): string | undefined {
  if (frame.error) return 'SLCAN cannot carry error frames';
  if (frame.esi) return 'SLCAN cannot carry the ESI bit';
  return canFrameProblem(frame);
}

/** Encodes a frame line without the CR; `timestampMillis` appends the Z1 field. */
export function encodeSlcanFrame(frame: CanFrame, timestampMillis?: number): Result<string, { readonly code: 'invalid_frame'; readonly reason: string }> {
  const problem = slcanFrameProblem(frame);
  if (problem !== undefined) return err({ code: 'invalid_frame', reason: problem });
  const length = frame.rtr ? (frame.rtrLength ?? 0) : frame.data.length;
  const dlc = frame.fd ? CAN_FD_LENGTHS.indexOf(length) : length;
  let line = frameLetter(frame) + hex(frame.id, frame.extended ? 8 : 3) + HEX.charAt(dlc);
  if (!frame.rtr) for (const byte of frame.data) line += hex(byte, 2);
  if (timestampMillis !== undefined) line += hex(timestampMillis % SLCAN_TIMESTAMP_WRAP_MILLIS, 4);
  return ok(line);
}

function dlcLength(dlc: number, fd: boolean): number {
  if (fd) return CAN_FD_LENGTHS[dlc] ?? -1;
  return dlc <= 8 ? dlc : -1;
}

/** Decodes a frame line (letter already known to be a frame letter). */
function decodeFrameLine(line: Uint8Array, shape: FrameLetter, allowTimestamp: boolean): Result<{ frame: CanFrame; timestampMillis?: number }, SlcanError> {
  const idDigits = shape.extended ? 8 : 3;
  const id = readHexNumber(line, 1, idDigits);
  if (id < 0) return err({ code: 'bad_hex', offset: 1 });
  const dlc = hexValue(line[1 + idDigits] ?? 0);
  if (dlc < 0) return err({ code: 'bad_hex', offset: 1 + idDigits });
  const length = dlcLength(dlc, shape.fd);
  if (length < 0) return err({ code: 'bad_frame', reason: `DLC ${dlc} is not valid for ${shape.fd ? 'CAN FD' : 'classic CAN'}` });
  const dataStart = 2 + idDigits;
  const dataDigits = shape.rtr ? 0 : 2 * length;
  const rest = line.length - dataStart - dataDigits;
  if (rest !== 0 && !(allowTimestamp && rest === 4)) return err({ code: 'bad_length', expected: dataStart + dataDigits, actual: line.length });
  const data = new Uint8Array(shape.rtr ? 0 : length);
  for (let i = 0; i < data.length; i++) {
    const byte = readHexNumber(line, dataStart + 2 * i, 2);
    if (byte < 0) return err({ code: 'bad_hex', offset: dataStart + 2 * i });
    data[i] = byte;
  }
  const frame: CanFrame = { id, extended: shape.extended, rtr: shape.rtr, ...(shape.rtr ? { rtrLength: length } : {}), fd: shape.fd, brs: shape.brs, esi: false, error: false, data };
  const problem = slcanFrameProblem(frame);
  if (problem !== undefined) return err({ code: 'bad_frame', reason: problem });
  if (rest === 0) return ok({ frame });
  const stamp = readHexNumber(line, dataStart + dataDigits, 4);
  if (stamp < 0) return err({ code: 'bad_hex', offset: dataStart + dataDigits });
  if (stamp >= SLCAN_TIMESTAMP_WRAP_MILLIS) return err({ code: 'bad_argument', reason: `timestamp ${stamp} ms is not below 60000` });
  return ok({ frame, timestampMillis: stamp });
}

// ---------------------------------------------------------------------------------------
// Commands (host to adapter)

/** Encodes a command with its CR. Frames are validated; other commands are built by the caller. */
export function encodeSlcanCommand(command: SlcanCommand): Result<string, { readonly code: 'invalid_frame'; readonly reason: string }> {
  switch (command.kind) {
    case 'open': return ok('O\r');
    case 'listen': return ok('L\r');
    case 'close': return ok('C\r');
    case 'bitrate': return ok(`S${HEX.charAt(command.code & 0xf)}\r`);
    case 'btr': return ok(`s${hex(command.btr0, 2)}${hex(command.btr1, 2)}\r`);
    case 'data_bitrate': return ok(`Y${HEX.charAt(command.code & 0xf)}\r`);
    case 'status': return ok('F\r');
    case 'version': return ok('V\r');
    case 'serial': return ok('N\r');
    case 'timestamps': return ok(command.on ? 'Z1\r' : 'Z0\r');
    case 'frame': {
      const line = encodeSlcanFrame(command.frame);
      return line.ok ? ok(`${line.value}\r`) : line;
    }
  }
}

function checkLength(line: Uint8Array, expected: number): Result<void, SlcanError> {
  return line.length === expected ? ok(undefined) : err({ code: 'bad_length', expected, actual: line.length });
}

function decodeDigitCommand(line: Uint8Array, limit: number, make: (code: number) => SlcanCommand): Result<SlcanCommand, SlcanError> {
  const length = checkLength(line, 2);
  if (!length.ok) return length;
  const code = (line[1] ?? 0) - 0x30;
  if (code < 0 || code >= limit) return err({ code: 'bad_argument', reason: `digit must be 0..${limit - 1}` });
  return ok(make(code));
}

function decodeBareCommand(line: Uint8Array, command: SlcanCommand): Result<SlcanCommand, SlcanError> {
  const length = checkLength(line, 1);
  return length.ok ? ok(command) : length;
}

/** Decodes one command line (without its CR). Never throws; bounded by the line length. */
export function decodeSlcanCommand(line: Uint8Array): Result<SlcanCommand, SlcanError> {
  const letter = line[0];
  if (letter === undefined) return err({ code: 'empty_line' });
  if (line.length > SLCAN_LINE_BYTES_MAX) return err({ code: 'line_too_long', lengthBytes: line.length, lengthBytesMax: SLCAN_LINE_BYTES_MAX });
  const shape = FRAME_LETTERS.get(letter);
  if (shape !== undefined) {
    const frame = decodeFrameLine(line, shape, false);
    return frame.ok ? ok({ kind: 'frame', frame: frame.value.frame }) : frame;
  }
  switch (letter) {
    case 0x4f: return decodeBareCommand(line, { kind: 'open' }); // O
    case 0x4c: return decodeBareCommand(line, { kind: 'listen' }); // L
    case 0x43: return decodeBareCommand(line, { kind: 'close' }); // C
    case 0x46: return decodeBareCommand(line, { kind: 'status' }); // F
    case 0x56: return decodeBareCommand(line, { kind: 'version' }); // V
    case 0x4e: return decodeBareCommand(line, { kind: 'serial' }); // N
    case 0x53: return decodeDigitCommand(line, SLCAN_BITRATES_BPS.length, (code) => ({ kind: 'bitrate', code })); // S
    case 0x59: return decodeDigitCommand(line, SLCAN_DATA_BITRATES_BPS.length, (code) => ({ kind: 'data_bitrate', code })); // Y
    case 0x5a: return decodeDigitCommand(line, 2, (code) => ({ kind: 'timestamps', on: code === 1 })); // Z
    case 0x73: return decodeBtr(line); // s
    default: return err({ code: 'unknown_command', letter });
  }
}

function decodeBtr(line: Uint8Array): Result<SlcanCommand, SlcanError> {
  const length = checkLength(line, 5);
  if (!length.ok) return length;
  const btr0 = readHexNumber(line, 1, 2);
  const btr1 = readHexNumber(line, 3, 2);
  if (btr0 < 0 || btr1 < 0) return err({ code: 'bad_hex', offset: btr0 < 0 ? 1 : 3 });
  return ok({ kind: 'btr', btr0, btr1 });
}

// ---------------------------------------------------------------------------------------
// Responses (adapter to host)

function printable(line: Uint8Array, from: number): string {
  let text = '';
  for (let i = from; i < line.length; i++) {
    const byte = line[i] ?? 0;
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '?';
  }
  return text;
}

/**
 * Decodes one response line (the bytes before a CR; an empty line is the bare-CR "ok").
 * Received frames may carry a 4-digit Z1 timestamp. BEL is not a line: the splitter
 * reports it separately (see SlcanStreamDecoder).
 */
export function decodeSlcanResponse(line: Uint8Array): Result<SlcanResponse, SlcanError> {
  const letter = line[0];
  if (letter === undefined) return ok({ kind: 'ok' });
  if (line.length > SLCAN_LINE_BYTES_MAX) return err({ code: 'line_too_long', lengthBytes: line.length, lengthBytesMax: SLCAN_LINE_BYTES_MAX });
  if ((letter === 0x7a || letter === 0x5a) && line.length === 1) return ok({ kind: 'tx_ack', extended: letter === 0x5a }); // z / Z
  const shape = FRAME_LETTERS.get(letter);
  if (shape !== undefined) {
    const frame = decodeFrameLine(line, shape, true);
    if (!frame.ok) return frame;
    const { timestampMillis } = frame.value;
    return ok(timestampMillis === undefined ? { kind: 'frame', frame: frame.value.frame } : { kind: 'frame', frame: frame.value.frame, timestampMillis });
  }
  if (letter === 0x46) return decodeStatus(line); // F
  if (letter === 0x56) return ok({ kind: 'version', text: printable(line, 1) }); // V
  if (letter === 0x4e) return ok({ kind: 'serial', text: printable(line, 1) }); // N
  return err({ code: 'unknown_command', letter });
}

function decodeStatus(line: Uint8Array): Result<SlcanResponse, SlcanError> {
  const length = checkLength(line, 3);
  if (!length.ok) return length;
  const flags = readHexNumber(line, 1, 2);
  return flags < 0 ? err({ code: 'bad_hex', offset: 1 }) : ok({ kind: 'status', flags });
}

/** Encodes a response with its terminator (CR, or BEL for an error). */
export function encodeSlcanResponse(response: SlcanResponse): string {
  switch (response.kind) {
    case 'ok': return '\r';
    case 'error': return '\x07';
    case 'tx_ack': return response.extended ? 'Z\r' : 'z\r';
    case 'status': return `F${hex(response.flags, 2)}\r`;
    case 'version': return `V${response.text}\r`;
    case 'serial': return `N${response.text}\r`;
    case 'frame': {
      const line = encodeSlcanFrame(response.frame, response.timestampMillis);
      return line.ok ? `${line.value}\r` : '\x07';
    }
  }
}

// ---------------------------------------------------------------------------------------
// Stream decoding: CR ends a line, BEL is an answer of its own, LF is ignored.

export interface SlcanStreamCounters {
  /** Lines longer than SLCAN_LINE_BYTES_MAX, discarded up to the next CR or BEL. */
  readonly overlongLines: number;
}

/**
 * Turns a byte stream into decoded lines, with one buffer of SLCAN_LINE_BYTES_MAX bytes.
 * A BEL is delivered as 'bel'. Bytes before a BEL on the same line are garbage: they are
 * delivered as one `unknown_command` error first. Works for either direction: pass the
 * line decoder to use (decodeSlcanCommand or decodeSlcanResponse).
 */
export class SlcanStreamDecoder<T> {
  private readonly splitter = new BoundedLineSplitter(SLCAN_LINE_BYTES_MAX, [SLCAN_CR, SLCAN_BEL]);
  private overlong = 0;
  private readonly stripped = new Uint8Array(SLCAN_LINE_BYTES_MAX);

  constructor(private readonly decodeLine: (line: Uint8Array) => Result<T, SlcanError>) {}

  counters(): SlcanStreamCounters {
    return { overlongLines: this.overlong };
  }

  pendingBytes(): number {
    return this.splitter.pendingBytes();
  }

  push(chunk: Uint8Array, sink: (item: Result<T, SlcanError> | 'bel') => void): void {
    this.splitter.push(chunk, (line, terminator) => {
      const clean = this.stripLineFeeds(line);
      if (terminator === SLCAN_BEL) {
        if (clean.length > 0) sink(err({ code: 'unknown_command', letter: clean[0] ?? 0 }));
        sink('bel');
        return;
      }
      sink(this.decodeLine(clean));
    }, () => {
      this.overlong++;
      sink(err({ code: 'line_too_long', lengthBytes: SLCAN_LINE_BYTES_MAX + 1, lengthBytesMax: SLCAN_LINE_BYTES_MAX }));
    });
  }

  private stripLineFeeds(line: Uint8Array): Uint8Array {
    if (!line.includes(0x0a)) return line;
    let length = 0;
    for (const byte of line) if (byte !== 0x0a) this.stripped[length++] = byte;
    return this.stripped.subarray(0, length);
  }
}

// ---------------------------------------------------------------------------------------
// Bit rates and timestamps

/** The S digit for a nominal bit rate, or undefined when SLCAN has no code for it. */
export function slcanBitrateCode(bitRateBps: number): number | undefined {
  const code = SLCAN_BITRATES_BPS.indexOf(bitRateBps);
  return code < 0 ? undefined : code;
}

/** The Y digit for a CAN FD data bit rate, or undefined. */
export function slcanDataBitrateCode(bitRateBps: number): number | undefined {
  const code = SLCAN_DATA_BITRATES_BPS.indexOf(bitRateBps);
  return code < 0 ? undefined : code;
}

/**
 * Unwraps Z1 timestamps (ms modulo 60,000) into a monotonic micros on the adapter's time
 * base. The host's elapsed time since the previous frame decides how many whole wraps were
 * missed (a gap of more than a minute without frames).
 */
export function unwrapSlcanTimestamp(
  previous: { readonly adapterMillis: number; readonly micros: number; readonly hostMicros: number } | undefined,
  adapterMillis: number,
  hostMicros: number,
): number {
  if (previous === undefined) return hostMicros;
  const stepMillis = (adapterMillis - previous.adapterMillis + SLCAN_TIMESTAMP_WRAP_MILLIS) % SLCAN_TIMESTAMP_WRAP_MILLIS;
  const hostElapsedMillis = Math.max(0, (hostMicros - previous.hostMicros) / 1000);
  const wraps = Math.max(0, Math.round((hostElapsedMillis - stepMillis) / SLCAN_TIMESTAMP_WRAP_MILLIS));
  return previous.micros + (stepMillis + wraps * SLCAN_TIMESTAMP_WRAP_MILLIS) * 1000;
}
