/**
 * `triplex soak [--flights N] [--seed S]` (npm run soak): thousands of seeded random
 * single-fault flights, each judged by the oracle against its golden twin; prints every seed
 * that breaks the single-fault rule with the fault and what went wrong, then the flights per
 * outcome. Exit 1 when any broke it (the exit rule of src/sim/report.ts `flightFails` is part of
 * the rule).
 */
import { parse, parseInteger } from '../args.js';
import { EXIT_FAILURE, EXIT_OK } from '../errors.js';
import type { CliIo } from '../io.js';
import { Prng } from '../../core/sim/prng.js';
import { SOAK_FAULT_STREAM } from '../../core/sim/streams.js';
import { emptyOutcomeCounts, OUTCOME_CLASSES } from '../../sim/oracle.js';
import { randomSingleFault, runSingleFault } from '../../sim/single-fault.js';
import { flightRigArg } from '../load.js';

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { flights: { type: 'string' }, seed: { type: 'string' }, rig: { type: 'string' } });
  const flights = parseInteger('flights', values.flights ?? '2000', 1, 10_000_000);
  const base = parseInteger('seed', values.seed ?? '1', 0, 2 ** 40);
  const rig = flightRigArg(values.rig);
  let bad = 0;
  const outcomes = emptyOutcomeCounts();
  for (let i = 0; i < flights; i++) {
    const seed = base + i;
    const fault = randomSingleFault(new Prng(seed).fork(SOAK_FAULT_STREAM));
    const { result, violations } = runSingleFault(seed, fault, rig);
    outcomes[result.outcome]++;
    if (violations.length > 0) {
      bad++;
      io.out(`seed ${seed}: ${JSON.stringify(fault)}: ${violations.join('; ')}\n`);
    }
    if (io.stdoutIsTty && i % 20 === 0) io.out(`\r${i + 1}/${flights} flights, ${bad} broke the rule\x1b[K`);
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  io.out(`${io.stdoutIsTty ? '\r' : ''}soak: ${flights} single-fault flights from seed ${base}, ${bad} broke the rule\x1b[K\n`.replace(io.stdoutIsTty ? '' : '\x1b[K', ''));
  io.out(`outcomes (flights, against each flight's golden twin): ${OUTCOME_CLASSES.map((c) => `${c} ${outcomes[c]}`).join(', ')}\n`);
  return bad === 0 ? EXIT_OK : EXIT_FAILURE;
}
