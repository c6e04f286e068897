/**
 * AUTOSAR E2E Profile 4 (AUTOSAR_PRS_E2EProtocol, "Specification of E2E Profile 4"): a 12-byte
 * header for long frames (CAN FD, serial, Ethernet), all fields big-endian:
 *
 *   offset+0..1   Length   frame length in bytes (the whole frame, header included)
 *   offset+2..3   Counter  0..65535, wraps 65535 → 0
 *   offset+4..7   DataID   32-bit, sent explicitly
 *   offset+8..11  CRC      CRC-32P4 = CRC-32/AUTOSAR (polynomial 0xF4ACFB13, reflected,
 *                          start 0xFFFFFFFF, final XOR 0xFFFFFFFF)
 *
 * The CRC runs over bytes [0, offset+8) and then [offset+12, length): everything but the CRC
 * field, in order, as one CRC-32/AUTOSAR computation. The check compares length, data ID and
 * CRC (any mismatch is ERROR), then the counter step against MaxDeltaCounter.
 */
import { assert } from '../../assert.js';
import { createCheckState, evaluateCounter, type CheckState, type CheckStatus, type ProtectState } from './check-status.js';
import { CRC32_P4_TABLE } from './crc-tables.js';

export const P4_HEADER_BYTES = 12;
export const P4_COUNTER_MODULO = 0x10000;
export const P4_COUNTER_MAX = 0xffff;
/** AUTOSAR's upper bound on a Profile 4 frame. */
export const P4_DATA_BYTES_MAX = 4096;
const CRC_FIELD_OFFSET = 8;

export interface P4Params {
  readonly dataId: number;
  readonly offsetBytes: number;
  readonly minDataLengthBytes: number;
  readonly maxDataLengthBytes: number;
  /** Largest counter step still accepted as OK (1..65535). */
  readonly maxDeltaCounter: number;
}

export type P4Config = P4Params;

export function createP4Config(params: P4Params): P4Config {
  const { dataId, offsetBytes, minDataLengthBytes, maxDataLengthBytes, maxDeltaCounter } = params;
  assert(Number.isInteger(dataId) && dataId >= 0 && dataId <= 0xffffffff, `P4 data ID ${dataId} is not 32-bit`);
  assert(Number.isInteger(offsetBytes) && offsetBytes >= 0, `P4 offset ${offsetBytes}`);
  assert(Number.isInteger(minDataLengthBytes) && minDataLengthBytes >= offsetBytes + P4_HEADER_BYTES, `P4 min length ${minDataLengthBytes}`);
  assert(Number.isInteger(maxDataLengthBytes) && maxDataLengthBytes >= minDataLengthBytes && maxDataLengthBytes <= P4_DATA_BYTES_MAX, `P4 max length ${maxDataLengthBytes}`);
  assert(Number.isInteger(maxDeltaCounter) && maxDeltaCounter >= 1 && maxDeltaCounter <= P4_COUNTER_MAX, `P4 max delta ${maxDeltaCounter}`);
  return { dataId, offsetBytes, minDataLengthBytes, maxDataLengthBytes, maxDeltaCounter };
}

/** AUTOSAR E2E_P04CheckInit: counter 0xFFFF, so a first frame with counter 0 is OK. */
export function createP4CheckState(): CheckState {
  return createCheckState(P4_COUNTER_MAX);
}

function crc32Range(register: number, bytes: Uint8Array, start: number, end: number): number {
  let crc = register;
  for (let index = start; index < end; index++) {
    crc = (crc >>> 8) ^ (CRC32_P4_TABLE[(crc ^ (bytes[index] ?? 0)) & 0xff] ?? 0);
  }
  return crc;
}

/** The Profile 4 CRC of `data` (unsigned 32-bit), skipping the CRC field. */
export function p4Crc(config: P4Config, data: Uint8Array): number {
  const crcIndex = config.offsetBytes + CRC_FIELD_OFFSET;
  const head = crc32Range(0xffffffff, data, 0, crcIndex);
  return (crc32Range(head, data, crcIndex + 4, data.length) ^ 0xffffffff) >>> 0;
}

function writeU16(data: Uint8Array, index: number, value: number): void {
  data[index] = value >>> 8;
  data[index + 1] = value & 0xff;
}

function writeU32(data: Uint8Array, index: number, value: number): void {
  writeU16(data, index, value >>> 16);
  writeU16(data, index + 2, value & 0xffff);
}

function readU16(data: Uint8Array, index: number): number {
  return ((data[index] ?? 0) << 8) | (data[index + 1] ?? 0);
}

function readU32(data: Uint8Array, index: number): number {
  return (readU16(data, index) * 0x10000) + readU16(data, index + 2);
}

/** E2E_P04Protect: writes length, counter, data ID and CRC in place; advances the counter. */
export function protectP4(config: P4Config, state: ProtectState, data: Uint8Array): void {
  if (data.length < config.minDataLengthBytes || data.length > config.maxDataLengthBytes) assert(false, `P4 protect: ${data.length} bytes outside configured range`);
  const offset = config.offsetBytes;
  writeU16(data, offset, data.length);
  writeU16(data, offset + 2, state.counter);
  writeU32(data, offset + 4, config.dataId);
  writeU32(data, offset + CRC_FIELD_OFFSET, p4Crc(config, data));
  state.counter = state.counter === P4_COUNTER_MAX ? 0 : state.counter + 1;
}

/** E2E_P04Check followed by E2E_P04MapStatusToSM; `data` null is NONEWDATA. Never throws. */
export function checkP4(config: P4Config, state: CheckState, data: Uint8Array | null): CheckStatus {
  state.status = checkP4Frame(config, state, data);
  return state.status;
}

function checkP4Frame(config: P4Config, state: CheckState, data: Uint8Array | null): CheckStatus {
  if (data === null) return 'NONEWDATA';
  if (data.length < config.minDataLengthBytes || data.length > config.maxDataLengthBytes) return 'ERROR';
  const offset = config.offsetBytes;
  if (readU16(data, offset) !== data.length) return 'ERROR';
  if (readU32(data, offset + 4) !== config.dataId) return 'ERROR';
  if (readU32(data, offset + CRC_FIELD_OFFSET) !== p4Crc(config, data)) return 'ERROR';
  return evaluateCounter(state, readU16(data, offset + 2), P4_COUNTER_MODULO, config.maxDeltaCounter);
}
