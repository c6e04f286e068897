import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EmulatedCanBus } from '../../src/sim/emulated-can.js';
import { classicFrame } from '../../src/core/frame/can.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { Prng } from '../../src/core/sim/prng.js';
import { decodeRig, rigBudget, type Rig } from '../../src/sim/rig.js';
import { testSeed } from '../support/seed.js';

const rigText = readFileSync(new URL('../../hil/rigs/emulated.json', import.meta.url), 'utf8');

/**
 * Runs the rig's schedule on the emulated bus: every frame is released each period at a random
 * phase, queued after a random jitter in [0, J], by one of three nodes, with random payloads.
 * Returns per frame the largest time from the period's start (the release) to delivery.
 */
function simulate(rig: Rig, seed: number, stuffing: 'exact' | 'worst-case', durationMicros: number, randomPhase = true): Map<string, number> {
  const clock = new SimClock();
  const bus = new EmulatedCanBus({ clock, bitRateBps: rig.bus.bitRateBps, stuffing, txQueueFramesMax: 32 });
  const nodes = ['A', 'B', 'C'].map((n) => bus.attach(n));
  const prng = new Prng(seed);
  const observed = new Map<string, number>();
  const releasedAt = new Map<number, number[]>();
  nodes[0]!.subscribe((frame, atMicros) => {
    const queue = releasedAt.get(frame.id);
    const release = queue?.shift();
    if (release === undefined) return;
    const name = rig.frames.find((f) => f.id === frame.id)?.name ?? '?';
    observed.set(name, Math.max(observed.get(name) ?? 0, atMicros - release));
  });
  const releases: { queueAt: number; periodStart: number; index: number }[] = [];
  rig.frames.forEach((f, index) => {
    const phase = randomPhase ? prng.nextInt(f.periodMicros) : 0;
    for (let periodStart = phase; periodStart < durationMicros; periodStart += f.periodMicros) {
      releases.push({ queueAt: periodStart + (f.jitterMicros === 0 ? 0 : prng.nextInt(f.jitterMicros + 1)), periodStart, index });
    }
  });
  releases.sort((x, y) => x.queueAt - y.queueAt || x.index - y.index);
  for (const { queueAt, periodStart, index } of releases) {
    bus.runUntil(queueAt);
    const f = rig.frames[index]!;
    const list = releasedAt.get(f.id) ?? [];
    list.push(periodStart);
    releasedAt.set(f.id, list);
    const sender = nodes[1 + (index % 2)]!; // B or C sends, A listens
    expect(sender.send(classicFrame(f.id, Uint8Array.from({ length: f.payloadBytes }, () => prng.nextInt(256)))).ok).toBe(true);
  }
  bus.runUntil(durationMicros + 100_000);
  return observed;
}

describe('bus budget vs the emulated bus', () => {
  it('observed release-to-delivery latencies never exceed the computed worst-case response times', () => {
    const decoded = decodeRig(rigText);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const rig = decoded.value;
    const budget = rigBudget(rig);
    const seed = testSeed('bus budget vs emulated bus');
    for (const stuffing of ['worst-case', 'exact'] as const) {
      const observed = simulate(rig, seed, stuffing, 400_000);
      for (const f of budget.frames) {
        const seen = observed.get(f.frame.name);
        expect(seen, f.frame.name).toBeDefined();
        expect(seen!, `${f.frame.name} (${stuffing})`).toBeLessThanOrEqual(f.responseMicros);
      }
    }
  });

  it("Davis et al.'s example shape on the emulated bus: bounds hold and are nearly reached from a critical instant", () => {
    // 125 kbit/s, 8-byte frames (C = 135 bits × 8 µs = 1080 µs), the paper's periods scaled by 1.08.
    const rig: Rig = {
      version: 1, name: 'davis', rateHz: 100, sensors: 1, channels: [{ name: 'A', kind: 'emulated' }],
      bus: { kind: 'can', bitRateBps: 125_000, loadLimitPercent: 100, stuffing: 'worst-case' },
      frames: [
        { name: 'A', id: 0x10, extended: false, fd: false, periodMicros: 2700, payloadBytes: 8, deadlineMicros: 2700, jitterMicros: 0 },
        { name: 'B', id: 0x20, extended: false, fd: false, periodMicros: 3780, payloadBytes: 8, deadlineMicros: 3780, jitterMicros: 0 },
        { name: 'C', id: 0x30, extended: false, fd: false, periodMicros: 3780, payloadBytes: 8, deadlineMicros: 3780, jitterMicros: 0 },
      ],
    };
    const budget = rigBudget(rig);
    expect(budget.frames.map((f) => f.transmissionMicros)).toEqual([1080, 1080, 1080]);
    const observed = simulate(rig, testSeed('davis example on the emulated bus'), 'worst-case', 200_000, false);
    for (const f of budget.frames) expect(observed.get(f.frame.name)!).toBeLessThanOrEqual(f.responseMicros);
    const lowest = budget.frames[2]!;
    expect(observed.get('C')!).toBeGreaterThanOrEqual(0.9 * lowest.responseMicros);
  });
});
