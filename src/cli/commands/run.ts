/**
 * `triplex run`: a closed-loop flight on the emulated rig (docs/FLIGHT.md). Lockstep by
 * default (as fast as the CPU allows); `--realtime` paces each minor frame by the monotonic
 * clock and reports the cycle start jitter and overruns. Exit 1 when any fault ended in silent
 * data corruption or a hang, 2 for bad usage or input.
 */
import { parse, parseInteger } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { failed, summary } from '../flight-summary.js';
import { flightRigArg, profileArg } from '../load.js';
import { overwrite, statusLine } from '../status-line.js';
import { RealtimePacer, type RealtimeStats } from '../../hil/pacer.js';
import { CandumpFileLog } from '../../io/candump.js';
import { keyringFromSeed } from '../../io/ed25519.js';
import { RealClock } from '../../io/real-clock.js';
import { createFlight, type Flight } from '../../sim/flight.js';
import { algorithmOf, type ExchangeMode, type Links } from '../../sim/p2p-wiring.js';
const HELP = `usage: triplex run [options]
  --seed N          seed of every random process (default 1)
  --duration-s S    simulated flight time (default 60)
  --rate-hz R       minor frame rate (default: the rig's, 250)
  --faults NAME|FILE  fault profile: a built-in name (hil/scenarios/NAME.json) or a file (default 'default')
  --rig FILE        rig description (default hil/rigs/emulated.json)
  --candump FILE    write every bus frame as a candump -L log
  --json            print one JSON object instead of the summary
  --realtime        pace minor frames by the monotonic clock (default: lockstep)
  --links can|p2p   channel/voter links: CAN broadcast (default) or point-to-point (docs/BYZANTINE.md)
  --exchange plain|signed  p2p input exchange: plain (OM(1) with 4 channels) or signed (SM(1), Ed25519)
  --channels 3|4    control channels (4 needs --links p2p)
  --voter-lanes 1|3 voter lanes: 3 (default; force-voted at the actuators) or 1 (a simplex
                    voter: the configuration whose voter upsets reach the surfaces)
`;

function parseDuration(text: string | undefined): number {
  const value = Number(text ?? '60');
  if (!/^\d+(\.\d+)?$/.test(text ?? '60') || !(value > 0 && value <= 86_400)) throw new UsageError(`--duration-s must be a number of seconds from 0 to 86400 (exclusive of 0), got '${text ?? ''}'`);
  return value;
}

/** The p2p/Byzantine rig options (docs/BYZANTINE.md); bad combinations are usage errors. */
export function parseLinkOptions(values: { links?: string; exchange?: string; channels?: string }): { links: Links; exchange: ExchangeMode; channelCount: number } {
  const links = values.links ?? 'can';
  if (links !== 'can' && links !== 'p2p') throw new UsageError(`--links must be can or p2p, got '${links}'`);
  const exchange = values.exchange ?? 'plain';
  if (exchange !== 'plain' && exchange !== 'signed') throw new UsageError(`--exchange must be plain or signed, got '${exchange}'`);
  const channelCount = parseInteger('channels', values.channels ?? '3', 3, 4);
  const algorithm = algorithmOf(links, exchange, channelCount);
  if (!algorithm.ok) throw new UsageError(algorithm.error);
  return { links, exchange, channelCount };
}

/** The --candump file, created before the flight so that a bad path fails at once. */
function openCandump(path: string): CandumpFileLog {
  try {
    return new CandumpFileLog(path);
  } catch (error: unknown) {
    throw new UsageError(`--candump: cannot create '${path}': ${(error as { code?: string }).code ?? String(error)}`);
  }
}

/** Paces one minor frame per period on the monotonic clock (src/hil/pacer.ts: sleep, then spin the last 200 µs). */
function runRealtime(flight: Flight): Promise<RealtimeStats> {
  const pacer = new RealtimePacer(new RealClock(), flight.periodMicros);
  return Promise.resolve(pacer.run(flight.cycleCount - flight.cyclesRun, () => {
    flight.runCycles(1);
    return !flight.done;
  }));
}

async function runLockstep(flight: Flight, io: CliIo, live: boolean): Promise<void> {
  const chunk = Math.max(1, Math.round(1e6 / flight.periodMicros));
  while (!flight.done) {
    flight.runCycles(chunk);
    if (live) {
      overwrite((text) => { io.out(text); }, statusLine(flight));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (live) overwrite((text) => { io.out(text); }, '');
}

/**
 * `--replay FILE.jsonl:ROW`: reruns one campaign row and checks it against the recorded one.
 * Exit 0 when identical, 1 when the rerun differs (a non-deterministic flight or another
 * Triplex version), 2 for a bad FILE:ROW.
 */
async function replay(spec: string, json: boolean, io: CliIo): Promise<number> {
  const { parseReplaySpec, replayRow } = await import('../../campaign/replay.js');
  const parsed = parseReplaySpec(spec);
  if (!parsed.ok) throw new UsageError(parsed.error);
  const done = await replayRow(parsed.value.path, parsed.value.row);
  if (!done.ok) throw new UsageError(done.error);
  const { identical, recorded, replayed: line, trace } = done.value;
  if (json) {
    io.out(`${JSON.stringify({ identical, recorded, replayed: line, trace: trace ?? null })}\n`);
  } else {
    io.out([
      `row ${line.row}: seed ${line.seed}, ${line.fault.target} ${line.fault.location} at ${line.fault.timeS} s`,
      `outcome ${line.outcome} (recorded ${recorded.outcome}), detection latency ${line.detectionLatencyMs ?? '-'} ms, max attitude error ${line.maxAttitudeErrorDeg}°`,
      identical ? 'replay: identical to the recorded row' : `replay: DIFFERS from the recorded row\n  recorded ${JSON.stringify(recorded)}\n  replayed ${JSON.stringify(line)}`,
      '',
    ].join('\n'));
  }
  return identical ? EXIT_OK : EXIT_FAILURE;
}

/** `--voter-lanes 1|3` (docs/REDUNDANCY.md, "The voter and the actuator path"); default 3. */
export function parseVoterLanes(text: string | undefined): 1 | 3 {
  if (text === undefined || text === '3') return 3;
  if (text === '1') return 1;
  throw new UsageError(`--voter-lanes must be 1 (a simplex voter) or 3 (force-voted lanes), got '${text}'`);
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    seed: { type: 'string' }, 'duration-s': { type: 'string' }, 'rate-hz': { type: 'string' }, faults: { type: 'string' },
    rig: { type: 'string' }, candump: { type: 'string' }, json: { type: 'boolean' }, realtime: { type: 'boolean' }, help: { type: 'boolean' },
    replay: { type: 'string' }, links: { type: 'string' }, exchange: { type: 'string' }, channels: { type: 'string' },
    'voter-lanes': { type: 'string' },
  });
  if (values.help === true) { io.out(HELP); return EXIT_OK; }
  if (values.replay !== undefined) return replay(values.replay, values.json === true, io);
  const seed = parseInteger('seed', values.seed ?? '1', 0, 2 ** 53 - 1);
  const durationS = parseDuration(values['duration-s']);
  const rig = flightRigArg(values.rig);
  const rateHz = parseInteger('rate-hz', values['rate-hz'] ?? String(rig.rateHz), 10, 10_000);
  const wiring = parseLinkOptions(values);
  const profile = profileArg(values.faults ?? 'default');
  const voterLanes = parseVoterLanes(values['voter-lanes']);
  const log = values.candump === undefined ? undefined : openCandump(values.candump);
  try {
    const created = createFlight({
      seed, durationS, rateHz, profile, rig, keyring: keyringFromSeed, ...(voterLanes === 3 ? {} : { voterLanes }),
      ...(log === undefined ? {} : { frameLog: log.log }), ...(wiring.links === 'can' && wiring.channelCount === 3 ? {} : wiring),
    });
    if (!created.ok) throw new UsageError(`${values.faults ?? 'default'}: ${created.error}`);
    const flight = created.value;
    const realtime = values.realtime === true ? await runRealtime(flight) : undefined;
    if (realtime === undefined) await runLockstep(flight, io, io.stdoutIsTty && values.json !== true);
    const result = flight.run();
    log?.commit();
    io.out(values.json === true ? `${JSON.stringify(realtime === undefined ? result : { ...result, realtime })}\n` : summary(result, realtime));
    return failed(result) ? EXIT_FAILURE : EXIT_OK;
  } finally {
    log?.abort();
  }
}
