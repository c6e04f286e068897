/** Valid CanFrames of every kind SLCAN and the serial line carry (classic, RTR, FD), for property tests. */
import fc from 'fast-check';
import { CAN_FD_LENGTHS, classicFrame, type CanFrame } from '../../../src/core/frame/can.js';

export const canFrameArb: fc.Arbitrary<CanFrame> = fc.oneof(
  fc.record({ extended: fc.boolean(), data: fc.uint8Array({ maxLength: 8 }) }).chain(({ extended, data }) =>
    fc.integer({ min: 0, max: extended ? 0x1fffffff : 0x7ff }).map((id) => classicFrame(id, data, extended))),
  fc.record({ extended: fc.boolean(), rtrLength: fc.integer({ min: 0, max: 8 }), id: fc.integer({ min: 0, max: 0x7ff }) })
    .map(({ extended, rtrLength, id }): CanFrame => ({ ...classicFrame(id, new Uint8Array(0), extended), rtr: true, rtrLength })),
  fc.record({ extended: fc.boolean(), brs: fc.boolean(), size: fc.constantFrom(...CAN_FD_LENGTHS), id: fc.integer({ min: 0, max: 0x7ff }) }).chain(({ extended, brs, size, id }) =>
    fc.uint8Array({ minLength: size, maxLength: size }).map((data): CanFrame => ({ ...classicFrame(id, data, extended), fd: true, brs }))),
);
