/**
 * The compact CAN frame syntax of can-utils (`cansend`, `candump -L`, `canplayer`), as defined
 * by parse_canframe() / sprint_canframe() in can-utils lib.c:
 *
 *   123#DEADBEEF         classic, 11-bit ID (exactly 3 hex digits), 0..8 data bytes
 *   12345678#DEADBEEF    classic, 29-bit ID (exactly 8 hex digits)
 *   123#R   123#R5       remote frame, optionally with the requested length 0..8
 *   123##1DEADBEEF       CAN FD: after '##' one flags nibble (BRS = 1, ESI = 2; FDF = 4 is
 *                        accepted and implied), then 0..64 bytes at a valid FD length
 *   20000004#00040000…   error frame: an 8-digit ID with CAN_ERR_FLAG (0x20000000) set; the
 *                        frame's `id` holds the error class bits without the flag
 *
 * Input may put one '.' before any data byte (`123#DE.AD.BE.EF`, `123##1.DE.AD`) and may use
 * lower-case hex. Output is canonical: upper-case hex, no separators, 3-digit standard and
 * 8-digit extended IDs, `#R` plus the length digit when it is not zero.
 * Not supported (typed errors): CAN XL (`###`) and the raw-DLC suffix `_9`..`_F`.
 *
 * Pure: no I/O. Parsers take a range of a string so that log readers need no substring.
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';
import { CAN_CLASSIC_DATA_BYTES_MAX, CAN_EFF_MASK, CAN_ERR_FLAG, CAN_FD_DATA_BYTES_MAX, CAN_FD_LENGTHS, CAN_SFF_MASK, type CanFrame } from './can.js';

export const CANFD_BRS = 0x01;
export const CANFD_ESI = 0x02;
/** Set by newer kernels on every FD frame; accepted on input, never written. */
export const CANFD_FDF = 0x04;
/** Longest canonical text: 8-digit ID, '##', flags nibble, 64 bytes. */
export const CAN_TEXT_CHARS_MAX = 8 + 2 + 1 + 2 * CAN_FD_DATA_BYTES_MAX;
/** Longest accepted input: the canonical maximum plus one '.' before each byte. */
export const CAN_TEXT_INPUT_CHARS_MAX = CAN_TEXT_CHARS_MAX + CAN_FD_DATA_BYTES_MAX;

export type CanTextError =
  | { readonly code: 'empty' }
  | { readonly code: 'too_long'; readonly chars: number; readonly charsMax: number }
  /** `column`: 0-based position in the frame text (from `start` when a range is parsed). */
  | { readonly code: 'bad_id'; readonly column: number; readonly reason: string }
  | { readonly code: 'id_out_of_range'; readonly id: number; readonly idMax: number }
  | { readonly code: 'bad_hex'; readonly column: number }
  | { readonly code: 'odd_hex_digits'; readonly column: number }
  | { readonly code: 'too_many_bytes'; readonly length: number; readonly lengthMax: number }
  | { readonly code: 'bad_fd_length'; readonly length: number }
  | { readonly code: 'bad_fd_flags'; readonly flags: number }
  | { readonly code: 'bad_rtr_length'; readonly column: number }
  | { readonly code: 'error_frame_kind'; readonly reason: string }
  | { readonly code: 'unsupported'; readonly feature: 'can_xl' | 'raw_dlc' };

/** One line of English for a CanTextError (positions are 1-based characters of the frame text). */
export function describeCanTextError(error: CanTextError): string {
  switch (error.code) {
    case 'empty': return 'empty frame text';
    case 'too_long': return `frame text is ${error.chars} characters, at most ${error.charsMax}`;
    case 'bad_id': return `bad CAN ID at character ${error.column + 1}: ${error.reason}`;
    case 'id_out_of_range': return `CAN ID 0x${error.id.toString(16).toUpperCase()} exceeds 0x${error.idMax.toString(16).toUpperCase()}`;
    case 'bad_hex': return `bad hex digit at character ${error.column + 1}`;
    case 'odd_hex_digits': return `odd number of hex digits in data at character ${error.column + 1}`;
    case 'too_many_bytes': return `${error.length} data bytes, at most ${error.lengthMax}`;
    case 'bad_fd_length': return `CAN FD cannot carry ${error.length} bytes (valid: ${CAN_FD_LENGTHS.join(', ')})`;
    case 'bad_fd_flags': return `CAN FD flags nibble ${error.flags.toString(16).toUpperCase()} has an unknown bit`;
    case 'bad_rtr_length': return `remote frame length at character ${error.column + 1} must be one digit 0..8`;
    case 'error_frame_kind': return `error frame ${error.reason}`;
    case 'unsupported': return error.feature === 'can_xl' ? 'CAN XL frames (###) are not supported' : 'raw DLC suffix (_9.._F) is not supported';
  }
}

/** 0..15 for an ASCII hex digit (either case), −1 otherwise. */
const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) table[0x30 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[0x41 + i] = 10 + i;
    table[0x61 + i] = 10 + i;
  }
  return table;
})();
const HEX_UPPER = '0123456789ABCDEF';
/** "00".."FF", so printing a byte is one lookup. */
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => (HEX_UPPER[b >> 4] ?? '') + (HEX_UPPER[b & 15] ?? ''));

const HASH = 0x23;
const DOT = 0x2e;
const UNDERSCORE = 0x5f;

function hexAt(text: string, index: number): number {
  return HEX_VALUE[text.charCodeAt(index) & 0xff] ?? -1;
}

/** Parses the compact syntax in `text[start, end)`. Never throws. */
export function parseCanFrame(text: string, start = 0, end = text.length): Result<CanFrame, CanTextError> {
  assert(start >= 0 && start <= end && end <= text.length, 'parseCanFrame range out of bounds');
  if (end === start) return err({ code: 'empty' });
  if (end - start > CAN_TEXT_INPUT_CHARS_MAX) return err({ code: 'too_long', chars: end - start, charsMax: CAN_TEXT_INPUT_CHARS_MAX });
  let hash = start;
  while (hash < end && text.charCodeAt(hash) !== HASH) hash++;
  const digits = hash - start;
  if (hash === end) return err({ code: 'bad_id', column: 0, reason: "no '#' after the ID" });
  if (digits !== 3 && digits !== 8) return err({ code: 'bad_id', column: 0, reason: `${digits} hex digits (need 3 or 8)` });
  let raw = 0;
  for (let i = start; i < hash; i++) {
    const nibble = hexAt(text, i);
    if (nibble < 0) return err({ code: 'bad_id', column: i - start, reason: 'not a hex digit' });
    raw = raw * 16 + nibble;
  }
  const extended = digits === 8;
  const error = extended && raw >= CAN_ERR_FLAG;
  const id = error ? raw - CAN_ERR_FLAG : raw;
  const idMax = extended ? CAN_EFF_MASK : CAN_SFF_MASK;
  if (id > idMax) return err({ code: 'id_out_of_range', id: raw, idMax: error ? CAN_ERR_FLAG + CAN_EFF_MASK : idMax });
  const result = parseBody(text, hash + 1, end, id, extended && !error, error);
  return result.ok || !('column' in result.error) ? result : err({ ...result.error, column: result.error.column - start });
}

function parseBody(text: string, at: number, end: number, id: number, extended: boolean, error: boolean): Result<CanFrame, CanTextError> {
  const first = at < end ? text.charCodeAt(at) : -1;
  if (first === HASH) {
    if (at + 1 < end && text.charCodeAt(at + 1) === HASH) return err({ code: 'unsupported', feature: 'can_xl' });
    if (error) return err({ code: 'error_frame_kind', reason: 'cannot be CAN FD' });
    return parseFd(text, at + 1, end, id, extended);
  }
  if (first === 0x52 || first === 0x72) { // 'R' (lib.c takes only 'R'; 'r' is accepted too)
    if (error) return err({ code: 'error_frame_kind', reason: 'cannot be a remote frame' });
    return parseRtr(text, at + 1, end, id, extended);
  }
  const data = parseData(text, at, end, CAN_CLASSIC_DATA_BYTES_MAX);
  if (!data.ok) return data;
  return ok({ id, extended, rtr: false, fd: false, brs: false, esi: false, error, data: data.value });
}

function parseRtr(text: string, at: number, end: number, id: number, extended: boolean): Result<CanFrame, CanTextError> {
  let rtrLength = 0;
  if (at < end) {
    const digit = hexAt(text, at);
    if (text.charCodeAt(at) === UNDERSCORE || (at + 1 < end && text.charCodeAt(at + 1) === UNDERSCORE)) return err({ code: 'unsupported', feature: 'raw_dlc' });
    if (at + 1 !== end || digit < 0 || digit > CAN_CLASSIC_DATA_BYTES_MAX) return err({ code: 'bad_rtr_length', column: at });
    rtrLength = digit;
  }
  return ok({ id, extended, rtr: true, rtrLength, fd: false, brs: false, esi: false, error: false, data: new Uint8Array(0) });
}

function parseFd(text: string, at: number, end: number, id: number, extended: boolean): Result<CanFrame, CanTextError> {
  if (at >= end) return err({ code: 'bad_hex', column: at });
  const flags = hexAt(text, at);
  if (flags < 0) return err({ code: 'bad_hex', column: at });
  if ((flags & ~(CANFD_BRS | CANFD_ESI | CANFD_FDF)) !== 0) return err({ code: 'bad_fd_flags', flags });
  const data = parseData(text, at + 1, end, CAN_FD_DATA_BYTES_MAX);
  if (!data.ok) return data;
  if (!CAN_FD_LENGTHS.includes(data.value.length)) return err({ code: 'bad_fd_length', length: data.value.length });
  return ok({ id, extended, rtr: false, fd: true, brs: (flags & CANFD_BRS) !== 0, esi: (flags & CANFD_ESI) !== 0, error: false, data: data.value });
}

/** Data bytes: hex pairs, each optionally preceded by one '.'. */
function parseData(text: string, start: number, end: number, lengthMax: number): Result<Uint8Array, CanTextError> {
  let count = 0;
  let at = start;
  for (; at < end; at += 2) {
    if (text.charCodeAt(at) === DOT) at++;
    if (at >= end) break;
    if (text.charCodeAt(at) === UNDERSCORE) return err({ code: 'unsupported', feature: 'raw_dlc' });
    if (hexAt(text, at) < 0) return err({ code: 'bad_hex', column: at });
    if (at + 1 >= end) return err({ code: 'odd_hex_digits', column: at });
    if (hexAt(text, at + 1) < 0) return err({ code: 'bad_hex', column: at + 1 });
    count++;
  }
  if (count > lengthMax) return err({ code: 'too_many_bytes', length: count, lengthMax });
  const data = new Uint8Array(count);
  let index = 0;
  for (at = start; index < count; at += 2) {
    if (text.charCodeAt(at) === DOT) at++;
    data[index++] = hexAt(text, at) * 16 + hexAt(text, at + 1);
  }
  return ok(data);
}

/** Why `frame` cannot be written in the compact syntax, or undefined when it can. */
export function canTextProblem(frame: CanFrame): string | undefined {
  const idMax = frame.extended || frame.error ? CAN_EFF_MASK : CAN_SFF_MASK;
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > idMax) return `id ${frame.id} out of range 0..${idMax}`;
  if (frame.error && (frame.fd || frame.rtr || frame.extended)) return 'an error frame is classic, not remote, and not extended';
  if (frame.fd && frame.rtr) return 'CAN FD has no remote frames';
  if (!frame.fd && (frame.brs || frame.esi)) return 'brs/esi need an FD frame';
  if (frame.rtr) {
    const length = frame.rtrLength ?? 0;
    if (frame.data.length !== 0) return 'a remote frame carries no data';
    return Number.isInteger(length) && length >= 0 && length <= CAN_CLASSIC_DATA_BYTES_MAX ? undefined : `rtrLength ${length} out of range 0..8`;
  }
  if (frame.fd) return CAN_FD_LENGTHS.includes(frame.data.length) ? undefined : `FD data length ${frame.data.length} is not a valid FD size`;
  return frame.data.length <= CAN_CLASSIC_DATA_BYTES_MAX ? undefined : `classic data length ${frame.data.length} exceeds 8`;
}

/** The canonical ID field: 3 digits standard, 8 digits extended, error frames with CAN_ERR_FLAG. */
export function formatCanId(frame: CanFrame): string {
  if (frame.error) return (frame.id + CAN_ERR_FLAG).toString(16).toUpperCase().padStart(8, '0');
  return frame.id.toString(16).toUpperCase().padStart(frame.extended ? 8 : 3, '0');
}

/** Canonical compact text of a valid frame, as can-utils prints it. An invalid frame is a programmer error. */
export function formatCanFrame(frame: CanFrame): string {
  const problem = canTextProblem(frame);
  if (problem !== undefined) assert(false, `formatCanFrame: ${problem}`);
  let text = formatCanId(frame);
  if (frame.rtr) {
    const length = frame.rtrLength ?? 0;
    return length === 0 ? `${text}#R` : `${text}#R${length}`;
  }
  text += frame.fd ? `##${HEX_UPPER[(frame.brs ? CANFD_BRS : 0) | (frame.esi ? CANFD_ESI : 0)] ?? ''}` : '#';
  const data = frame.data;
  for (let i = 0; i < data.length; i++) text += BYTE_HEX[data[i] ?? 0] ?? '';
  return text;
}
