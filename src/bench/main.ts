/**
 * `npm run bench [-- --json] [-- --only NAME] [-- --quick]`: every suite's figures.
 * Suites are listed here; each lives in its own file under src/bench/.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import type { BenchResult, BenchSuite } from './harness.js';

const SUITES: readonly (() => Promise<{ suite: BenchSuite }>)[] = [
  // Each suite module exports `suite`. Add new suites here.
  () => import('./candump.js'),
  () => import('./crc.js'),
  () => import('./plant.js'),
  () => import('./ecc.js'),
  () => import('./e2e.js'),
  () => import('./vote.js'),
  () => import('./bus.js'),
  () => import('./byzantine.js'),
  () => import('./campaign.js'),
  () => import('./flight.js'),
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
  for (const load of SUITES) {
    const { suite } = await load();
    if (values.only !== undefined && !suite.name.includes(values.only)) continue;
    if (!values.json) process.stdout.write(`\n# ${suite.name}\n`);
    await suite.run((result) => {
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${formatRow(result)}\n`);
    }, { scale: values.quick ? 0.1 : 1 });
  }
}

await main();
