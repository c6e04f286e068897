#!/usr/bin/env node
/**
 * The `triplex` command. Each subcommand lives in src/cli/commands/<name>.ts and exports
 * `run(argv, io): Promise<number>` returning the exit code. Subcommands are loaded lazily so
 * that `triplex crc` does not pay for the flight loop.
 */
import { EXIT_USAGE, UsageError } from './errors.js';
import { processIo, type CliIo } from './io.js';

type Command = { readonly summary: string; readonly load: () => Promise<{ run: (argv: readonly string[], io: CliIo) => Promise<number> }> };

const COMMANDS: Readonly<Record<string, Command>> = {
  // One line per subcommand: name: { summary, load: () => import('./commands/<name>.js') },
  log: { summary: 'inspect, filter, convert candump logs', load: () => import('./commands/log.js') },
  crc: { summary: 'compute CRCs with the catalogue or custom parameters', load: () => import('./commands/crc.js') },
  ecc: { summary: 'SEC-DED images: encode, inject, scrub, decode', load: () => import('./commands/ecc.js') },
  run: { summary: 'a closed-loop flight on the emulated rig with a fault profile (npm start)', load: () => import('./commands/run.js') },
  soak: { summary: 'many seeded single-fault flights; prints any seed that breaks the rule', load: () => import('./commands/soak.js') },
  'bus-load': { summary: 'bus budget and worst-case response times of a rig\'s frame schedule', load: () => import('./commands/bus-load.js') },
  campaign: { summary: 'fault-injection campaign: seeded runs, outcome statistics, resumable, shardable', load: () => import('./commands/campaign.js') },
  report: { summary: 'turn campaign results into a self-contained HTML report', load: () => import('./commands/report.js') },
  console: { summary: 'interactive test console: flip bits, kill/revive channels, watch health; --script for tests', load: () => import('./commands/console.js') },
  hil: { summary: 'the HIL bridge: fly a rig of real boards (serial, SLCAN, SocketCAN) and emulated channels', load: () => import('./commands/hil.js') },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: triplex <command> [options]', '', 'commands:', ...rows, '', "run 'triplex <command> --help' for a command's options"].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(`${usage()}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`triplex: unknown command '${name}' (try: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT_USAGE;
  }
  try {
    const module = await command.load();
    return await module.run(rest, io);
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      io.err(`triplex ${name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry || process.argv[1]?.endsWith('/triplex') === true) {
  main(process.argv.slice(2), processIo()).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      process.stderr.write(`triplex: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
