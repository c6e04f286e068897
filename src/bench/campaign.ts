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

interface Rate {
  /** Rows per second, end to end: worker start-up, twin recording and checkpoints included. */
  readonly endToEnd: number;
  /** Rows per second over the second half of the rows: what a long campaign runs at once every seed's twin and checkpoints exist. */
  readonly steady: number;
}

async function rate(config: CampaignConfig, rows: number, workers: number, fastForward: boolean): Promise<Rate> {
  const todo = Array.from({ length: rows }, (_, i) => i);
  let done = 0;
  let halfAt = 0n;
  const start = process.hrtime.bigint();
  await runInWorkers(config, todo, workers, false, {
    onRow: () => { done++; if (done === Math.floor(rows / 2)) halfAt = process.hrtime.bigint(); },
    onGolden: () => undefined, shouldStop: () => false,
  }, { fastForward });
  const end = process.hrtime.bigint();
  return { endToEnd: done / (Number(end - start) / 1e9), steady: (done - Math.floor(rows / 2)) / (Number(end - halfAt) / 1e9) };
}

export const suite: BenchSuite = {
  name: 'campaign',
  async run(report, options) {
    const { shape } = await loadModel('emulated');
    const durationS = 10;
    const rows = Math.max(64, Math.round(1600 * options.scale));
    const config: CampaignConfig = { seed: 1, durationS, rateHz: 250, model: 'emulated', profile: null, counts: evenCounts(TARGETS, rows), sizing: { mode: 'fixed', injections: rows }, shape, twinSeeds: 16 };
    const round = (r: number): number => Math.round(r * 100) / 100;
    const name = 'campaign emulated 10 s @ 250 Hz, 16 twin seeds';
    const one = await rate(config, rows, 1, true);
    report({ name, impl: 'workers=1 fast-forward', injectionsPerS: round(one.endToEnd), steadyPerS: round(one.steady), rows });
    const two = await rate(config, rows, 2, true);
    report({ name, impl: 'workers=2 fast-forward', injectionsPerS: round(two.endToEnd), steadyPerS: round(two.steady), speedup: round(two.steady / one.steady), hoursPerMillion: round(1e6 / two.steady / 3600), rows });
    const full = await rate(config, rows, 2, false);
    report({ name, impl: 'workers=2 from t = 0', injectionsPerS: round(full.endToEnd), steadyPerS: round(full.steady), fastForwardGain: round(two.steady / full.steady), rows });
  },
};
