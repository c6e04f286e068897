/**
 * AUTOSAR E2E Profile 11 (AUTOSAR_PRS_E2EProtocol, "Specification of E2E Profile 11"): the
 * successor of Profile 1 for short frames such as classic CAN.
 *
 * Header at byte `offsetBytes` of the frame (AUTOSAR defaults CRCOffset = Offset,
 * CounterOffset = Offset + 8, DataIDNibbleOffset = Offset + 12, in bits):
 *   byte offset     CRC-8
 *   byte offset+1   bits 3..0 counter 0..14; bits 7..4 the data ID nibble (mode NIBBLE) or
 *                   application data (mode BOTH)
 *
 * CRC: CRC-8/SAE-J1850 polynomial 0x1D. AUTOSAR calls Crc_CalculateCRC8 with start value 0xFF
 * and IsFirstCall = FALSE, then XORs the result with 0xFF; the net effect is register start 0x00
 * and no final XOR. It runs over the data ID low byte, then the data ID high byte (mode BOTH) or
 * 0x00 (mode NIBBLE), then every frame byte except the CRC byte, in order.
 * Counter: 0..14, wraps 14 → 0; 15 never appears in a correct frame (checked as ERROR).
 *
 * Deviations from AUTOSAR (documented in docs/WIRE.md): only the default relative layout at a
 * byte offset is supported (no free bit offsets); a frame whose length differs from the
 * configured one is ERROR (AUTOSAR returns E2E_E_INPUTERR_WRONG, which E2E_P11MapStatusToSM
 * also maps to E2E_P_ERROR).
 */
import { assert } from '../../assert.js';
import { createCheckState, evaluateCounter, type CheckState, type CheckStatus, type ProtectState } from './check-status.js';
import { CRC8_SAE_J1850_TABLE, crc8Range, crc8Step } from './crc-tables.js';

export const P11_COUNTER_MODULO = 15;
export const P11_COUNTER_MAX = 14;
export const P11_HEADER_BYTES = 2;
/** AUTOSAR limits Profile 11 to 8 bytes for CAN and 64 for CAN FD; we accept up to 64. */
export const P11_DATA_BYTES_MAX = 64;

export type P11DataIdMode = 'both' | 'nibble';

export interface P11Params {
  /** 16-bit data ID; in mode 'nibble' bits 15..12 must be 0 (only 12 bits are protected). */
  readonly dataId: number;
  readonly dataIdMode: P11DataIdMode;
  /** Frame length in bytes (AUTOSAR DataLength / 8). */
  readonly dataLengthBytes: number;
  /** Byte offset of the header in the frame (AUTOSAR Offset / 8). */
  readonly offsetBytes: number;
  /** Largest counter step still accepted as OK (1..14). */
  readonly maxDeltaCounter: number;
}

export interface P11Config extends P11Params {
  /** CRC register after the two data ID bytes (computed once). */
  readonly crcAfterDataId: number;
}

export function createP11Config(params: P11Params): P11Config {
  const { dataId, dataIdMode, dataLengthBytes, offsetBytes, maxDeltaCounter } = params;
  assert(Number.isInteger(dataId) && dataId >= 0 && dataId <= 0xffff, `P11 data ID ${dataId} is not 16-bit`);
  assert(dataIdMode === 'both' || (dataId & 0xf000) === 0, 'P11 nibble mode protects 12 bits of data ID: bits 15..12 must be 0');
  assert(Number.isInteger(dataLengthBytes) && dataLengthBytes >= P11_HEADER_BYTES && dataLengthBytes <= P11_DATA_BYTES_MAX, `P11 length ${dataLengthBytes}`);
  assert(Number.isInteger(offsetBytes) && offsetBytes >= 0 && offsetBytes + P11_HEADER_BYTES <= dataLengthBytes, `P11 offset ${offsetBytes}`);
  assert(Number.isInteger(maxDeltaCounter) && maxDeltaCounter >= 1 && maxDeltaCounter <= P11_COUNTER_MAX, `P11 max delta ${maxDeltaCounter}`);
  const highByte = dataIdMode === 'both' ? dataId >>> 8 : 0;
  const crcAfterDataId = crc8Step(CRC8_SAE_J1850_TABLE, crc8Step(CRC8_SAE_J1850_TABLE, 0x00, dataId & 0xff), highByte);
  return { dataId, dataIdMode, dataLengthBytes, offsetBytes, maxDeltaCounter, crcAfterDataId };
}

/** AUTOSAR E2E_P11CheckInit: counter 14, so a first frame with counter 0 is OK. */
export function createP11CheckState(): CheckState {
  return createCheckState(P11_COUNTER_MAX);
}

/** The Profile 11 CRC of `data` as it stands (the CRC byte itself is skipped). */
export function p11Crc(config: P11Config, data: Uint8Array): number {
  return crc8Range(CRC8_SAE_J1850_TABLE, config.crcAfterDataId, data, 0, config.dataLengthBytes, config.offsetBytes);
}

/**
 * E2E_P11Protect: writes the counter (and the data ID nibble in mode 'nibble') and the CRC into
 * `data` in place, then advances the sender counter. A wrong length is a programmer error.
 */
export function protectP11(config: P11Config, state: ProtectState, data: Uint8Array): void {
  if (data.length !== config.dataLengthBytes) assert(false, `P11 protect: ${data.length} bytes, configured ${config.dataLengthBytes}`);
  const counterIndex = config.offsetBytes + 1;
  const high = config.dataIdMode === 'nibble' ? (config.dataId >>> 4) & 0xf0 : (data[counterIndex] ?? 0) & 0xf0;
  data[counterIndex] = high | state.counter;
  data[config.offsetBytes] = p11Crc(config, data);
  state.counter = state.counter === P11_COUNTER_MAX ? 0 : state.counter + 1;
}

/**
 * E2E_P11Check followed by E2E_P11MapStatusToSM. `data` null means no new frame this cycle
 * (NONEWDATA). Never throws on any bytes.
 */
export function checkP11(config: P11Config, state: CheckState, data: Uint8Array | null): CheckStatus {
  state.status = checkP11Frame(config, state, data);
  return state.status;
}

function checkP11Frame(config: P11Config, state: CheckState, data: Uint8Array | null): CheckStatus {
  if (data === null) return 'NONEWDATA';
  if (data.length !== config.dataLengthBytes) return 'ERROR';
  const counterByte = data[config.offsetBytes + 1] ?? 0;
  const counter = counterByte & 0x0f;
  if (counter > P11_COUNTER_MAX) return 'ERROR';
  if (config.dataIdMode === 'nibble' && counterByte >>> 4 !== ((config.dataId >>> 8) & 0x0f)) return 'ERROR';
  if (data[config.offsetBytes] !== p11Crc(config, data)) return 'ERROR';
  return evaluateCounter(state, counter, P11_COUNTER_MODULO, config.maxDeltaCounter);
}
