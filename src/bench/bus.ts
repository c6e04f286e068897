/**
 * Emulated CAN bus throughput: frames per second of wall time in lockstep, 3 nodes sending
 * 8-byte classic frames (exact stuffing computed per frame), each receiver subscribed.
 */
import { EmulatedCanBus } from '../sim/emulated-can.js';
import { classicFrame, type CanFrame } from '../core/frame/can.js';
import { SimClock } from '../core/sim/clock.js';
import { Prng } from '../core/sim/prng.js';
import type { BenchSuite } from './harness.js';

const FRAME_VARIANTS = 256;

function runOnce(framesTarget: number, stuffing: 'exact' | 'worst-case'): { framesPerS: number; heapGrowthKb: number } {
  const clock = new SimClock();
  const bus = new EmulatedCanBus({ clock, bitRateBps: 1_000_000, stuffing, txQueueFramesMax: 8 });
  const nodes = ['A', 'B', 'C'].map((name) => bus.attach(name));
  let received = 0;
  for (const node of nodes) node.subscribe(() => { received++; });
  const prng = new Prng(1);
  const frames: CanFrame[] = Array.from({ length: FRAME_VARIANTS * 3 }, (_, i) => classicFrame(0x100 + (i % 3) * 0x100 + (i % 16), Uint8Array.from({ length: 8 }, () => prng.nextInt(256))));
  const stepMicros = 400; // three 8-byte frames (≤ 3 × 135 bits at 1 Mbit/s) per step
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  let step = 0;
  while (received < framesTarget * 2) {
    for (let n = 0; n < 3; n++) {
      const frame = frames[((step * 3 + n) % FRAME_VARIANTS) * 3 + n];
      if (frame !== undefined) nodes[n]?.send(frame);
    }
    step++;
    bus.runUntil(step * stepMicros);
  }
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  const heapGrowthKb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1024);
  return { framesPerS: Math.round(bus.statistics().frames / elapsedS), heapGrowthKb };
}

export const suite: BenchSuite = {
  name: 'bus',
  run(report, options) {
    const framesTarget = Math.max(100_000, Math.round(3_000_000 * options.scale));
    runOnce(50_000, 'exact'); // warm-up
    for (const stuffing of ['exact', 'worst-case'] as const) {
      let best = { framesPerS: 0, heapGrowthKb: 0 };
      for (let round = 0; round < 3; round++) {
        const result = runOnce(framesTarget, stuffing);
        if (result.framesPerS > best.framesPerS) best = result;
      }
      report({ name: 'emulated CAN, 3 nodes, 8-byte frames, lockstep', impl: `stuffing=${stuffing}`, framesPerS: best.framesPerS, targetFramesPerS: 1_000_000, heapGrowthKb: best.heapGrowthKb });
    }
  },
};
