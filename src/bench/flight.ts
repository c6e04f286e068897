/**
 * The whole loop in lockstep (3 channels, emulated CAN bus with exact stuffing, E2E on every
 * frame, scrubbing on): cycles per second of wall time and of CPU time, the multiple of real
 * time at 250 Hz, and heap growth over a long run after warm-up; with fault profile `none` and
 * `default`, the loop alone (`twin: 'none'`, comparable across releases), and once judged against a
 * live golden twin as `triplex run` flies it (the oracle's cost: a second, fault-free flight).
 *
 * Breakdown (`--only flight`, rows `stage …`): where the time of one cycle goes. A separate run
 * of the same loop is sampled by V8's CPU profiler (in process, 100 µs interval) and every
 * sample is charged to the innermost enclosing *stage entry* on its stack (table STAGES), so
 * e.g. the bus delivering a frame into a channel's E2E check counts as "channel receive", and
 * the bus's own arbitration and bit counting as "bus". No code in the loop is instrumented:
 * the figures are statistical (a few percent) and the profiler costs some speed, which is why
 * the speed figures above come from an unprofiled run.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NO_FAULTS, parseFaultProfile, type FaultProfile } from '../core/fault/profile.js';
import { Flight } from '../sim/flight.js';
import { decodeRig } from '../sim/rig.js';
import type { BenchResult, BenchSuite } from './harness.js';

const WARMUP_CYCLES = 2500;
const RATE_HZ = 250;

function rig(): Extract<ReturnType<typeof decodeRig>, { ok: true }>['value'] {
  const r = decodeRig(readFileSync(fileURLToPath(new URL('../../hil/rigs/emulated.json', import.meta.url)), 'utf8'));
  if (!r.ok) throw new Error('bench: hil/rigs/emulated.json does not decode');
  return r.value;
}

function profile(name: 'none' | 'default'): FaultProfile {
  const parsed = parseFaultProfile(readFileSync(fileURLToPath(new URL(`../../hil/scenarios/${name}.json`, import.meta.url)), 'utf8'));
  return parsed.ok ? parsed.value : NO_FAULTS;
}

function collectGarbage(): void {
  if (typeof globalThis.gc !== 'function') v8.setFlagsFromString('--expose-gc');
  const gc = (globalThis.gc ?? runInNewContext('gc')) as () => void;
  gc();
}

/** 'none': the flight loop alone (the figure compared across releases); 'live': judged against a live golden twin, as `triplex run` flies. */
type TwinMode = 'none' | 'live';

function warmFlight(cycles: number, profileName: 'none' | 'default', twin: TwinMode = 'none'): Flight {
  const flight = new Flight({ seed: 1, durationS: (cycles + WARMUP_CYCLES) / RATE_HZ, rateHz: RATE_HZ, profile: profile(profileName), rig: rig(), twin });
  flight.runCycles(WARMUP_CYCLES);
  return flight;
}

interface Speed { cyclesPerS: number; cyclesPerCpuS: number; heapGrowthKb: number }

function measure(cycles: number, profileName: 'none' | 'default', twin: TwinMode = 'none'): Speed {
  const flight = warmFlight(cycles, profileName, twin);
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  flight.runCycles(cycles);
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  collectGarbage();
  return {
    cyclesPerS: Math.round(cycles / elapsedS),
    cyclesPerCpuS: Math.round(cycles / cpuS),
    heapGrowthKb: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1024),
  };
}

/** A stage is entered by any of these functions (file under dist/, function name). First match from the leaf wins. */
const STAGES: readonly { readonly stage: string; readonly file: string; readonly fns: readonly string[] }[] = [
  { stage: 'status/sync', file: 'core/channel/channel.js', fns: ['sendStatus', 'sendClockSync', 'receiveSync'] },
  { stage: 'status/sync', file: 'core/vote/clock-sync.js', fns: ['resync', 'applyCorrection'] },
  { stage: 'status/sync', file: 'sim/flight.js', fns: ['onChannelSync'] },
  { stage: 'plant+IMUs', file: 'core/plant/plant.js', fns: ['step'] },
  { stage: 'plant+IMUs', file: 'core/plant/imu.js', fns: ['sample'] },
  { stage: 'sensor frames encode+E2E', file: 'sim/outbox.js', fns: ['sendImu'] },
  { stage: 'command encode+E2E', file: 'core/channel/channel.js', fns: ['sendCommand'] },
  { stage: 'bus', file: 'sim/emulated-can.js', fns: ['runUntil', 'send'] },
  { stage: 'bus', file: 'sim/outbox.js', fns: ['send', 'take'] },
  { stage: 'channel receive+E2E check', file: 'core/channel/channel.js', fns: ['receive'] },
  { stage: 'consolidation', file: 'core/channel/channel.js', fns: ['consolidateSensors'] },
  { stage: 'law (ECC memory, TMR registers)', file: 'core/control/law.js', fns: ['step'] },
  { stage: 'law (ECC memory, TMR registers)', file: 'core/control/gains.js', fns: ['writeSetpoint'] },
  { stage: 'scrub + register refresh', file: 'core/channel/channel.js', fns: ['scrub'] },
  { stage: 'scrub + register refresh', file: 'core/memory/register-image.js', fns: ['refreshAll'] },
  { stage: 'equalisation', file: 'core/channel/equalizer.js', fns: [] },
  { stage: 'voter (receive+vote)', file: 'core/channel/voter-node.js', fns: [] },
  { stage: 'flight observation', file: 'sim/observer.js', fns: ['observe'] },
  { stage: 'flight observation', file: 'sim/oracle.js', fns: ['check'] },
  { stage: 'flight observation', file: 'sim/flight.js', fns: ['countDeadlineMisses'] },
  { stage: 'fault injection', file: 'sim/injector.js', fns: ['onInjection', 'inject'] },
  { stage: 'channel step (rest)', file: 'core/channel/channel.js', fns: ['step'] },
  { stage: 'scheduler', file: 'core/sim/scheduler.js', fns: [] },
];

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }

function stageOf(node: ProfileNode): string | undefined {
  const name = node.callFrame.functionName;
  if (name === '(garbage collector)') return 'garbage collector';
  const url = node.callFrame.url;
  for (const s of STAGES) if (url.endsWith(`/dist/${s.file}`) && (s.fns.length === 0 || s.fns.includes(name))) return s.stage;
  return undefined;
}

/** Self time per stage (microseconds), each sample charged to the innermost stage on its stack. */
function chargeStages(p: CpuProfile): Map<string, number> {
  const parent = new Map<number, ProfileNode>();
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n);
  }
  const memo = new Map<number, string>();
  const stageOfId = (id: number): string => {
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    let stage = 'other';
    for (let n = byId.get(id); n !== undefined; n = parent.get(n.id)) {
      const s = stageOf(n);
      if (s !== undefined) { stage = s; break; }
    }
    memo.set(id, stage);
    return stage;
  };
  const totals = new Map<string, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const stage = stageOfId(samples[i] ?? 0);
    totals.set(stage, (totals.get(stage) ?? 0) + (deltas[i] ?? 0));
  }
  return totals;
}

async function breakdown(cycles: number, profileName: 'none' | 'default', report: (r: BenchResult) => void): Promise<void> {
  const flight = warmFlight(cycles, profileName);
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const start = process.hrtime.bigint();
    flight.runCycles(cycles);
    const elapsedNs = Number(process.hrtime.bigint() - start);
    const { profile: p } = await session.post('Profiler.stop');
    const totals = chargeStages(p as CpuProfile);
    const sampledMicros = [...totals.values()].reduce((a, b) => a + b, 0);
    const rows = [...totals].sort((a, b) => b[1] - a[1]);
    for (const [stage, micros] of rows) {
      const share = micros / sampledMicros;
      report({ name: `stage ${stage}`, impl: `faults=${profileName}`, percent: Math.round(share * 1000) / 10, nsPerCycle: Math.round((share * elapsedNs) / cycles) });
    }
    report({ name: 'stage total (profiled run)', impl: `faults=${profileName}`, percent: 100, nsPerCycle: Math.round(elapsedNs / cycles) });
  } finally {
    session.disconnect();
  }
}

export const suite: BenchSuite = {
  name: 'flight',
  async run(report, options) {
    const cycles = Math.max(20_000, Math.round(1_000_000 * options.scale));
    for (const profileName of ['none', 'default'] as const) {
      const n = profileName === 'none' ? cycles : Math.min(cycles, 14_000);
      const m = measure(n, profileName);
      report({
        name: 'whole loop, 3 channels, emulated CAN, lockstep', impl: `faults=${profileName}`, cycles: n, cyclesPerS: m.cyclesPerS,
        cyclesPerCpuS: m.cyclesPerCpuS, realTimeMultipleAt250Hz: Math.round(m.cyclesPerS / RATE_HZ), targetCyclesPerS: 100_000,
        heapGrowthKb: m.heapGrowthKb, targetHeapGrowthKb: 1024,
      });
    }
    const n = Math.min(cycles, 14_000);
    const judged = measure(n, 'default', 'live');
    report({
      name: 'whole loop judged against a live golden twin (triplex run)', impl: 'faults=default', cycles: n, cyclesPerS: judged.cyclesPerS,
      cyclesPerCpuS: judged.cyclesPerCpuS, realTimeMultipleAt250Hz: Math.round(judged.cyclesPerS / RATE_HZ), heapGrowthKb: judged.heapGrowthKb,
    });
    await breakdown(Math.max(10_000, Math.round(50_000 * options.scale)), 'none', report);
  },
};
