/**
 * `npm run bench [-- --json] [-- --only NAME] [-- --quick]`: every suite's figures.
 * Suites are listed here; each lives in its own file under src/bench/.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import type { BenchResult, BenchSuite } from './harness.js';

/**
 * Every suite: its name (as `--only NAME` matches it: a substring) and how to load it. Suites are
 * loaded only when selected, so one broken or slow-to-import suite does not stop the others.
 */
const SUITES: readonly { readonly name: string; readonly load: () => Promise<{ suite: BenchSuite }> }[] = [
  // Each suite module exports `suite`. Add new suites here.
  { name: 'candump', load: () => import('./candump.js') },
  { name: 'crc', load: () => import('./crc.js') },
  { name: 'plant', load: () => import('./plant.js') },
  { name: 'ecc', load: () => import('./ecc.js') },
  { name: 'e2e', load: () => import('./e2e.js') },
  { name: 'vote', load: () => import('./vote.js') },
  { name: 'bus', load: () => import('./bus.js') },
  { name: 'byzantine', load: () => import('./byzantine.js') },
  { name: 'campaign', load: () => import('./campaign.js') },
  { name: 'flight', load: () => import('./flight.js') },
  { name: 'hil', load: () => import('./hil.js') },
];

function formatRow(result: BenchResult): string {
  const figures = Object.entries(result)
    .filter(([key]) => key !== 'name' && key !== 'impl')
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('  ');
  return `${result.name.padEnd(34)} ${result.impl.padEnd(22)} ${figures}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, only: { type: 'string' }, quick: { type: 'boolean', default: false } } });
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  if (!values.json) process.stdout.write(`machine: ${os.cpus().length} × ${cpu}, node ${process.version}\n`);
  const selected = SUITES.filter((s) => values.only === undefined || s.name.includes(values.only));
  if (selected.length === 0) {
    process.stderr.write(`bench: --only ${values.only ?? ''} matches no suite (suites: ${SUITES.map((s) => s.name).join(', ')})\n`);
    process.exitCode = 2;
    return;
  }
  for (const { load } of selected) {
    const { suite } = await load();
    if (!values.json) process.stdout.write(`\n# ${suite.name}\n`);
    await suite.run((result) => {
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${formatRow(result)}\n`);
    }, { scale: values.quick ? 0.1 : 1 });
  }
}

await main();
