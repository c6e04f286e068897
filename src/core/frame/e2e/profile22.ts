/**
 * AUTOSAR E2E Profile 22 (AUTOSAR_PRS_E2EProtocol, "Specification of E2E Profile 22"): the
 * successor of Profile 2 for short frames such as classic CAN.
 *
 * Header at byte `offsetBytes` of the frame:
 *   byte offset     CRC-8
 *   byte offset+1   bits 3..0 counter 0..15; bits 7..4 application data
 *
 * Data ID: a list of 16 bytes (DataIDList); the frame with counter c is protected with
 * DataIDList[c], so the implicit data ID changes from frame to frame.
 * CRC: CRC8H2F = CRC-8/AUTOSAR (polynomial 0x2F, start 0xFF, final XOR 0xFF) over every frame
 * byte except the CRC byte, in order, then over the one byte DataIDList[counter].
 * Counter: 0..15, wraps 15 → 0.
 *
 * Deviation (docs/WIRE.md): a frame whose length differs from the configured one is ERROR
 * (AUTOSAR: E2E_E_INPUTERR_WRONG, mapped to E2E_P_ERROR by E2E_P22MapStatusToSM).
 */
import { assert } from '../../assert.js';
import { createCheckState, evaluateCounter, type CheckState, type CheckStatus, type ProtectState } from './check-status.js';
import { CRC8_H2F_TABLE, crc8Range, crc8Step } from './crc-tables.js';

export const P22_COUNTER_MODULO = 16;
export const P22_COUNTER_MAX = 15;
export const P22_HEADER_BYTES = 2;
export const P22_DATA_ID_LIST_LENGTH = 16;
export const P22_DATA_BYTES_MAX = 64;

export interface P22Params {
  /** DataIDList: 16 bytes, entry c protects the frame with counter c. */
  readonly dataIdList: Uint8Array;
  readonly dataLengthBytes: number;
  readonly offsetBytes: number;
  /** Largest counter step still accepted as OK (1..15). */
  readonly maxDeltaCounter: number;
}

export type P22Config = P22Params;

export function createP22Config(params: P22Params): P22Config {
  const { dataIdList, dataLengthBytes, offsetBytes, maxDeltaCounter } = params;
  assert(dataIdList.length === P22_DATA_ID_LIST_LENGTH, `P22 DataIDList has ${dataIdList.length} entries, needs 16`);
  assert(Number.isInteger(dataLengthBytes) && dataLengthBytes >= P22_HEADER_BYTES && dataLengthBytes <= P22_DATA_BYTES_MAX, `P22 length ${dataLengthBytes}`);
  assert(Number.isInteger(offsetBytes) && offsetBytes >= 0 && offsetBytes + P22_HEADER_BYTES <= dataLengthBytes, `P22 offset ${offsetBytes}`);
  assert(Number.isInteger(maxDeltaCounter) && maxDeltaCounter >= 1 && maxDeltaCounter <= P22_COUNTER_MAX, `P22 max delta ${maxDeltaCounter}`);
  return { dataIdList: Uint8Array.from(dataIdList), dataLengthBytes, offsetBytes, maxDeltaCounter };
}

/** AUTOSAR E2E_P22CheckInit: counter 15, so a first frame with counter 0 is OK. */
export function createP22CheckState(): CheckState {
  return createCheckState(P22_COUNTER_MAX);
}

/** The Profile 22 CRC of `data` for counter value `counter` (the CRC byte itself is skipped). */
export function p22Crc(config: P22Config, data: Uint8Array, counter: number): number {
  const overData = crc8Range(CRC8_H2F_TABLE, 0xff, data, 0, config.dataLengthBytes, config.offsetBytes);
  return crc8Step(CRC8_H2F_TABLE, overData, config.dataIdList[counter & 0x0f] ?? 0) ^ 0xff;
}

/** E2E_P22Protect: writes counter and CRC into `data` in place, then advances the counter. */
export function protectP22(config: P22Config, state: ProtectState, data: Uint8Array): void {
  if (data.length !== config.dataLengthBytes) assert(false, `P22 protect: ${data.length} bytes, configured ${config.dataLengthBytes}`);
  const counterIndex = config.offsetBytes + 1;
  data[counterIndex] = ((data[counterIndex] ?? 0) & 0xf0) | state.counter;
  data[config.offsetBytes] = p22Crc(config, data, state.counter);
  state.counter = (state.counter + 1) & 0x0f;
}

/** E2E_P22Check followed by E2E_P22MapStatusToSM; `data` null is NONEWDATA. Never throws. */
export function checkP22(config: P22Config, state: CheckState, data: Uint8Array | null): CheckStatus {
  state.status = checkP22Frame(config, state, data);
  return state.status;
}

function checkP22Frame(config: P22Config, state: CheckState, data: Uint8Array | null): CheckStatus {
  if (data === null) return 'NONEWDATA';
  if (data.length !== config.dataLengthBytes) return 'ERROR';
  const counter = (data[config.offsetBytes + 1] ?? 0) & 0x0f;
  if (data[config.offsetBytes] !== p22Crc(config, data, counter)) return 'ERROR';
  return evaluateCounter(state, counter, P22_COUNTER_MODULO, config.maxDeltaCounter);
}
