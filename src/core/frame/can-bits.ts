/**
 * Bit-level CAN math (ISO 11898-1 / CAN 2.0): the frame's bit sequence from SOF to the end of
 * the CRC, bit stuffing, CRC-15/CAN, and frame lengths on the wire — exact (stuff bits counted
 * from the frame's real bits, as can-utils `CFL_EXACT`) or worst case (as can-utils
 * `CFL_WORSTCASE` and Davis et al. 2007: 55 + 10n bits for 11-bit IDs, 80 + 10n for 29-bit IDs).
 * Every length includes the 3-bit interframe space, like can-utils.
 *
 * Pure and allocation-free on the hot path: `exactFrameBits()` uses only integer locals and
 * two precomputed tables (CRC-15 bytewise, stuffing per byte and run state).
 */
import { assert } from '../assert.js';
import { CAN_FD_LENGTHS, type CanFrame } from './can.js';

export const CRC15_POLY = 0x4599;
/** Bits after the CRC sequence: CRC delimiter, ACK slot, ACK delimiter, 7 EOF, 3 IFS. */
export const CAN_TRAILER_BITS = 13;
export const CAN_IFS_BITS = 3;
export const CAN_EOF_BITS = 7;
/** Longest stuffed classic frame SOF..CRC (extended, 8 bytes: 118 bits + 24 stuff bits), rounded up. */
export const CAN_WIRE_BITS_MAX = 160;

export type StuffingMode = 'exact' | 'worst-case';

/** Bits of one frame on the wire, split by bit rate (FD with BRS sends the data phase faster). */
export interface FrameBitLength {
  /** Bits at the nominal (arbitration) bit rate, interframe space included. */
  nominalBits: number;
  /** Bits at the data bit rate (CAN FD with BRS only; else 0). */
  dataBits: number;
}

const CRC15_TABLE: Uint16Array = buildCrc15Table();
/** STUFF_TABLE[state * 256 + byte] = stuffBits << 4 | nextState, state = lastBit << 3 | run. */
const STUFF_TABLE: Uint8Array = buildStuffTable();
/** STUFF7_TABLE[state * 128 + bits] = stuffBits << 4 | nextState for 7 bits, MSB first (the CRC's top 7 bits). */
const STUFF7_TABLE: Uint8Array = buildStuff7Table();
/**
 * Memo of the standard-frame header (SOF, ID, RTR, IDE, r0, DLC): per 11-bit ID, the 19-bit
 * header it was computed for (-1: none) and crc | state << 15 | stuffBits << 19 after it. A pure
 * function of the header, so a hit is exactly the computed value.
 */
const HEADER_TAG = new Int32Array(2048).fill(-1);
const HEADER_AFTER = new Int32Array(2048);

function buildStuff7Table(): Uint8Array {
  const table = new Uint8Array(16 * 128);
  for (let state = 0; state < 16; state++) {
    for (let bits = 0; bits < 128; bits++) {
      let st = state;
      let stuffed = 0;
      for (let i = 6; i >= 0; i--) {
        const next = stuffBit(st, (bits >>> i) & 1);
        stuffed += next >>> 4;
        st = next & 0xf;
      }
      table[state * 128 + bits] = (stuffed << 4) | st;
    }
  }
  return table;
}

function buildCrc15Table(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = 0;
    for (let bit = 7; bit >= 0; bit--) crc = crc15Bit(crc, (byte >>> bit) & 1);
    table[byte] = crc;
  }
  return table;
}

function buildStuffTable(): Uint8Array {
  const table = new Uint8Array(16 * 256);
  for (let state = 0; state < 16; state++) {
    for (let byte = 0; byte < 256; byte++) {
      let last = state >>> 3;
      let run = state & 7;
      let stuffed = 0;
      for (let bit = 7; bit >= 0; bit--) {
        const b = (byte >>> bit) & 1;
        if (b === last && run > 0) {
          run++;
          if (run === 5) { stuffed++; last = b ^ 1; run = 1; }
        } else { last = b; run = 1; }
      }
      table[state * 256 + byte] = (stuffed << 4) | (last << 3) | run;
    }
  }
  return table;
}

/** One CRC-15/CAN register step (polynomial 0x4599, init 0, no reflection, no final xor). */
export function crc15Bit(crc: number, bit: number): number {
  const feedback = ((crc >>> 14) ^ bit) & 1;
  const shifted = (crc << 1) & 0x7fff;
  return feedback === 1 ? shifted ^ CRC15_POLY : shifted;
}

/** CRC-15/CAN over `count` bits stored one per element of `bits`, from `start`. */
export function crc15OfBits(bits: Uint8Array, start: number, count: number): number {
  assert(start >= 0 && start + count <= bits.length, 'crc15OfBits: range out of bounds');
  let crc = 0;
  for (let i = start; i < start + count; i++) crc = crc15Bit(crc, bits[i] ?? 0);
  return crc;
}

/** Data length code of a frame (RTR: the requested length; FD: the smallest DLC that holds the data). */
export function dlcOf(frame: CanFrame): number {
  if (frame.rtr) return Math.min(frame.rtrLength ?? 0, 15);
  const length = frame.data.length;
  if (length <= 8) return length;
  for (let dlc = 9; dlc < CAN_FD_LENGTHS.length; dlc++) if ((CAN_FD_LENGTHS[dlc] ?? 0) >= length) return dlc;
  return 15;
}

/** The control-and-arbitration header of a classic frame as (high, low) bit groups, SOF first. */
function classicHeader(frame: CanFrame): { hi: number; hiBits: number; lo: number; loBits: number } {
  const rtr = frame.rtr ? 1 : 0;
  const dlc = dlcOf(frame);
  if (!frame.extended) {
    // SOF(0) ID[10..0] RTR IDE(0) r0(0) DLC[3..0]: 19 bits.
    return { hi: 0, hiBits: 0, lo: ((frame.id & 0x7ff) << 7) | (rtr << 6) | dlc, loBits: 19 };
  }
  // SOF(0) base[28..18] SRR(1) IDE(1) ext[17..13] | ext[12..0] RTR r1(0) r0(0) DLC: 39 bits = 19 + 20.
  const base = (frame.id >>> 18) & 0x7ff;
  const ext = frame.id & 0x3ffff;
  return { hi: (base << 7) | (0b11 << 5) | (ext >>> 13), hiBits: 19, lo: ((ext & 0x1fff) << 7) | (rtr << 6) | dlc, loBits: 20 };
}

/**
 * Length of a classic frame on the wire with exactly the stuff bits its content produces,
 * interframe space included (can-utils CFL_EXACT). Allocation-free: integer locals only; the
 * header, data and CRC are fed through the bytewise CRC-15 and stuffing tables, with the few
 * leading bits of each header group and of the CRC fed bit by bit (`stuffBit`).
 */
export function exactClassicFrameBits(frame: CanFrame): number {
  const rtr = frame.rtr ? 1 : 0;
  const dlc = frame.rtr ? Math.min(frame.rtrLength ?? 0, 15) : frame.data.length;
  const ext = frame.id & 0x3ffff;
  const hiBits = frame.extended ? 19 : 0;
  const hi = frame.extended ? ((((frame.id >>> 18) & 0x7ff) << 7) | (0b11 << 5) | (ext >>> 13)) : 0;
  const loBits = frame.extended ? 20 : 19;
  const lo = frame.extended ? (((ext & 0x1fff) << 7) | (rtr << 6) | dlc) : (((frame.id & 0x7ff) << 7) | (rtr << 6) | dlc);
  const dataBytes = frame.rtr ? 0 : frame.data.length;
  let crc = 0;
  let state = 0;
  let stuffed = 0;
  const memo = frame.extended ? -1 : frame.id & 0x7ff;
  if (memo >= 0 && HEADER_TAG[memo] === lo) {
    const after = HEADER_AFTER[memo] ?? 0;
    crc = after & 0x7fff;
    state = (after >>> 15) & 0xf;
    stuffed = after >>> 19;
  } else {
    // Header groups: SOF..(19 bits) for extended frames, then the 19- or 20-bit group; each is (count-16) bits then 2 bytes.
    for (let pass = frame.extended ? 0 : 1; pass < 2; pass++) {
      const value = pass === 0 ? hi : lo;
      const count = pass === 0 ? hiBits : loBits;
      for (let i = count - 1; i >= 16; i--) {
        const b = (value >>> i) & 1;
        crc = crc15Bit(crc, b);
        const next = stuffBit(state, b);
        stuffed += next >>> 4;
        state = next & 0xf;
      }
      for (let shift = 8; shift >= 0; shift -= 8) {
        const byte = (value >>> shift) & 0xff;
        crc = ((CRC15_TABLE[((crc >>> 7) ^ byte) & 0xff] ?? 0) ^ (crc << 8)) & 0x7fff;
        const entry = STUFF_TABLE[state * 256 + byte] ?? 0;
        stuffed += entry >>> 4;
        state = entry & 0xf;
      }
    }
    if (memo >= 0) { HEADER_TAG[memo] = lo; HEADER_AFTER[memo] = crc | (state << 15) | (stuffed << 19); }
  }
  for (let i = 0; i < dataBytes; i++) {
    const byte = frame.data[i] ?? 0;
    crc = ((CRC15_TABLE[((crc >>> 7) ^ byte) & 0xff] ?? 0) ^ (crc << 8)) & 0x7fff;
    const entry = STUFF_TABLE[state * 256 + byte] ?? 0;
    stuffed += entry >>> 4;
    state = entry & 0xf;
  }
  // The CRC sequence (15 bits, stuffed too): its top 7 bits, then its low byte, through the tables.
  const top = STUFF7_TABLE[state * 128 + (crc >>> 8)] ?? 0;
  stuffed += top >>> 4;
  state = top & 0xf;
  stuffed += (STUFF_TABLE[state * 256 + (crc & 0xff)] ?? 0) >>> 4;
  return hiBits + loBits + 8 * dataBytes + 15 + stuffed + CAN_TRAILER_BITS;
}

/** One bit through the stuffer: state = last << 3 | run in, `stuffBits << 4 | next state` out (as STUFF_TABLE). */
function stuffBit(state: number, b: number): number {
  const last = state >>> 3;
  const run = state & 7;
  if (b === last && run > 0) {
    return run + 1 === 5 ? (1 << 4) | ((b ^ 1) << 3) | 1 : (last << 3) | (run + 1);
  }
  return (b << 3) | 1;
}

/** Worst-case classic length (can-utils CFL_WORSTCASE; Davis et al. 2007 eq. 1): 55+10n / 80+10n. */
export function worstCaseClassicFrameBits(payloadBytes: number, extended: boolean): number {
  assert(Number.isInteger(payloadBytes) && payloadBytes >= 0 && payloadBytes <= 8, 'classic payload is 0..8 bytes');
  const g = extended ? 54 : 34;
  return g + 8 * payloadBytes + 13 + Math.floor((g + 8 * payloadBytes - 1) / 4);
}

/** Classic frame length without stuff bits (can-utils CFL_NO_BITSTUFFING): 47+8n / 67+8n. */
export function unstuffedClassicFrameBits(payloadBytes: number, extended: boolean): number {
  return (extended ? 67 : 47) + 8 * payloadBytes;
}

/** FD field sizes: bits SOF..BRS (nominal rate), ESI..end of data, CRC length. */
function fdLayout(payloadBytes: number, extended: boolean): { arbitrationBits: number; dataPhaseBits: number; crcBits: number } {
  const arbitrationBits = extended ? 36 : 17; // SOF ID(11) [SRR IDE ext(18)] RRS [IDE] FDF res BRS
  const dataPhaseBits = 1 + 4 + 8 * payloadBytes; // ESI, DLC, data
  return { arbitrationBits, dataPhaseBits, crcBits: payloadBytes <= 16 ? 17 : 21 };
}

/** Stuff count (4 bits) + CRC + fixed stuff bits (one before the stuff count, then one every 4 bits). */
function fdCrcFieldBits(crcBits: number): number {
  return 4 + crcBits + (crcBits === 17 ? 6 : 7);
}

/**
 * Worst-case CAN FD length. Dynamic stuffing applies from SOF to the end of the data field, at
 * most one stuff bit per 4 bits after the first: floor((bits - 1) / 4), the same rule as the
 * classic formula; the CRC field has fixed stuff bits. Trailer: CRC delim, ACK, ACK delim, EOF, IFS.
 */
export function worstCaseFdFrameBits(payloadBytes: number, extended: boolean, brs: boolean): FrameBitLength {
  assert(CAN_FD_LENGTHS.includes(payloadBytes), 'FD payload must be a DLC size');
  const { arbitrationBits, dataPhaseBits, crcBits } = fdLayout(payloadBytes, extended);
  const dynamicBits = arbitrationBits + dataPhaseBits;
  const stuffBits = Math.floor((dynamicBits - 1) / 4);
  const arbitrationStuff = Math.floor((arbitrationBits - 1) / 4);
  const dataPhase = dataPhaseBits + (stuffBits - arbitrationStuff) + fdCrcFieldBits(crcBits);
  const nominal = arbitrationBits + arbitrationStuff + CAN_TRAILER_BITS;
  return brs ? { nominalBits: nominal, dataBits: dataPhase } : { nominalBits: nominal + dataPhase, dataBits: 0 };
}

/** Exact CAN FD length: dynamic stuff bits counted from the real bits SOF..data. */
export function exactFdFrameBits(frame: CanFrame): FrameBitLength {
  const payloadBytes = CAN_FD_LENGTHS[dlcOf(frame)] ?? 64;
  const { arbitrationBits, dataPhaseBits, crcBits } = fdLayout(payloadBytes, frame.extended);
  const brs = frame.brs ? 1 : 0;
  const esiDlc = ((frame.esi ? 1 : 0) << 4) | dlcOf(frame);
  let last = 0;
  let run = 0;
  let stuffed = 0;
  let arbitrationStuff = 0;
  const step = (b: number): void => {
    if (b === last && run > 0) {
      run++;
      if (run === 5) { stuffed++; last = b ^ 1; run = 1; }
    } else { last = b; run = 1; }
  };
  const header = frame.extended
    ? [[0, 1], [(frame.id >>> 18) & 0x7ff, 11], [0b11, 2], [frame.id & 0x3ffff, 18], [0b010, 3], [brs, 1]]
    : [[0, 1], [frame.id & 0x7ff, 11], [0b0010, 4], [brs, 1]];
  for (const [value = 0, count = 0] of header) for (let i = count - 1; i >= 0; i--) step((value >>> i) & 1);
  arbitrationStuff = stuffed;
  for (let i = 4; i >= 0; i--) step((esiDlc >>> i) & 1);
  for (let i = 0; i < payloadBytes; i++) {
    const byte = frame.data[i] ?? 0;
    for (let bit = 7; bit >= 0; bit--) step((byte >>> bit) & 1);
  }
  const nominal = arbitrationBits + arbitrationStuff + CAN_TRAILER_BITS;
  const dataPhase = dataPhaseBits + (stuffed - arbitrationStuff) + fdCrcFieldBits(crcBits);
  return frame.brs ? { nominalBits: nominal, dataBits: dataPhase } : { nominalBits: nominal + dataPhase, dataBits: 0 };
}

/** Length of any data/remote frame, in the given stuffing mode. */
export function frameBitLength(frame: CanFrame, mode: StuffingMode): FrameBitLength {
  if (frame.fd) {
    return mode === 'exact' ? exactFdFrameBits(frame) : worstCaseFdFrameBits(CAN_FD_LENGTHS[dlcOf(frame)] ?? 64, frame.extended, frame.brs);
  }
  const bits = mode === 'exact' ? exactClassicFrameBits(frame) : worstCaseClassicFrameBits(frame.rtr ? 0 : frame.data.length, frame.extended);
  return { nominalBits: bits, dataBits: 0 };
}

/**
 * Writes the unstuffed bits of a classic frame, SOF through the CRC sequence, one bit per
 * element, into `out`; returns the bit count. The CRC is computed over SOF..data.
 */
export function classicFrameBits(frame: CanFrame, out: Uint8Array): number {
  assert(!frame.fd, 'classicFrameBits: classic frames only');
  const { hi, hiBits, lo, loBits } = classicHeader(frame);
  const dataBytes = frame.rtr ? 0 : frame.data.length;
  const total = hiBits + loBits + 8 * dataBytes + 15;
  assert(out.length >= total, 'classicFrameBits: output too small');
  let n = 0;
  for (let i = hiBits - 1; i >= 0; i--) out[n++] = (hi >>> i) & 1;
  for (let i = loBits - 1; i >= 0; i--) out[n++] = (lo >>> i) & 1;
  for (let byte = 0; byte < dataBytes; byte++) for (let i = 7; i >= 0; i--) out[n++] = ((frame.data[byte] ?? 0) >>> i) & 1;
  const crc = crc15OfBits(out, 0, n);
  for (let i = 14; i >= 0; i--) out[n++] = (crc >>> i) & 1;
  assert(n === total, 'classicFrameBits: length mismatch');
  return n;
}

/** Inserts stuff bits (a complement after five equal bits); returns the stuffed length. */
export function stuffBits(bits: Uint8Array, count: number, out: Uint8Array): number {
  let n = 0;
  let last = -1;
  let run = 0;
  for (let i = 0; i < count; i++) {
    const b = bits[i] ?? 0;
    assert(n < out.length, 'stuffBits: output too small');
    out[n++] = b;
    if (b === last) run++;
    else { last = b; run = 1; }
    if (run === 5) {
      assert(n < out.length, 'stuffBits: output too small');
      out[n++] = b ^ 1;
      last = b ^ 1;
      run = 1;
    }
  }
  return n;
}

/** Why a receiver rejected a frame, and the wire bit index where its error flag starts. */
export type WireError =
  | { readonly code: 'stuff_error'; readonly flagAt: number }
  | { readonly code: 'form_error'; readonly flagAt: number }
  | { readonly code: 'crc_error'; readonly flagAt: number; readonly expected: number; readonly actual: number };

/** What one receiver made of the wire bits: either the error, or acceptance (and whether it ACKs). */
export type WireVerdict = { readonly ok: true } | { readonly ok: false; readonly error: WireError; readonly acked: boolean };

/** Wire positions of the fixed-form trailer, relative to the end of the stuffed CRC. */
export interface WireTrailer {
  readonly crcDelimiter: number;
  readonly ackSlot: number;
  readonly ackDelimiter: number;
  readonly eofStart: number;
}

/**
 * Builds what the transmitter drives onto the bus: stuffed SOF..CRC, then CRC delimiter (1),
 * ACK slot (0, acknowledged), ACK delimiter (1), 7 EOF bits (1) and recessive idle padding.
 * Returns the trailer positions; `wire` is filled to its full length.
 */
export function buildWire(frame: CanFrame, scratch: Uint8Array, wire: Uint8Array): WireTrailer {
  const raw = classicFrameBits(frame, scratch);
  const stuffed = stuffBits(scratch, raw, wire);
  wire.fill(1, stuffed);
  wire[stuffed + 1] = 0;
  assert(wire.length >= stuffed + 3 + CAN_EOF_BITS + 16, 'buildWire: wire buffer too small');
  return { crcDelimiter: stuffed, ackSlot: stuffed + 1, ackDelimiter: stuffed + 2, eofStart: stuffed + 3 };
}

/**
 * A receiver's view of the wire: waits for SOF, destuffs, parses the fields the bits it sees
 * describe (a flipped IDE or DLC bit changes the layout), checks CRC-15 and the fixed-form
 * bits. Bounded by `wire.length`; `decoded` is scratch of at least CAN_WIRE_BITS_MAX.
 */
export function receiveWire(wire: Uint8Array, decoded: Uint8Array): WireVerdict {
  const reader = { w: 0, last: -1, run: 0, n: 0 };
  while (reader.w < wire.length && wire[reader.w] === 1) reader.w++;
  const next = (): number => {
    if (reader.run === 5) {
      const stuff = wire[reader.w] ?? 1;
      if (stuff === reader.last) return -1;
      reader.w++;
      reader.last = stuff;
      reader.run = 1;
    }
    if (reader.w >= wire.length || reader.n >= decoded.length) return -1;
    const b = wire[reader.w++] ?? 1;
    if (b === reader.last) reader.run++;
    else { reader.last = b; reader.run = 1; }
    decoded[reader.n++] = b;
    return b;
  };
  const read = (count: number): number => {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const b = next();
      if (b < 0) return -1;
      value = value * 2 + b;
    }
    return value;
  };
  const stuffError = (): WireVerdict => ({ ok: false, error: { code: 'stuff_error', flagAt: reader.w + 1 }, acked: false });
  if (read(13) < 0) return stuffError(); // SOF, ID(11), RTR/SRR
  const ide = read(1);
  if (ide < 0) return stuffError();
  let rtr = (decoded[12] ?? 0) === 1;
  if (ide === 1) {
    if (read(18) < 0) return stuffError();
    const rtrBit = read(1);
    if (rtrBit < 0 || read(2) < 0) return stuffError();
    rtr = rtrBit === 1;
  } else if (read(1) < 0) return stuffError();
  const dlc = read(4);
  if (dlc < 0) return stuffError();
  const dataBits = rtr ? 0 : 8 * Math.min(dlc, 8);
  if (read(dataBits) < 0) return stuffError();
  const covered = reader.n;
  const crcReceived = read(15);
  if (crcReceived < 0) return stuffError();
  if (reader.run === 5) {
    // A stuff bit follows five equal final CRC bits; it is checked like any other.
    if ((wire[reader.w] ?? 1) === reader.last) return stuffError();
    reader.w++;
  }
  return checkTrailer(wire, reader.w, crc15OfBits(decoded, 0, covered), crcReceived);
}

function checkTrailer(wire: Uint8Array, crcDelimiter: number, expected: number, actual: number): WireVerdict {
  const crcOk = expected === actual;
  if ((wire[crcDelimiter] ?? 1) !== 1) return { ok: false, error: { code: 'form_error', flagAt: crcDelimiter + 1 }, acked: false };
  const ackDelimiter = crcDelimiter + 2;
  if ((wire[ackDelimiter] ?? 1) !== 1) return { ok: false, error: { code: 'form_error', flagAt: ackDelimiter + 1 }, acked: crcOk };
  if (!crcOk) return { ok: false, error: { code: 'crc_error', flagAt: ackDelimiter + 1, expected, actual }, acked: false };
  // EOF: the first six bits must be recessive; a dominant last EOF bit is not an error for a receiver.
  for (let i = 0; i < CAN_EOF_BITS - 1; i++) {
    const at = ackDelimiter + 1 + i;
    if ((wire[at] ?? 1) !== 1) return { ok: false, error: { code: 'form_error', flagAt: at + 1 }, acked: true };
  }
  return { ok: true };
}
