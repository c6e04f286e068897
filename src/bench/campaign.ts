/**
 * Campaign throughput, end to end (worker start-up, twin recording and checkpoints included):
 * injections per second on 10-s emulated flights (the full closed loop, every target, judged
 * against recorded golden twins as `triplex campaign` does by default), with 1 and 2 worker
 * threads, with and without fast-forward. docs/CAMPAIGNS.md and docs/PERFORMANCE.md.
 */
import type { BenchSuite } from './harness.js';
import { runInWorkers } from '../campaign/workers.js';
import { loadModel } from '../campaign/models.js';
import type { CampaignConfig } from '../campaign/runner.js';
import { evenCounts, TARGETS } from '../core/campaign/plan.js';

async function rate(config: CampaignConfig, rows: number, workers: number, fastForward: boolean): Promise<number> {
  const todo = Array.from({ length: rows }, (_, i) => i);
  let done = 0;
  const start = process.hrtime.bigint();
  await runInWorkers(config, todo, workers, false, { onRow: () => { done++; }, onGolden: () => undefined, shouldStop: () => false }, { fastForward });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return done / seconds;
}

export const suite: BenchSuite = {
  name: 'campaign',
  async run(report, options) {
    const { shape } = await loadModel('emulated');
    const durationS = 10;
    const rows = Math.max(32, Math.round(800 * options.scale));
    const config: CampaignConfig = { seed: 1, durationS, rateHz: 250, model: 'emulated', profile: null, counts: evenCounts(TARGETS, rows), sizing: { mode: 'fixed', injections: rows }, shape, twinSeeds: 16 };
    const round = (r: number): number => Math.round(r * 100) / 100;
    const name = 'campaign emulated 10 s @ 250 Hz, 16 twin seeds';
    const one = await rate(config, rows, 1, true);
    report({ name, impl: 'workers=1 fast-forward', injectionsPerS: round(one), rows });
    const two = await rate(config, rows, 2, true);
    report({ name, impl: 'workers=2 fast-forward', injectionsPerS: round(two), speedup: round(two / one), hoursPerMillion: round(1e6 / two / 3600), rows });
    const full = await rate(config, rows, 2, false);
    report({ name, impl: 'workers=2 from t = 0', injectionsPerS: round(full), fastForwardGain: round(two / full), rows });
  },
};
