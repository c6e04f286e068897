/**
 * Per-cycle cost of the redundancy building blocks at the 250 Hz minor frame: one actuator
 * vote (3 and 4 channels, 4 actuators), one sensor consolidation (3 sources × 6 axes) and one
 * clock resync round (3 channels). Also the heap growth over a long run of votes, which must be
 * about zero: the per-cycle path allocates nothing (STYLE.md habit 7).
 */
import { ActuatorVoter, defaultVoterConfig } from '../core/vote/voter.js';
import { defaultConsolidatorConfig, SensorConsolidator } from '../core/vote/consolidate.js';
import { ClockSync, defaultClockSyncConfig } from '../core/vote/clock-sync.js';
import { timeIt, type BenchResult, type BenchSuite } from './harness.js';

const PERIOD_MICROS = 4_000;

function voterCase(channelCount: number): { readonly step: () => void } {
  const voter = new ActuatorVoter(defaultVoterConfig(channelCount, 4), { requestStateTransfer: () => true });
  const command = new Float64Array(4);
  let now = 0;
  let k = 0;
  return {
    step: () => {
      for (let i = 0; i < 4; i++) command[i] = 0.3 * Math.sin((k + i) / 40);
      for (let c = 0; c < channelCount; c++) {
        command[0] = (command[0] ?? 0) + (c === 1 && k % 7 === 0 ? 0.5 : 0.001);
        voter.setCommand(c, command, now);
      }
      voter.vote(now);
      now += PERIOD_MICROS;
      k++;
    },
  };
}

function consolidatorCase(): { readonly step: () => void } {
  const c = new SensorConsolidator(defaultConsolidatorConfig(3, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]));
  const sample = new Float64Array(6);
  let now = 0;
  return {
    step: () => {
      for (let s = 0; s < 3; s++) {
        for (let a = 0; a < 6; a++) sample[a] = Math.sin(now / 1e5 + a) + s * 0.01;
        c.setSample(s, sample, now, true);
      }
      c.consolidate(now);
      now += PERIOD_MICROS;
    },
  };
}

function clockCase(): { readonly step: () => void } {
  const cfg = defaultClockSyncConfig(3);
  const sync = new ClockSync(cfg, 0);
  let k = 0;
  return {
    step: () => {
      sync.setReading(1, 3 + (k % 5), k * 0.01);
      sync.setReading(2, -4 - (k % 3), -k * 0.02);
      sync.resync();
      k++;
    },
  };
}

/** Heap bytes gained over `cycles` votes after a warm-up (gc() first when --expose-gc is on). */
function heapGrowthBytes(cycles: number): number {
  const { step } = voterCase(3);
  for (let i = 0; i < 10_000; i++) step();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < cycles; i++) step();
  gc?.();
  return process.memoryUsage().heapUsed - before;
}

export const suite: BenchSuite = {
  name: 'vote',
  run(report: (result: BenchResult) => void, options) {
    const cases = [
      { name: 'vote.voter.3ch.4act', step: voterCase(3).step },
      { name: 'vote.voter.4ch.4act', step: voterCase(4).step },
      { name: 'vote.consolidate.3src.6axes', step: consolidatorCase().step },
      { name: 'vote.clock.resync.3ch', step: clockCase().step },
    ];
    for (const c of cases) {
      const nsPerOp = timeIt(c.step, 300 * options.scale);
      report({ name: c.name, impl: 'triplex', nsPerOp: Math.round(nsPerOp), budgetShareOf4msPct: Math.round((nsPerOp / 4e6) * 1e5) / 1e3 });
    }
    const cycles = Math.round(1_000_000 * options.scale);
    const gcExposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
    report({ name: 'vote.voter.heap', impl: 'triplex', cycles, heapGrowthBytes: heapGrowthBytes(cycles), gcExposed });
  },
};
