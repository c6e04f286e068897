/**
 * The FrameBus contract: one suite every adapter must pass (emulated, serial line, SLCAN,
 * SocketCAN). `makePair` opens two endpoints on one bus; `settle` lets frames travel (advance
 * simulated time, or wait for I/O). FD cases run only if both endpoints say `capabilities.fd`.
 */
import { describe, expect, it } from 'vitest';
import { classicFrame, type CanFrame } from '../../src/core/frame/can.js';
import type { FrameBus } from '../../src/bus/frame-bus.js';

export interface ContractPair {
  readonly a: FrameBus;
  readonly b: FrameBus;
  /** Lets sent frames arrive: advance simulated time, or wait for I/O. */
  readonly settle: () => Promise<void>;
  readonly close: () => Promise<void>;
}

interface Received { readonly frame: CanFrame; readonly timestampMicros: number }

function collect(bus: FrameBus, filters?: Parameters<FrameBus['subscribe']>[1]): { frames: Received[]; unsubscribe: () => void } {
  const frames: Received[] = [];
  const sub = bus.subscribe((frame, timestampMicros) => { frames.push({ frame, timestampMicros }); }, filters);
  return { frames, unsubscribe: () => { sub.unsubscribe(); } };
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

async function withPair(makePair: () => Promise<ContractPair>, body: (pair: ContractPair) => Promise<void>): Promise<void> {
  const pair = await makePair();
  try {
    await body(pair);
  } finally {
    await pair.close();
  }
}

export function runFrameBusContract(label: string, makePair: () => Promise<ContractPair>): void {
  describe(`FrameBus contract: ${label}`, () => {
    it('delivers a classic frame from a to b with id, data and a timestamp', async () => {
      await withPair(makePair, async ({ a, b, settle }) => {
        const rx = collect(b);
        expect(a.send(classicFrame(0x123, bytes(1, 2, 3))).ok).toBe(true);
        await settle();
        expect(rx.frames).toHaveLength(1);
        const got = rx.frames[0]!;
        expect(got.frame.id).toBe(0x123);
        expect(got.frame.extended).toBe(false);
        expect([...got.frame.data]).toEqual([1, 2, 3]);
        expect(Number.isFinite(got.timestampMicros)).toBe(true);
      });
    });

    it('keeps the order of frames with the same id, and carries extended ids and empty payloads', async () => {
      await withPair(makePair, async ({ a, b, settle }) => {
        const rx = collect(b);
        for (let i = 0; i < 8; i++) expect(a.send(classicFrame(0x1abcde0, bytes(i), true)).ok).toBe(true);
        expect(a.send(classicFrame(0x7ff, new Uint8Array(0))).ok).toBe(true);
        await settle();
        const ext = rx.frames.filter((r) => r.frame.extended);
        expect(ext.map((r) => r.frame.data[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        expect(ext.every((r) => r.frame.id === 0x1abcde0)).toBe(true);
        const std = rx.frames.filter((r) => !r.frame.extended);
        expect(std.map((r) => [r.frame.id, r.frame.data.length])).toEqual([[0x7ff, 0]]);
      });
    });

    it('filters by id/mask and by id kind', async () => {
      await withPair(makePair, async ({ a, b, settle }) => {
        const group = collect(b, [{ id: 0x120, mask: 0x7f0, extended: false }]);
        const exact = collect(b, [{ id: 0x00000123, mask: 0x1fffffff, extended: true }]);
        const all = collect(b);
        for (const frame of [classicFrame(0x121, bytes(1)), classicFrame(0x12f, bytes(2)), classicFrame(0x130, bytes(3)), classicFrame(0x123, bytes(4), true)]) {
          expect(a.send(frame).ok).toBe(true);
        }
        await settle();
        expect(group.frames.map((r) => r.frame.id)).toEqual([0x121, 0x12f]);
        expect(exact.frames.map((r) => [r.frame.id, r.frame.extended])).toEqual([[0x123, true]]);
        expect(all.frames).toHaveLength(4);
      });
    });

    it('stops delivering after unsubscribe', async () => {
      await withPair(makePair, async ({ a, b, settle }) => {
        const rx = collect(b);
        expect(a.send(classicFrame(0x10, bytes(1))).ok).toBe(true);
        await settle();
        rx.unsubscribe();
        expect(a.send(classicFrame(0x10, bytes(2))).ok).toBe(true);
        await settle();
        expect(rx.frames.map((r) => r.frame.data[0])).toEqual([1]);
      });
    });

    it('counts frames sent and received', async () => {
      await withPair(makePair, async ({ a, b, settle }) => {
        const sentBefore = a.statistics().framesSent;
        const receivedBefore = b.statistics().framesReceived;
        for (let i = 0; i < 5; i++) expect(a.send(classicFrame(0x200 + i, bytes(i))).ok).toBe(true);
        await settle();
        expect(a.statistics().framesSent - sentBefore).toBe(5);
        expect(b.statistics().framesReceived - receivedBefore).toBe(5);
        expect(a.state()).toBe('error-active');
      });
    });

    it('rejects invalid frames with a status instead of throwing', async () => {
      await withPair(makePair, ({ a }) => {
        const bad: CanFrame[] = [
          classicFrame(0x800, bytes(), false),
          classicFrame(0x20000000, bytes(), true),
          classicFrame(-1, bytes(), false),
          classicFrame(0x10, new Uint8Array(9)),
          { ...classicFrame(0x10, bytes()), error: true },
          { ...classicFrame(0x10, bytes()), brs: true },
          { ...classicFrame(0x10, bytes()), fd: true, data: new Uint8Array(9) },
        ];
        for (const frame of bad) {
          const result = a.send(frame);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.code).toBe('invalid_frame');
        }
        return Promise.resolve();
      });
    });

    it("returns 'closed' for a send after close, and reports state 'closed'", async () => {
      await withPair(makePair, async ({ a }) => {
        await a.close();
        const result = a.send(classicFrame(0x10, bytes(1)));
        expect(result).toEqual({ ok: false, error: { code: 'closed' } });
        expect(a.state()).toBe('closed');
      });
    });

    it('carries CAN FD frames when the adapter supports them', async (context) => {
      await withPair(makePair, async ({ a, b, settle }) => {
        if (a.capabilities?.fd !== true || b.capabilities?.fd !== true) { context.skip(); return; }
        const rx = collect(b);
        const data = Uint8Array.from({ length: 64 }, (_, i) => i);
        const frame: CanFrame = { id: 0x345, extended: false, rtr: false, fd: true, brs: false, esi: false, error: false, data };
        expect(a.send(frame).ok).toBe(true);
        await settle();
        expect(rx.frames).toHaveLength(1);
        expect(rx.frames[0]!.frame.fd).toBe(true);
        expect([...rx.frames[0]!.frame.data]).toEqual([...data]);
      });
    });
  });
}
