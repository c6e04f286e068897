/**
 * CAN identifiers, data IDs and per-medium layouts of every Triplex frame (docs/WIRE.md is the
 * normative description; this file is its code).
 *
 * Identifiers are 11-bit (CAN 2.0A). On CAN a lower identifier wins arbitration, so the order
 * of the ranges is the priority order: clock sync, commands, sensors, channel status, then rig
 * and console traffic. Every range has room for later frames; nothing outside the assigned IDs
 * may be sent.
 */
import { assert } from '../assert.js';
import { getCrc } from '../integrity/crc-catalogue.js';

/** Channel D exists only in the four-channel p2p configuration (docs/BYZANTINE.md); its IDs are base + 4. */
export type ChannelId = 'A' | 'B' | 'C' | 'D';
export const CHANNEL_IDS: readonly ChannelId[] = ['A', 'B', 'C'];
export const CHANNEL_IDS_MAX: readonly ChannelId[] = ['A', 'B', 'C', 'D'];
/** IMUs are numbered 1..3 (IMU i is sensor Si of DESIGN.md); IMU 4 is channel D's, four-channel configuration only. */
export type ImuNumber = 1 | 2 | 3 | 4;
export const IMU_NUMBERS: readonly ImuNumber[] = [1, 2, 3];
export const IMU_NUMBERS_MAX: readonly ImuNumber[] = [1, 2, 3, 4];

export type FrameKind = 'imu-rate' | 'imu-accel' | 'command' | 'channel-status' | 'clock-sync';

/** Base identifier of each kind; the sender number (channel A=1, B=2, C=3, D=4, or IMU 1..4) is added. */
export const CAN_ID_BASE: Readonly<Record<FrameKind, number>> = {
  'clock-sync': 0x080,
  command: 0x100,
  'imu-rate': 0x120,
  'imu-accel': 0x130,
  'channel-status': 0x200,
};

/** Identifier ranges reserved for later frames and for the rig; see docs/WIRE.md. */
export const CAN_ID_RANGES = {
  reservedUrgent: { first: 0x001, last: 0x07f },
  rigConsole: { first: 0x600, last: 0x6ff },
  reservedDiagnostic: { first: 0x700, last: 0x7ff },
} as const;

export function channelNumber(channel: ChannelId): number {
  return channel === 'A' ? 1 : channel === 'B' ? 2 : channel === 'C' ? 3 : 4;
}

/** The CAN identifier of a frame kind sent by `sender` (channel letter or IMU number). */
export function canIdOf(kind: FrameKind, sender: ChannelId | ImuNumber): number {
  const senderNumber = typeof sender === 'number' ? sender : channelNumber(sender);
  const fromImu = kind === 'imu-rate' || kind === 'imu-accel';
  if (!(fromImu === (typeof sender === 'number'))) assert(false, `${kind} frames are sent by ${fromImu ? 'an IMU' : 'a channel'}`);
  return CAN_ID_BASE[kind] + senderNumber;
}

/** Every frame kind's payload ("body") is 7 bytes; see sensor-frame.ts, command-frame.ts, status-frame.ts. */
export const FRAME_BODY_BYTES = 7;

export type Medium = 'can' | 'can-fd' | 'serial';
export type E2eProfileName = 'P11' | 'P22' | 'P4' | 'P5';

export interface MediumLayout {
  /** Frame data length on this medium (the CAN DLC length, or the serial payload length). */
  readonly frameBytes: number;
  /** Where the 7-byte body starts; the E2E header starts at byte 0. */
  readonly bodyOffsetBytes: number;
}

/**
 * Classic CAN: [CRC-8][body: nibble|counter, 6 bytes] = 8 bytes. CAN FD: [12-byte P4 header]
 * [body][1 pad byte 0x00] = 20 bytes (a valid FD length). Serial: [3-byte P5 header][body] = 10.
 */
export const MEDIUM_LAYOUT: Readonly<Record<Medium, MediumLayout>> = {
  can: { frameBytes: 8, bodyOffsetBytes: 1 },
  'can-fd': { frameBytes: 20, bodyOffsetBytes: 12 },
  serial: { frameBytes: 10, bodyOffsetBytes: 3 },
};

/** The profile protecting a kind on a medium: commands use P22 on classic CAN, the rest P11. */
export function profileOf(kind: FrameKind, medium: Medium): E2eProfileName {
  if (medium === 'can-fd') return 'P4';
  if (medium === 'serial') return 'P5';
  return kind === 'command' ? 'P22' : 'P11';
}

/** 16-bit data ID (Profiles 11 and 5): the 11-bit CAN identifier itself. */
export function dataId16Of(canId: number): number {
  if (!(Number.isInteger(canId) && canId > 0 && canId <= 0x7ff)) assert(false, `CAN id ${canId} is not 11-bit`);
  return canId;
}

/** 32-bit data ID (Profile 4): 0x5458 ("TX") in the upper half, the CAN identifier in the lower. */
export function dataId32Of(canId: number): number {
  return (0x5458_0000 + dataId16Of(canId)) >>> 0;
}

/**
 * Profile 22 DataIDList: entry c is CRC-8/AUTOSAR over the three bytes [id >> 8, id & 0xFF, c].
 * C firmware computes the same list with its CRC8H2F routine at start-up.
 */
export function dataIdListOf(canId: number): Uint8Array {
  const id = dataId16Of(canId);
  const crc8h2f = getCrc('CRC-8/AUTOSAR');
  const list = new Uint8Array(16);
  const input = new Uint8Array(3);
  for (let counter = 0; counter < 16; counter++) {
    input[0] = id >>> 8;
    input[1] = id & 0xff;
    input[2] = counter;
    list[counter] = crc8h2f.compute(input);
  }
  return list;
}

/** Counter steps accepted as OK on every Triplex frame: one lost frame is tolerated (and counted). */
export const MAX_DELTA_COUNTER = 2;
