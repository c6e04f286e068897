import { describe, expect, it } from 'vitest';
import { arbitrationKey, EmulatedCanBus, type EmulatedCanNode } from '../../src/sim/emulated-can.js';
import { classicFrame, type CanFrame } from '../../src/core/frame/can.js';
import { exactClassicFrameBits } from '../../src/core/frame/can-bits.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { Prng } from '../../src/core/sim/prng.js';
import { testSeed } from '../support/seed.js';

interface Rx { readonly node: string; readonly id: number; readonly data: number; readonly atMicros: number }

function setup(names: readonly string[] = ['A', 'B', 'C'], prng?: Prng): { clock: SimClock; bus: EmulatedCanBus; nodes: EmulatedCanNode[]; log: Rx[] } {
  const clock = new SimClock();
  const bus = new EmulatedCanBus({ clock, bitRateBps: 1_000_000, stuffing: 'exact', txQueueFramesMax: 16, ...(prng === undefined ? {} : { prng }) });
  const log: Rx[] = [];
  const nodes = names.map((name) => {
    const node = bus.attach(name);
    node.subscribe((frame, atMicros) => { log.push({ node: name, id: frame.id, data: frame.data[0] ?? -1, atMicros }); });
    return node;
  });
  return { clock, bus, nodes, log };
}

const f = (id: number, byte = 0, extended = false): CanFrame => classicFrame(id, Uint8Array.of(byte), extended);

describe('emulated CAN bus', () => {
  it('arbitration: when the bus goes idle the lowest pending id wins; losers retry', () => {
    const { bus, nodes: [a, b, c], log } = setup();
    a!.send(f(0x300));
    bus.runUntil(1); // 0x300 started at t=0 on the idle bus; the rest queue behind it
    a!.send(f(0x200));
    b!.send(f(0x100));
    c!.send(f(0x050));
    bus.runUntil(10_000);
    const atC = log.filter((r) => r.node === 'C').map((r) => r.id);
    expect(atC).toEqual([0x300, 0x100, 0x200]);
    expect(log.filter((r) => r.node === 'B').map((r) => r.id)).toEqual([0x300, 0x050, 0x200]);
    expect(log.filter((r) => r.node === 'A').map((r) => r.id)).toEqual([0x050, 0x100]);
  });

  it('arbitration key: standard beats extended with the same base id; data beats remote', () => {
    const std = f(0x123);
    const ext = f(0x123 << 18, 0, true);
    const remote: CanFrame = { ...f(0x123), rtr: true, data: new Uint8Array(0), rtrLength: 1 };
    expect(arbitrationKey(std)).toBeLessThan(arbitrationKey(remote));
    expect(arbitrationKey(remote)).toBeLessThan(arbitrationKey(ext));
    expect(arbitrationKey(f(0x122 << 18, 0, true))).toBeLessThan(arbitrationKey(std));
  });

  it('timing: a frame takes its exact stuffed length in bit times, delivered at the end of EOF', () => {
    const { bus, nodes: [a], log } = setup();
    const frame = classicFrame(0x0aa, Uint8Array.of(0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff));
    a!.send(frame);
    bus.runUntil(1000);
    const bits = exactClassicFrameBits(frame);
    expect(log[0]!.atMicros).toBe(bits - 3); // 1 µs per bit at 1 Mbit/s; IFS follows delivery
    expect(bus.statistics().busyMicros).toBe(bits);
  });

  it('worst-case stuffing mode uses 55 + 10n bits', () => {
    const clock = new SimClock();
    const bus = new EmulatedCanBus({ clock, bitRateBps: 500_000, stuffing: 'worst-case', txQueueFramesMax: 4 });
    const a = bus.attach('A');
    const b = bus.attach('B');
    const times: number[] = [];
    b.subscribe((_frame, t) => { times.push(t); });
    a.send(classicFrame(0x10, new Uint8Array(8)));
    bus.runUntil(1000);
    expect(times).toEqual([(135 - 3) * 2]);
  });

  it('ACK error: a node alone gets no ACK, goes error-passive at TEC 128 and stays there (ISO exception)', () => {
    const { bus, nodes: [a] } = setup(['A']);
    a!.send(f(0x10));
    bus.runUntil(20_000);
    expect(a!.errorCounters().tec).toBe(128);
    expect(a!.state()).toBe('error-passive');
    expect(a!.queuedFrames()).toBe(1);
    expect(bus.statistics().errorFrames).toBeGreaterThan(16);
  });

  it('bus-wide bit flips: transmitter +8 per error, passive above 127, bus-off above 255, recovery after 128 × 11 recessive bits', () => {
    const { bus, nodes: [a, b], log } = setup(['A', 'B', 'C']);
    bus.faults.flipBit({ bitIndex: 40, scope: 'bus', match: { from: 'A' }, times: Number.POSITIVE_INFINITY });
    a!.send(f(0x10));
    const seen: string[] = [];
    for (let t = 100; t <= 10_000 && a!.state() !== 'bus-off'; t += 10) {
      bus.runUntil(t);
      if (seen.at(-1) !== a!.state()) seen.push(a!.state());
    }
    expect(seen).toEqual(['error-active', 'error-passive', 'bus-off']);
    expect(a!.errorCounters().tec).toBeGreaterThan(255);
    expect(b!.errorCounters().rec).toBe(32); // a secondary detector: +1 per error frame
    expect(a!.send(f(0x11)).ok).toBe(false);
    expect(log).toHaveLength(0);
    bus.faults.clear();
    bus.runUntil(bus.clock.nowMicros() + 128 * 11 - 20);
    expect(a!.state()).toBe('bus-off');
    bus.runUntil(bus.clock.nowMicros() + 40);
    expect(a!.state()).toBe('error-active');
    expect(a!.errorCounters()).toEqual({ tec: 0, rec: 0 });
    bus.runUntil(bus.clock.nowMicros() + 1000);
    expect(log.map((r) => r.id)).toEqual([0x10, 0x10]); // the queued frame is finally sent
  });

  it('a bit flipped at one receiver is caught by its CRC/stuff check; error frame, retransmission, counters', () => {
    const frame = f(0x155, 0x5a);
    const crcDelimiter = exactClassicFrameBits(frame) - 13;
    const bits = [...Array.from({ length: crcDelimiter + 1 }, (_, i) => i), crcDelimiter + 2];
    for (const bit of bits) {
      const { bus, nodes: [a, b, c], log } = setup();
      bus.faults.flipBit({ bitIndex: bit, scope: ['B'] });
      a!.send(frame);
      bus.runUntil(1000);
      expect(log.map((r) => r.node)).toEqual(['B', 'C']); // one delivery each, after the retransmission
      expect(bus.statistics().errorFrames).toBe(1);
      expect(a!.errorCounters().tec).toBe(7); // +8, then -1 for the successful retransmission
      expect(b!.errorCounters().rec).toBe(8); // primary detector +1 +8 (others echo), then -1
      expect(c!.errorCounters().rec).toBe(0); // secondary +1, then -1
    }
  });

  it('an error-passive receiver that sees a flipped bit loses the frame alone (its flag is recessive)', () => {
    const { bus, nodes: [a, b] , log } = setup();
    bus.faults.flipBit({ bitIndex: 20, scope: ['B'], times: 16 });
    for (let i = 0; i < 16; i++) a!.send(f(0x100 + i, i));
    const states = new Set<string>();
    for (let t = 10; t <= 20_000; t += 10) { bus.runUntil(t); states.add(b!.state()); }
    // Attempts 1..15 of the first frame: B primary, +9 each → 135 (passive). Attempt 16: B's
    // passive flag does not disturb the bus; A and C complete the frame, B loses it (+1 → 136).
    expect(states).toEqual(new Set(['error-active', 'error-passive']));
    expect(log.filter((r) => r.node === 'C').map((r) => r.data)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(log.filter((r) => r.node === 'B').map((r) => r.data)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    // Next success sets REC from above 127 to 119; 14 more successes: 105.
    expect(b!.errorCounters().rec).toBe(105);
    expect(b!.state()).toBe('error-active');
  });

  it('drop: inconsistent omission at one receiver only', () => {
    const { bus, nodes: [a], log } = setup();
    bus.faults.drop({ at: 'B', match: { id: 0x20 } });
    a!.send(f(0x20));
    a!.send(f(0x21));
    bus.runUntil(1000);
    expect(log.map((r) => `${r.node}:${r.id.toString(16)}`)).toEqual(['C:20', 'B:21', 'C:21']);
    expect(bus.statistics().errorFrames).toBe(0);
  });

  it('duplicate: an error in the last EOF bit makes every receiver get the frame twice', () => {
    const { bus, nodes: [a], log } = setup();
    bus.faults.duplicate({ match: { id: 0x30 } });
    a!.send(f(0x30));
    bus.runUntil(1000);
    expect(log.map((r) => r.node)).toEqual(['B', 'C', 'B', 'C']);
    expect(a!.errorCounters().tec).toBe(7);
  });

  it('delay: frames reach handlers late; latency statistics include the delay', () => {
    const { bus, nodes: [a], log } = setup();
    bus.faults.delay({ delayMicros: 500, match: { id: 0x40 } });
    a!.send(f(0x40));
    a!.send(f(0x41));
    bus.runUntil(2000);
    expect(log.map((r) => r.id)).toEqual([0x41, 0x41, 0x40, 0x40]);
    const lat = bus.statistics().latency.find((l) => l.id === 0x40)!;
    expect(lat.maxMicros).toBeGreaterThanOrEqual(500);
  });

  it('babbling idiot: a node flooding id 0 starves everyone else', () => {
    const { bus, nodes: [a, b], log } = setup();
    bus.faults.babble('C', f(0));
    a!.send(f(0x10));
    bus.runUntil(5000);
    expect(log.filter((r) => r.id === 0x10)).toHaveLength(0);
    expect(log.filter((r) => r.node === 'B' && r.id === 0).length).toBeGreaterThan(50);
    expect(bus.statistics().loadPercent).toBeGreaterThan(99);
    bus.faults.stopBabble('C');
    bus.runUntil(6000);
    expect(log.filter((r) => r.id === 0x10).map((r) => r.node)).toEqual(['B', 'C']);
    expect(b!.state()).toBe('error-active');
  });

  it('stuck bus-off: the node neither sends nor receives, and does not recover', () => {
    const { bus, nodes: [a, b], log } = setup();
    bus.faults.stuckBusOff('B');
    expect(b!.send(f(0x10))).toEqual({ ok: false, error: { code: 'bus_off' } });
    a!.send(f(0x11));
    bus.runUntil(50_000);
    expect(b!.state()).toBe('bus-off');
    expect(log.map((r) => r.node)).toEqual(['C']);
  });

  it('bounded transmit queue: queue_full when full', () => {
    const { nodes: [a] } = setup();
    for (let i = 0; i < 16; i++) expect(a!.send(f(0x100)).ok).toBe(true);
    expect(a!.send(f(0x100))).toEqual({ ok: false, error: { code: 'queue_full', queueFramesMax: 16 } });
  });

  it('determinism: the same seed gives the same trace with random bit flips', () => {
    const seed = testSeed('emulated bus determinism');
    const run = (): string => {
      const { bus, nodes, log } = setup(['A', 'B', 'C'], new Prng(seed));
      bus.faults.randomBitFlips({ probability: 0.2 });
      const jitter = new Prng(seed + 1);
      for (let t = 0; t < 200; t++) {
        for (const [i, node] of nodes.entries()) if (jitter.nextBool(0.5)) node.send(f(0x100 * (i + 1) + (t % 16), t & 0xff));
        bus.runUntil((t + 1) * 500);
      }
      const counters = nodes.map((n) => `${n.errorCounters().tec}/${n.errorCounters().rec}`).join(',');
      return `${JSON.stringify(log)}|${counters}|${bus.statistics().errorFrames}`;
    };
    const first = run();
    expect(first).toBe(run());
    expect(first).toContain('"id"');
  });
});
