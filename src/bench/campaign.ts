/**
 * Campaign throughput: injections per second with 1 and 2 worker threads on short emulated
 * flights (the full closed loop), and the speed-up. docs/CAMPAIGNS.md and docs/PERFORMANCE.md.
 */
import type { BenchSuite } from './harness.js';
import { runInWorkers } from '../campaign/workers.js';
import { loadModel } from '../campaign/models.js';
import type { CampaignConfig } from '../campaign/runner.js';
import { evenCounts, TARGETS } from '../core/campaign/plan.js';

async function rate(config: CampaignConfig, rows: number, workers: number): Promise<number> {
  const todo = Array.from({ length: rows }, (_, i) => i);
  let done = 0;
  const start = process.hrtime.bigint();
  await runInWorkers(config, todo, workers, false, { onRow: () => { done++; }, onGolden: () => undefined, shouldStop: () => false });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return done / seconds;
}

export const suite: BenchSuite = {
  name: 'campaign',
  async run(report, options) {
    const { shape } = await loadModel('emulated');
    const durationS = 2;
    const rows = Math.max(8, Math.round(120 * options.scale));
    const config: CampaignConfig = { seed: 1, durationS, rateHz: 250, model: 'emulated', profile: null, counts: evenCounts(TARGETS, rows), sizing: { mode: 'fixed', injections: rows }, shape };
    const one = await rate(config, rows, 1);
    const two = await rate(config, rows, 2);
    const cyclesPerS = (r: number): number => Math.round(r * durationS * 250);
    report({ name: 'campaign emulated 2 s @ 250 Hz', impl: 'workers=1', injectionsPerS: Math.round(one * 100) / 100, cyclesPerS: cyclesPerS(one), rows });
    report({ name: 'campaign emulated 2 s @ 250 Hz', impl: 'workers=2', injectionsPerS: Math.round(two * 100) / 100, cyclesPerS: cyclesPerS(two), speedup: Math.round((two / one) * 100) / 100, rows });
  },
};
