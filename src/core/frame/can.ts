/**
 * A CAN frame as Triplex passes it between adapters: classic (11/29-bit ID, 0–8 bytes, RTR)
 * or CAN FD (0–64 bytes at the valid DLC sizes, BRS/ESI), or an error frame as SocketCAN and
 * candump represent it (CAN_ERR_FLAG set on the ID word, class bits in `id`, data 8 bytes).
 */
export interface CanFrame {
  /** 11-bit (standard) or 29-bit (extended) identifier; for error frames, the error class bits. */
  readonly id: number;
  readonly extended: boolean;
  /** Remote transmission request (classic only): no data; `rtrLength` is the requested length. */
  readonly rtr: boolean;
  readonly rtrLength?: number;
  /** CAN FD frame (the FDF bit); `brs` bit-rate switch and `esi` error-state indicator are FD-only. */
  readonly fd: boolean;
  readonly brs: boolean;
  readonly esi: boolean;
  /** Error frame in the SocketCAN sense (CAN_ERR_FLAG). */
  readonly error: boolean;
  readonly data: Uint8Array;
}

export const CAN_SFF_MASK = 0x7ff;
export const CAN_EFF_MASK = 0x1fffffff;
export const CAN_ERR_FLAG = 0x20000000;
export const CAN_CLASSIC_DATA_BYTES_MAX = 8;
export const CAN_FD_DATA_BYTES_MAX = 64;
/** The payload sizes a CAN FD DLC can express. */
export const CAN_FD_LENGTHS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

/** A classic data frame; the commonest constructor in tests and adapters. */
export function classicFrame(id: number, data: Uint8Array, extended = id > CAN_SFF_MASK): CanFrame {
  return { id, extended, rtr: false, fd: false, brs: false, esi: false, error: false, data };
}
