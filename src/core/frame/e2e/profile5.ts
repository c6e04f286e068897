/**
 * AUTOSAR E2E Profile 5 (AUTOSAR_PRS_E2EProtocol, "Specification of E2E Profile 5"): a 3-byte
 * header for medium frames, the CRC little-endian as the specification lays it out:
 *
 *   offset+0..1   CRC      CRC-16/CCITT-FALSE = CRC-16/IBM-3740 (polynomial 0x1021, start 0xFFFF,
 *                          no reflection, no final XOR), low byte first
 *   offset+2      Counter  0..255, wraps 255 → 0
 *
 * The data ID (16-bit) is implicit: the CRC runs over bytes [0, offset), then [offset+2, length)
 * (so the counter is covered), then the data ID low byte, then its high byte.
 */
import { assert } from '../../assert.js';
import { createCheckState, evaluateCounter, type CheckState, type CheckStatus, type ProtectState } from './check-status.js';
import { CRC16_CCITT_FALSE_TABLE } from './crc-tables.js';

export const P5_HEADER_BYTES = 3;
export const P5_COUNTER_MODULO = 256;
export const P5_COUNTER_MAX = 255;
export const P5_DATA_BYTES_MAX = 4096;

export interface P5Params {
  readonly dataId: number;
  readonly dataLengthBytes: number;
  readonly offsetBytes: number;
  /** Largest counter step still accepted as OK (1..255). */
  readonly maxDeltaCounter: number;
}

export type P5Config = P5Params;

export function createP5Config(params: P5Params): P5Config {
  const { dataId, dataLengthBytes, offsetBytes, maxDeltaCounter } = params;
  assert(Number.isInteger(dataId) && dataId >= 0 && dataId <= 0xffff, `P5 data ID ${dataId} is not 16-bit`);
  assert(Number.isInteger(dataLengthBytes) && dataLengthBytes >= P5_HEADER_BYTES && dataLengthBytes <= P5_DATA_BYTES_MAX, `P5 length ${dataLengthBytes}`);
  assert(Number.isInteger(offsetBytes) && offsetBytes >= 0 && offsetBytes + P5_HEADER_BYTES <= dataLengthBytes, `P5 offset ${offsetBytes}`);
  assert(Number.isInteger(maxDeltaCounter) && maxDeltaCounter >= 1 && maxDeltaCounter <= P5_COUNTER_MAX, `P5 max delta ${maxDeltaCounter}`);
  return { dataId, dataLengthBytes, offsetBytes, maxDeltaCounter };
}

/** AUTOSAR E2E_P05CheckInit: counter 0xFF, so a first frame with counter 0 is OK. */
export function createP5CheckState(): CheckState {
  return createCheckState(P5_COUNTER_MAX);
}

function crc16Step(register: number, byte: number): number {
  return ((register << 8) & 0xffff) ^ (CRC16_CCITT_FALSE_TABLE[((register >>> 8) ^ byte) & 0xff] ?? 0);
}

function crc16Range(register: number, bytes: Uint8Array, start: number, end: number): number {
  let crc = register;
  for (let index = start; index < end; index++) crc = crc16Step(crc, bytes[index] ?? 0);
  return crc;
}

/** The Profile 5 CRC of `data`, skipping the CRC field and appending the data ID. */
export function p5Crc(config: P5Config, data: Uint8Array): number {
  const offset = config.offsetBytes;
  const overData = crc16Range(crc16Range(0xffff, data, 0, offset), data, offset + 2, config.dataLengthBytes);
  return crc16Step(crc16Step(overData, config.dataId & 0xff), config.dataId >>> 8);
}

/** E2E_P05Protect: writes counter and CRC in place; advances the counter. */
export function protectP5(config: P5Config, state: ProtectState, data: Uint8Array): void {
  if (data.length !== config.dataLengthBytes) assert(false, `P5 protect: ${data.length} bytes, configured ${config.dataLengthBytes}`);
  const offset = config.offsetBytes;
  data[offset + 2] = state.counter;
  const crc = p5Crc(config, data);
  data[offset] = crc & 0xff;
  data[offset + 1] = crc >>> 8;
  state.counter = (state.counter + 1) & 0xff;
}

/** E2E_P05Check followed by E2E_P05MapStatusToSM; `data` null is NONEWDATA. Never throws. */
export function checkP5(config: P5Config, state: CheckState, data: Uint8Array | null): CheckStatus {
  state.status = checkP5Frame(config, state, data);
  return state.status;
}

function checkP5Frame(config: P5Config, state: CheckState, data: Uint8Array | null): CheckStatus {
  if (data === null) return 'NONEWDATA';
  if (data.length !== config.dataLengthBytes) return 'ERROR';
  const offset = config.offsetBytes;
  const received = (data[offset] ?? 0) | ((data[offset + 1] ?? 0) << 8);
  if (received !== p5Crc(config, data)) return 'ERROR';
  return evaluateCounter(state, data[offset + 2] ?? 0, P5_COUNTER_MODULO, config.maxDeltaCounter);
}
