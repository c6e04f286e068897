/**
 * Byte-wise CRC tables for the E2E profiles, built once at module load from the CRC catalogue
 * models (src/core/integrity/crc-catalogue.ts), so that the profiles use exactly the catalogue's
 * parameters while their hot loops stay allocation-free and can start from any register value
 * (needed to chain the data ID bytes before or after the data, as the profiles specify).
 *
 * The table of a CRC is the register update for one byte from register 0. A CRC is affine in its
 * input, so for one-byte messages compute([b]) XOR compute([0]) cancels init and xorout and leaves
 * exactly that update: T[b] = compute([b]) ^ compute([0]). That holds for reflected and
 * non-reflected models alike; test/core/frame/e2e/crc-tables.test.ts checks every table-driven
 * CRC against the catalogue over random messages.
 */
import { getCrc } from '../../integrity/crc-catalogue.js';

const BYTE_VALUES = 256;

function tableOf(name: string): Uint32Array {
  const crc = getCrc(name);
  const one = new Uint8Array(1);
  const zero = crc.compute(one) >>> 0;
  const table = new Uint32Array(BYTE_VALUES);
  for (let byte = 0; byte < BYTE_VALUES; byte++) {
    one[0] = byte;
    table[byte] = ((crc.compute(one) >>> 0) ^ zero) >>> 0;
  }
  return table;
}

function toUint8(table: Uint32Array): Uint8Array {
  return Uint8Array.from(table);
}

function toUint16(table: Uint32Array): Uint16Array {
  return Uint16Array.from(table);
}

/** CRC-8/SAE-J1850 (poly 0x1D, non-reflected): E2E Profiles 1 and 11. */
export const CRC8_SAE_J1850_TABLE: Uint8Array = toUint8(tableOf('CRC-8/SAE-J1850'));
/** CRC-8/AUTOSAR = CRC8H2F (poly 0x2F, init 0xFF, xorout 0xFF, non-reflected): Profiles 2 and 22. */
export const CRC8_H2F_TABLE: Uint8Array = toUint8(tableOf('CRC-8/AUTOSAR'));
/** CRC-16/IBM-3740 = CCITT-FALSE (poly 0x1021, init 0xFFFF, non-reflected): Profile 5. */
export const CRC16_CCITT_FALSE_TABLE: Uint16Array = toUint16(tableOf('CRC-16/IBM-3740'));
/** CRC-32/AUTOSAR = CRC-32P4 (poly 0xF4ACFB13, reflected, init and xorout 0xFFFFFFFF): Profile 4. */
export const CRC32_P4_TABLE: Int32Array = new Int32Array(tableOf('CRC-32/AUTOSAR').buffer);

/** One non-reflected CRC-8 register step. */
export function crc8Step(table: Uint8Array, register: number, byte: number): number {
  return table[(register ^ byte) & 0xff] ?? 0;
}

/** Non-reflected CRC-8 register over `bytes[start, end)`, skipping index `skip` (the CRC byte). */
export function crc8Range(table: Uint8Array, register: number, bytes: Uint8Array, start: number, end: number, skip: number): number {
  let crc = register;
  for (let index = start; index < end; index++) {
    if (index !== skip) crc = table[(crc ^ (bytes[index] ?? 0)) & 0xff] ?? 0;
  }
  return crc;
}
