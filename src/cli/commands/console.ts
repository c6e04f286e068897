/**
 * `triplex console`: the test console (docs/CONSOLE.md). Starts a rig (default: the emulated
 * one; boards too when the rig file has them) or attaches to a running rig with --connect.
 * Interactive with a terminal; with --script FILE it runs the file's commands, echoing each
 * result, on a rig that starts paused and moves only on `step` — exit 1 when a command fails,
 * 2 when the script does not parse.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse, parseInteger } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { RemoteClient } from '../../console/remote.js';
import { LocalRig } from '../../console/local-rig.js';
import { runRepl } from '../../console/repl.js';
import { checkScript, runScript } from '../../console/script.js';
import { ConsoleSession, type LineExecutor } from '../../console/session.js';
import { startRig } from '../../hil/bridge.js';
import { listenForConsoles, parseHostPort, readToken } from '../console-options.js';
import { flightRigArg, profileArg } from '../load.js';

const HELP = `usage: triplex console [options]
  --rig FILE            rig to start (default hil/rigs/emulated.json); boards in it are opened too
  --connect HOST:PORT   attach to a running rig's console port instead of starting one
  --script FILE         run the commands in FILE (no terminal); the rig starts paused, only 'step' moves it
  --console-port PORT   also accept remote consoles on PORT (loopback unless --console-host)
  --console-host ADDR   address to listen on (default 127.0.0.1; any other needs a token)
  --token-file FILE     shared secret for remote consoles (or TRIPLEX_CONSOLE_TOKEN)
  --seed N              seed of the flight (default 1)
  --rate-hz R           minor frame rate (default: the rig's)
  --faults NAME|FILE    fault profile running underneath (default 'none')
  --board-timeout-ms MS how long a cycle waits for a board (default: 100 with --script, else 0.8 of the period)
  --history FILE        command history (default ~/.triplex_console_history)
Type 'help' in the console for its commands.
`;

const SCRIPT_BOARD_TIMEOUT_MILLIS = 100;

function readScript(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error: unknown) {
    throw new UsageError(`cannot read script ${path}: ${(error as { code?: string }).code ?? 'error'}`);
  }
}

async function drive(executor: LineExecutor, scriptPath: string | undefined, io: CliIo, historyPath: string, banner: string): Promise<number> {
  if (scriptPath !== undefined) {
    const lines = checkScript(readScript(scriptPath), scriptPath);
    if (!lines.ok) throw new UsageError(lines.error);
    return (await runScript(lines.value, executor, io, scriptPath)) === 'passed' ? EXIT_OK : EXIT_FAILURE;
  }
  await runRepl(executor, { input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY, historyPath, banner });
  return EXIT_OK;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    rig: { type: 'string' }, connect: { type: 'string' }, script: { type: 'string' }, 'console-port': { type: 'string' }, 'console-host': { type: 'string' },
    'token-file': { type: 'string' }, seed: { type: 'string' }, 'rate-hz': { type: 'string' }, faults: { type: 'string' }, history: { type: 'string' },
    'board-timeout-ms': { type: 'string' }, help: { type: 'boolean' },
  });
  if (values.help === true) { io.out(HELP); return EXIT_OK; }
  const token = readToken(values['token-file']);
  const historyPath = values.history ?? join(homedir(), '.triplex_console_history');
  if (values.connect !== undefined) {
    if (values.rig !== undefined || values['console-port'] !== undefined) throw new UsageError('--connect attaches to a running rig: no --rig or --console-port with it');
    const { host, port } = parseHostPort(values.connect);
    const connected = await RemoteClient.connect(host, port, token);
    if (!connected.ok) throw new UsageError(connected.error);
    try {
      return await drive(connected.value, values.script, io, historyPath, `attached to rig '${connected.value.rigName}' at ${host}:${port} (quit detaches; the rig keeps flying)`);
    } finally {
      connected.value.close();
    }
  }
  const rig = flightRigArg(values.rig);
  const seed = parseInteger('seed', values.seed ?? '1', 0, 2 ** 53 - 1);
  const rateHz = parseInteger('rate-hz', values['rate-hz'] ?? String(rig.rateHz), 10, 10_000);
  // A script moves the rig only by `step`: boards may take their time without breaking real-time pacing.
  const timeoutText = values['board-timeout-ms'] ?? (values.script === undefined ? undefined : String(SCRIPT_BOARD_TIMEOUT_MILLIS));
  const timeoutMs = timeoutText === undefined ? undefined : parseInteger('board-timeout-ms', timeoutText, 1, 60_000);
  const started = await startRig({
    rig, seed, rateHz, durationS: 86_400, profile: profileArg(values.faults ?? 'none'),
    ...(timeoutMs === undefined ? {} : { boardTimeoutMicros: timeoutMs * 1000 }),
  });
  if (!started.ok) throw new UsageError(started.error);
  const running = started.value;
  const control = new LocalRig(running);
  const server = await listenForConsoles(control, rig.name, values['console-port'], values['console-host'], token).catch(async (error: unknown) => { await running.close(); throw error; });
  try {
    if (values.script === undefined) running.runner.resumePacing();
    const where = server === undefined ? '' : `; consoles on ${values['console-host'] ?? '127.0.0.1'}:${server.port()}`;
    const banner = `rig '${rig.name}' running at ${rateHz} Hz (seed ${seed})${where}. Type 'help' for commands, 'quit' to stop.`;
    return await drive(new ConsoleSession(control), values.script, io, historyPath, banner);
  } finally {
    await server?.close();
    await running.close();
  }
}

