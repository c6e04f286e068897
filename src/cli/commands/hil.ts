/**
 * `triplex hil --rig FILE`: the HIL bridge (docs/HIL.md). Flies the rig — emulated channels
 * and real boards mixed — paced in real time on the monotonic clock (or, with --lockstep, as
 * fast as the boards answer), with the same live status line and summary as `triplex run`,
 * plus the bridge's figures: per board round-trip latency, timeouts, reconnects, and the
 * sensor-to-voted-command latency. Consoles may attach with --console-port.
 */
import { parse, parseInteger } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { overwrite, statusLine } from '../status-line.js';
import { LocalRig } from '../../console/local-rig.js';
import { startRig, type RunningRig } from '../../hil/bridge.js';
import { RealClock } from '../../io/real-clock.js';
import { listenForConsoles, readToken } from '../console-options.js';
import { failed, summary } from '../flight-summary.js';
import { flightRigArg, profileArg } from '../load.js';

const HELP = `usage: triplex hil --rig FILE [options]
  --rig FILE             rig description (hil/rigs/*.json); channels are emulated, serial, slcan, socketcan or qemu
  --duration-s S         flight time (default 10)
  --seed N               seed of the plant, sensors and faults (default 1)
  --rate-hz R            minor frame rate (default: the rig's)
  --faults NAME|FILE     fault profile for the emulated side (default 'none')
  --board-timeout-ms MS  how long a cycle waits for a board's answer (default 0.8 of the period;
                         200 ms when a channel is a QEMU board)
  --lockstep             run cycles back to back instead of pacing them in real time
  --console-port PORT    accept remote consoles (loopback unless --console-host; see docs/CONSOLE.md)
  --console-host ADDR    listen address for consoles (non-loopback needs a token)
  --token-file FILE      console token (or TRIPLEX_CONSOLE_TOKEN)
  --json                 print one JSON object instead of the summary
`;

const WAIT_SLICE_MILLIS = 100;

function parseDurationS(text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0 && value <= 86_400)) throw new UsageError(`--duration-s must be a number of seconds above 0 and at most 86400, got '${text}'`);
  return value;
}

/** Waits until the flight is done, rewriting the live status line on a TTY. */
async function fly(running: RunningRig, control: LocalRig, io: CliIo, live: boolean, lockstep: boolean): Promise<void> {
  const { flight, runner } = running;
  if (lockstep) {
    for (let k = 0; !flight.done; k++) {
      await control.apply({ kind: 'step', cycles: Math.min(50, flight.cycleCount - flight.cyclesRun) });
      if (live && k % 5 === 0) overwrite((text) => { io.out(text); }, statusLine(flight));
    }
  } else {
    runner.resumePacing();
    while (!flight.done) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_SLICE_MILLIS));
      if (live) overwrite((text) => { io.out(text); }, statusLine(flight));
    }
    runner.pausePacing();
    await runner.idle();
  }
  if (live) overwrite((text) => { io.out(text); }, '');
}

export interface HilFigures {
  readonly boards: readonly ReturnType<NonNullable<ReturnType<RunningRig['boards']['get']>>['statistics']>[];
  readonly sensorToVotedCommand: { readonly samples: number; readonly p50Micros: number; readonly p99Micros: number; readonly maxMicros: number } | null;
  readonly pacing: { readonly overrunCycles: number; readonly lockstep: boolean };
}

export function hilFigures(running: RunningRig, lockstep: boolean): HilFigures {
  return {
    boards: [...running.boards.values()].map((b) => b.statistics()),
    sensorToVotedCommand: running.latency?.summary() ?? null,
    pacing: { overrunCycles: running.runner.overruns, lockstep },
  };
}

export function hilSummary(f: HilFigures): string {
  const rows = f.boards.map((b) => `board ${b.channel} ${b.link}: ${b.connected ? 'connected' : 'DISCONNECTED'}, ${b.cycles} cycles, ${b.timeouts} timeouts, ${b.reconnects} reconnects; round trip p50 ${b.latencyP50Micros} µs, p99 ${b.latencyP99Micros} µs, max ${b.latencyMaxMicros} µs, jitter ${b.jitterMicros} µs`);
  const l = f.sensorToVotedCommand;
  if (l !== null) rows.push(`sensor-to-voted-command latency (${l.samples} cycles): p50 ${l.p50Micros} µs, p99 ${l.p99Micros} µs, max ${l.maxMicros} µs`);
  rows.push(f.pacing.lockstep ? 'pacing: lockstep' : `pacing: real time, ${f.pacing.overrunCycles} cycles dropped by overruns`);
  return `${rows.join('\n')}\n`;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    rig: { type: 'string' }, 'duration-s': { type: 'string' }, seed: { type: 'string' }, 'rate-hz': { type: 'string' }, faults: { type: 'string' },
    'board-timeout-ms': { type: 'string' }, lockstep: { type: 'boolean' }, 'console-port': { type: 'string' }, 'console-host': { type: 'string' },
    'token-file': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
  });
  if (values.help === true) { io.out(HELP); return EXIT_OK; }
  if (values.rig === undefined) throw new UsageError('missing --rig FILE (e.g. hil/rigs/emulated.json)');
  const rig = flightRigArg(values.rig);
  const durationS = parseDurationS(values['duration-s'] ?? '10');
  const seed = parseInteger('seed', values.seed ?? '1', 0, 2 ** 53 - 1);
  const rateHz = parseInteger('rate-hz', values['rate-hz'] ?? String(rig.rateHz), 10, 10_000);
  const timeoutMs = values['board-timeout-ms'] === undefined ? undefined : parseInteger('board-timeout-ms', values['board-timeout-ms'], 1, 60_000);
  const token = readToken(values['token-file']);
  const started = await startRig({
    rig, seed, rateHz, durationS, profile: profileArg(values.faults ?? 'none'), clock: new RealClock(),
    ...(timeoutMs === undefined ? {} : { boardTimeoutMicros: timeoutMs * 1000 }),
  });
  if (!started.ok) throw new UsageError(started.error);
  const running = started.value;
  const lockstep = values.lockstep === true;
  try {
    const control = new LocalRig(running);
    const server = await listenForConsoles(control, rig.name, values['console-port'], values['console-host'], token);
    if (server !== undefined) io.err(`consoles: ${values['console-host'] ?? '127.0.0.1'}:${server.port()}\n`);
    try {
      await fly(running, control, io, io.stdoutIsTty && values.json !== true, lockstep);
    } finally {
      await server?.close();
    }
    const result = running.flight.result();
    const figures = hilFigures(running, lockstep);
    io.out(values.json === true ? `${JSON.stringify({ ...result, hil: figures })}\n` : `${summary(result, undefined)}${hilSummary(figures)}`);
    return failed(result) ? EXIT_FAILURE : EXIT_OK;
  } finally {
    await running.close();
  }
}
