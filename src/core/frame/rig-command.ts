/**
 * Rig commands (docs/RIG-PROTOCOL.md): what the host puts in 'Q' lines and what a board
 * answers in 'A' lines of the serial line format (./serial-line.ts). Pure codec: requests are
 * encoded to a 'Q' body (opcode, tag, args); answers are decoded from a decoded 'A' message
 * (opcode, tag, status, payload) into typed results. Decoders never throw.
 */
import { err, ok, type Result } from '../result.js';

export const RIG_OPCODE = { status: 0x01, peek: 0x02, poke: 0x03, flip: 0x04, scrub: 0x05, reset: 0x06, hang: 0x07, tick: 0x08, verify: 0x09 } as const;
export type RigOp = keyof typeof RIG_OPCODE;

export const RIG_STATUS_CODES = ['ok', 'unknown_opcode', 'bad_length', 'bad_argument', 'uncorrectable'] as const;
export type RigAnswerStatus = (typeof RIG_STATUS_CODES)[number];

export const RIG_SPACE = { mem: 0, raw: 1, reg: 2 } as const;
export type RigSpace = keyof typeof RIG_SPACE;
export const RIG_PEEK_MEM_BYTES_MAX = 128;
export const RIG_PEEK_RAW_WORDS_MAX = 32;
export const RIG_STATUS_BYTES = 92;
export const RIG_TICK_BYTES = 22;
export const RIG_SCRUB_BYTES = 9;
/** VERIFY answer: the board's CRC-32/ISCSI over its memory image u32, accepted u8. */
export const RIG_VERIFY_BYTES = 5;

export type RigRequest =
  | { readonly op: 'status' | 'reset' | 'hang' | 'tick'; readonly tag: number }
  | { readonly op: 'peek'; readonly tag: number; readonly space: RigSpace; readonly address: number; readonly count: number }
  | { readonly op: 'poke'; readonly tag: number; readonly space: 'mem' | 'reg'; readonly address: number; readonly data: Uint8Array }
  | { readonly op: 'flip'; readonly tag: number; readonly target: 'mem'; readonly word: number; readonly bit: number }
  | { readonly op: 'flip'; readonly tag: number; readonly target: 'reg'; readonly index: number; readonly copy: 0 | 1 | 2; readonly bit: number }
  | { readonly op: 'scrub'; readonly tag: number; readonly words: number }
  /** After a state transfer: the board checks its memory image against the voted CRC (`crc`, CRC-32/ISCSI). */
  | { readonly op: 'verify'; readonly tag: number; readonly crc: number };

export interface BoardStatus {
  readonly layoutVersion: number; readonly channel: number; readonly medium: number; readonly health: number; readonly engaged: boolean;
  readonly lawStatus: number; readonly usedMask: number; readonly registerCount: number; readonly cycles: number;
  readonly memoryBytes: number; readonly memoryWords: number; readonly codeBits: number; readonly scrubCursor: number;
  readonly scrubWordsScanned: number; readonly scrubCorrected: number; readonly scrubUncorrectable: number; readonly scrubPasses: number;
  readonly readCorrected: number; readonly readUncorrectable: number; readonly memoryFlips: number;
  readonly registerDisagreements: number; readonly registerMaskedBits: number; readonly registerFlips: number;
  readonly e2eOk: number; readonly e2eRepeated: number; readonly e2eWrongSequence: number; readonly e2eError: number;
  readonly badLines: number; readonly longLines: number; readonly periodMicros: number; readonly lastUncorrectableWord: number;
}

export interface ScrubResult { readonly wordsScanned: number; readonly corrected: number; readonly uncorrectable: number; readonly passCompleted: boolean; readonly cursor: number }
/** The board's CRC-32/ISCSI over the memory image it holds, and whether it equals the CRC of the request. */
export interface VerifyResult { readonly crc: number; readonly accepted: boolean }
export interface TickResult { readonly cycle: number; readonly lawStatus: number; readonly usedMask: number; readonly health: number; readonly engaged: boolean; readonly streamStatus: readonly number[]; readonly deflectionMrad: readonly number[] }

export type RigResult =
  | { readonly op: 'status'; readonly status: BoardStatus }
  | { readonly op: 'peek-mem'; readonly bytes: Uint8Array }
  | { readonly op: 'peek-raw'; readonly words: readonly { readonly data: number; readonly check: number }[] }
  | { readonly op: 'peek-reg'; readonly registers: readonly (readonly [number, number, number])[] }
  | { readonly op: 'scrub'; readonly scrub: ScrubResult }
  | { readonly op: 'tick'; readonly tick: TickResult }
  | { readonly op: 'verify'; readonly verify: VerifyResult }
  | { readonly op: 'uncorrectable'; readonly word: number }
  | { readonly op: 'none' };

export type RigDecodeError =
  | { readonly code: 'unknown_status'; readonly status: number }
  | { readonly code: 'unknown_opcode'; readonly opcode: number }
  | { readonly code: 'bad_payload'; readonly opcode: number; readonly lengthBytes: number };

export type RigEncodeError = { readonly code: 'invalid_request'; readonly reason: string };

const u8 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xff;
const u16 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffff;

function requestProblem(r: RigRequest): string | undefined {
  if (!u8(r.tag)) return `tag ${r.tag} is not a byte`;
  switch (r.op) {
    case 'peek': return u16(r.address) && u8(r.count) && r.count > 0 ? undefined : 'peek needs address 0..65535 and count 1..255';
    case 'poke': return u16(r.address) && r.data.length > 0 && r.data.length <= RIG_PEEK_MEM_BYTES_MAX && (r.space === 'mem' || r.data.length % 4 === 0) ? undefined : 'poke needs address 0..65535 and 1..128 data bytes (a multiple of 4 for registers)';
    case 'flip': return (r.target === 'mem' ? u16(r.word) : u16(r.index)) && u8(r.bit) ? undefined : 'flip needs index 0..65535 and bit 0..255';
    case 'scrub': return u16(r.words) ? undefined : 'scrub words must be 0..65535';
    case 'verify': return Number.isInteger(r.crc) && r.crc >= 0 && r.crc <= 0xffffffff ? undefined : 'verify needs a CRC 0..2^32-1';
    default: return undefined;
  }
}

function args(r: RigRequest): number[] {
  switch (r.op) {
    case 'peek': return [RIG_SPACE[r.space], r.address >>> 8, r.address & 0xff, r.count];
    case 'poke': return [RIG_SPACE[r.space], r.address >>> 8, r.address & 0xff, ...r.data];
    case 'flip': return r.target === 'mem' ? [0, r.word >>> 8, r.word & 0xff, r.bit, 0] : [1, r.index >>> 8, r.index & 0xff, r.bit, r.copy];
    case 'scrub': return [r.words >>> 8, r.words & 0xff];
    case 'verify': return [r.crc >>> 24, (r.crc >>> 16) & 0xff, (r.crc >>> 8) & 0xff, r.crc & 0xff];
    default: return [];
  }
}

/** The 'Q' body of a request: opcode, tag, arguments (docs/RIG-PROTOCOL.md). */
export function encodeRigRequest(request: RigRequest): Result<Uint8Array, RigEncodeError> {
  const problem = requestProblem(request);
  if (problem !== undefined) return err({ code: 'invalid_request', reason: problem });
  return ok(Uint8Array.from([RIG_OPCODE[request.op], request.tag, ...args(request)]));
}

const opOf = (opcode: number): RigOp | undefined => (Object.keys(RIG_OPCODE) as RigOp[]).find((op) => RIG_OPCODE[op] === opcode);

function decodeStatus(p: Uint8Array): BoardStatus {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const u32 = (at: number): number => v.getUint32(at);
  return {
    layoutVersion: v.getUint8(0), channel: v.getUint8(1), medium: v.getUint8(2), health: v.getUint8(3), engaged: (v.getUint8(4) & 1) !== 0,
    lawStatus: v.getUint8(5), usedMask: v.getUint8(6), registerCount: v.getUint8(7), cycles: u32(8), memoryBytes: v.getUint16(12),
    memoryWords: v.getUint16(14), codeBits: v.getUint8(16), scrubCursor: v.getUint16(18), scrubWordsScanned: u32(20),
    scrubCorrected: u32(24), scrubUncorrectable: u32(28), scrubPasses: u32(32), readCorrected: u32(36), readUncorrectable: u32(40),
    memoryFlips: u32(44), registerDisagreements: u32(48), registerMaskedBits: u32(52), registerFlips: u32(56), e2eOk: u32(60),
    e2eRepeated: u32(64), e2eWrongSequence: u32(68), e2eError: u32(72), badLines: u32(76), longLines: u32(80), periodMicros: u32(84),
    lastUncorrectableWord: v.getInt32(88),
  };
}

function decodeTick(p: Uint8Array): TickResult {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return {
    cycle: v.getUint32(0), lawStatus: v.getUint8(4), usedMask: v.getUint8(5), health: v.getUint8(6), engaged: v.getUint8(7) !== 0,
    streamStatus: Array.from(p.subarray(8, 14)), deflectionMrad: [0, 1, 2, 3].map((k) => v.getInt16(14 + 2 * k)),
  };
}

function decodePeek(p: Uint8Array, space: RigSpace): RigResult {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (space === 'mem') return { op: 'peek-mem', bytes: p.slice() };
  if (space === 'raw') return { op: 'peek-raw', words: Array.from({ length: p.length / 5 }, (_, i) => ({ data: v.getUint32(5 * i), check: v.getUint8(5 * i + 4) })) };
  return { op: 'peek-reg', registers: Array.from({ length: p.length / 12 }, (_, i) => [v.getUint32(12 * i), v.getUint32(12 * i + 4), v.getUint32(12 * i + 8)] as const) };
}

function payloadFits(op: RigOp, p: Uint8Array, space: RigSpace): boolean {
  switch (op) {
    case 'status': return p.length === RIG_STATUS_BYTES;
    case 'tick': return p.length === RIG_TICK_BYTES;
    case 'scrub': return p.length === RIG_SCRUB_BYTES;
    case 'verify': return p.length === RIG_VERIFY_BYTES && (p[4] ?? 0) <= 1;
    case 'peek': return p.length > 0 && (space === 'mem' ? p.length <= RIG_PEEK_MEM_BYTES_MAX : space === 'raw' ? p.length % 5 === 0 : p.length % 12 === 0);
    default: return p.length === 0;
  }
}

/**
 * Decodes the payload of an 'A' answer. `space` is the space of the PEEK it answers (the
 * answer does not repeat it; the host matches answers to requests by tag). A status other
 * than ok decodes to `{ status, result: none }`, except uncorrectable, which carries the word.
 */
export function decodeRigAnswer(opcode: number, status: number, payload: Uint8Array, space: RigSpace = 'mem'): Result<{ readonly status: RigAnswerStatus; readonly result: RigResult }, RigDecodeError> {
  const statusName = RIG_STATUS_CODES[status];
  if (statusName === undefined) return err({ code: 'unknown_status', status });
  const op = opOf(opcode);
  if (statusName === 'unknown_opcode' || statusName === 'bad_length' || statusName === 'bad_argument') {
    return payload.length === 0 ? ok({ status: statusName, result: { op: 'none' } }) : err({ code: 'bad_payload', opcode, lengthBytes: payload.length });
  }
  if (op === undefined) return err({ code: 'unknown_opcode', opcode });
  if (statusName === 'uncorrectable') {
    if (payload.length !== 2 || (op !== 'peek' && op !== 'poke' && op !== 'verify')) return err({ code: 'bad_payload', opcode, lengthBytes: payload.length });
    return ok({ status: statusName, result: { op: 'uncorrectable', word: ((payload[0] ?? 0) << 8) | (payload[1] ?? 0) } });
  }
  if (!payloadFits(op, payload, space)) return err({ code: 'bad_payload', opcode, lengthBytes: payload.length });
  switch (op) {
    case 'status': return ok({ status: statusName, result: { op, status: decodeStatus(payload) } });
    case 'tick': return ok({ status: statusName, result: { op, tick: decodeTick(payload) } });
    case 'peek': return ok({ status: statusName, result: decodePeek(payload, space) });
    case 'verify': {
      const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      return ok({ status: statusName, result: { op, verify: { crc: v.getUint32(0), accepted: v.getUint8(4) === 1 } } });
    }
    case 'scrub': {
      const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      return ok({ status: statusName, result: { op, scrub: { wordsScanned: v.getUint16(0), corrected: v.getUint16(2), uncorrectable: v.getUint16(4), passCompleted: v.getUint8(6) !== 0, cursor: v.getUint16(7) } } });
    }
    default: return ok({ status: statusName, result: { op: 'none' } });
  }
}
