/** fast-check arbitraries for valid CAN frames of every kind (classic, extended, RTR, FD, error). */
import fc from 'fast-check';
import { CAN_EFF_MASK, CAN_FD_LENGTHS, CAN_SFF_MASK, type CanFrame } from '../../src/core/frame/can.js';

const bytes = (lengths: readonly number[]): fc.Arbitrary<Uint8Array> =>
  fc.constantFrom(...lengths).chain((length) => fc.uint8Array({ minLength: length, maxLength: length }));

const idFor = (extended: boolean): fc.Arbitrary<number> => fc.integer({ min: 0, max: extended ? CAN_EFF_MASK : CAN_SFF_MASK });

export const classicFrameArb: fc.Arbitrary<CanFrame> = fc.boolean().chain((extended) =>
  fc.record({ id: idFor(extended), data: bytes([0, 1, 2, 3, 4, 5, 6, 7, 8]) }).map(({ id, data }) =>
    ({ id, extended, rtr: false, fd: false, brs: false, esi: false, error: false, data })));

export const rtrFrameArb: fc.Arbitrary<CanFrame> = fc.boolean().chain((extended) =>
  fc.record({ id: idFor(extended), rtrLength: fc.integer({ min: 0, max: 8 }) }).map(({ id, rtrLength }) =>
    ({ id, extended, rtr: true, rtrLength, fd: false, brs: false, esi: false, error: false, data: new Uint8Array(0) })));

export const fdFrameArb: fc.Arbitrary<CanFrame> = fc.boolean().chain((extended) =>
  fc.record({ id: idFor(extended), brs: fc.boolean(), esi: fc.boolean(), data: bytes(CAN_FD_LENGTHS) }).map(({ id, brs, esi, data }) =>
    ({ id, extended, rtr: false, fd: true, brs, esi, error: false, data })));

export const errorFrameArb: fc.Arbitrary<CanFrame> = fc.record({ id: fc.integer({ min: 0, max: CAN_EFF_MASK }), data: bytes([0, 8]) }).map(({ id, data }) =>
  ({ id, extended: false, rtr: false, fd: false, brs: false, esi: false, error: true, data }));

export const canFrameArb: fc.Arbitrary<CanFrame> = fc.oneof(classicFrameArb, rtrFrameArb, fdFrameArb, errorFrameArb);
