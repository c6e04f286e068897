import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, formatOpenError } from '../../src/bus/registry.js';
import {
  frameOf, loadSocketCan, openSocketCanBus, SOCKETCAN_MISSING_MESSAGE, type SocketCanChannel, type SocketCanMessage,
} from '../../src/bus/socketcan-bus.js';
import { classicFrame } from '../../src/core/frame/can.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { RealClock } from '../../src/io/real-clock.js';
import { runFrameBusContract, type ContractPair } from './contract.js';
import { waitFor } from './support.js';

/** CAN interfaces the kernel has (ARPHRD_CAN = 280 in /sys/class/net/<if>/type). */
function canInterfaces(): string[] {
  try {
    return readdirSync('/sys/class/net').filter((name) => readFileSync(`/sys/class/net/${name}/type`, 'utf8').trim() === '280');
  } catch {
    return [];
  }
}

/** A fake node-can channel: records what is sent and lets the test inject received messages. */
class FakeChannel implements SocketCanChannel {
  readonly sent: SocketCanMessage[] = [];
  readonly sentFd: SocketCanMessage[] = [];
  started = false;
  private listener: ((message: SocketCanMessage) => void) | undefined;
  addListener(event: string, callback: (message: SocketCanMessage) => void): void { if (event === 'onMessage') this.listener = callback; }
  start(): void { this.started = true; }
  stop(): void { this.started = false; }
  send(message: SocketCanMessage): void { this.sent.push(message); }
  sendFD(message: SocketCanMessage): void { this.sentFd.push(message); }
  inject(message: SocketCanMessage): void { this.listener?.(message); }
}

describe('SocketCAN adapter (socketcan package optional)', () => {
  it('without the package, opening says in one line what to install', async () => {
    const opened = await openSocketCanBus({ channel: 'vcan0', clock: new SimClock() });
    expect(opened).toEqual({ ok: false, error: { code: 'package_missing', message: SOCKETCAN_MISSING_MESSAGE } });
    expect(SOCKETCAN_MISSING_MESSAGE).toBe('SocketCAN needs the optional package socketcan@4.2 (Linux, Node ≥ 22, native build): npm install socketcan@4.2');
    const viaRegistry = await defaultRegistry().openAdapter('socketcan', { channel: 'vcan0' });
    expect(viaRegistry.ok).toBe(false);
    if (!viaRegistry.ok) expect(formatOpenError(viaRegistry.error)).toBe(`socketcan: ${SOCKETCAN_MISSING_MESSAGE}`);
  });

  it('a module without createRawChannelWithOptions counts as missing', async () => {
    expect(await loadSocketCan(() => Promise.resolve({ default: {} }))).toMatchObject({ ok: false, error: { code: 'package_missing' } });
    expect(await loadSocketCan(() => Promise.reject(new Error('ABI mismatch')))).toMatchObject({ ok: false, error: { code: 'package_missing' } });
  });

  it('maps frames to node-can messages and back, through a fake channel', async () => {
    const channel = new FakeChannel();
    let options: unknown;
    const module = { createRawChannelWithOptions: (_name: string, opts: unknown) => { options = opts; return channel; } };
    const opened = await openSocketCanBus({ channel: 'vcan0', clock: new SimClock(42), loader: () => Promise.resolve({ default: module }) });
    if (!opened.ok) throw new Error(opened.error.message);
    const bus = opened.value;
    expect(options).toEqual({ timestamps: false, non_block_send: true });
    expect(channel.started).toBe(true);
    expect(bus.send(classicFrame(0x1abcdef, Uint8Array.of(1, 2), true))).toEqual({ ok: true, value: undefined });
    expect(bus.send({ ...classicFrame(0x10, new Uint8Array(12)), fd: true })).toEqual({ ok: true, value: undefined });
    expect(bus.send({ ...classicFrame(0x10, new Uint8Array(8)), error: true })).toMatchObject({ ok: false, error: { code: 'invalid_frame' } });
    expect(channel.sent.map((m) => [m.id, m.ext, [...m.data]])).toEqual([[0x1abcdef, true, [1, 2]]]);
    expect(channel.sentFd).toHaveLength(1);
    const got: [number, number][] = [];
    bus.subscribe((frame, micros) => got.push([frame.id, micros]));
    channel.inject({ id: 0x123, ext: false, rtr: false, data: Buffer.from([9]) });
    channel.inject({ id: 0x800, ext: false, data: Buffer.alloc(0) });
    expect(got).toEqual([[0x123, 42]]);
    expect(bus.statistics()).toMatchObject({ framesSent: 2, framesReceived: 1, framesDropped: 1 });
    await bus.close();
    expect(channel.started).toBe(false);
    expect(bus.send(classicFrame(1, new Uint8Array(0)))).toEqual({ ok: false, error: { code: 'closed' } });
  });

  it('frameOf: RTR, FD by length, and invalid messages', () => {
    expect(frameOf({ id: 0x7ff, rtr: true, data: Buffer.alloc(4) })).toMatchObject({ rtr: true, rtrLength: 4, data: new Uint8Array(0) });
    expect(frameOf({ id: 1, data: Buffer.alloc(64) })).toMatchObject({ fd: true });
    expect(frameOf({ id: 1, data: Buffer.alloc(10) })).toBeUndefined();
  });
});

const interfaces = canInterfaces();
const packageLoads = (await loadSocketCan()).ok;
const hasCan = interfaces.length > 0 && packageLoads;
const skipReason = interfaces.length === 0
  ? 'no CAN interface — /sys/class/net (ip link) shows no can*/vcan*; this kernel has no CAN support'
  : `the socketcan package is not installed (${SOCKETCAN_MISSING_MESSAGE})`;

async function makeSocketCanPair(): Promise<ContractPair> {
  const registry = defaultRegistry();
  const channel = interfaces[0] ?? 'vcan0';
  const a = await registry.openAdapter('socketcan', { channel, clock: new RealClock() });
  const b = await registry.openAdapter('socketcan', { channel, clock: new RealClock() });
  if (!a.ok || !b.ok) throw new Error('socketcan adapter failed to open');
  const [busA, busB] = [a.value, b.value];
  return {
    a: busA,
    b: busB,
    settle: () => waitFor(() => busB.statistics().framesReceived >= busA.statistics().framesSent, 'frames on the CAN interface'),
    close: async () => { await busA.close(); await busB.close(); },
  };
}

if (hasCan) {
  runFrameBusContract(`socketcan on ${interfaces[0] ?? '?'}`, makeSocketCanPair);
} else {
  it.skip(`socketcan contract: the FrameBus contract on a real CAN interface (skipped: ${skipReason})`, () => undefined);
}
