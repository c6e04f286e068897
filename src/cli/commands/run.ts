/**
 * `triplex run`: a closed-loop flight on the emulated rig (docs/FLIGHT.md). Lockstep by
 * default (as fast as the CPU allows); `--realtime` paces each minor frame by the monotonic
 * clock and reports the cycle start jitter and overruns. Exit 1 when any fault ended in silent
 * data corruption or a hang, 2 for bad usage or input.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseInteger } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { parseFaultProfile, type FaultProfile } from '../../core/fault/profile.js';
import { createFlight, type Flight, type FlightResult } from '../../sim/flight.js';
import { algorithmOf, type ExchangeMode, type Links } from '../../sim/p2p-wiring.js';
import { decodeRig, formatRigError, type Rig } from '../../sim/rig.js';
import { RealClock } from '../../io/real-clock.js';
import { RealtimePacer, type RealtimeStats } from '../../hil/pacer.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { overwrite, statusLine } from '../status-line.js';

const ROOT = new URL('../../../', import.meta.url);
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
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
`;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const code = (error as { code?: string }).code ?? 'error';
    throw new UsageError(`cannot read ${what} ${path}: ${code}`);
  }
}

export function loadProfile(spec: string): FaultProfile {
  const builtin = fileURLToPath(new URL(`hil/scenarios/${spec}.json`, ROOT));
  const path = NAME.test(spec) && existsSync(builtin) ? builtin : spec;
  if (path === spec && NAME.test(spec) && !existsSync(spec)) throw new UsageError(`unknown fault profile '${spec}' (built-in: default, none, byzantine; or a file path)`);
  const parsed = parseFaultProfile(readText(path, 'fault profile'));
  if (!parsed.ok) throw new UsageError(`${spec}: ${parsed.error.path}: ${parsed.error.message}`);
  return parsed.value;
}

export function loadRig(path: string | undefined): Rig {
  const file = path ?? fileURLToPath(new URL('hil/rigs/emulated.json', ROOT));
  const decoded = decodeRig(readText(file, 'rig'));
  if (!decoded.ok) throw new UsageError(`${file}: ${formatRigError(decoded.error)}`);
  if (decoded.value.channels.length < 3) throw new UsageError(`${file}: the flight needs 3 channels, the rig has ${decoded.value.channels.length}`);
  return decoded.value;
}

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

export type { RealtimeStats } from '../../hil/pacer.js';

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

export function summary(r: FlightResult, realtime: RealtimeStats | undefined): string {
  const f = r.faults;
  const rows = [
    `flight: ${r.simSeconds} s at ${r.rateHz} Hz (${r.cycles} cycles), seed ${r.seed}, profile '${r.profile}', rig '${r.rig}'`,
    '',
    'faults    injected  masked  corrected  isolated  fail-safe  hang  SDC',
    `          ${String(f.injected).padStart(8)}  ${String(f.masked).padStart(6)}  ${String(f.corrected).padStart(9)}  ${String(f.isolated).padStart(8)}  ${String(f.failSafe).padStart(9)}  ${String(f.hang).padStart(4)}  ${String(f.sdc).padStart(3)}`,
    '          each injected fault ends in its most severe fate: masked (no mechanism had to act), corrected (ECC, TMR or CAN',
    '          retransmission fixed it), isolated (the faulty channel or sensor was voted out), fail-safe, hang (a dead channel never',
    '          isolated) or SDC (silent data corruption: a wrong command or attitude with no alarm). Only hang and SDC are failures.',
    '',
    `attitude error max ${r.maxAttitudeErrorDeg.toFixed(2)}° (envelope ${r.envelope.attitudeErrorDegMax}°), body rate max ${r.maxBodyRateRadPerS.toFixed(2)} rad/s (envelope ${r.envelope.bodyRateRadPerSMax})${r.envelope.exceededCycles > 0 ? ` — ENVELOPE EXCEEDED in ${r.envelope.exceededCycles} cycles` : ', within the envelope'}`,
    `isolations ${r.isolations.length}: ${r.isolations.map((i) => `${i.channel}@${i.atS.toFixed(2)}s(${i.reason})`).join(' ') || '-'}`,
    `reintegrations ${r.reintegrations.length}: ${r.reintegrations.map((i) => `${i.channel}@${i.atS.toFixed(2)}s`).join(' ') || '-'}`,
    `fail-safe events ${r.failSafe.length}, deadline misses ${r.deadlineMisses}, voter mode at end '${r.voter.mode}'${r.healthyIsolations.length > 0 ? `, HEALTHY CHANNELS ISOLATED ${r.healthyIsolations.length}` : ''}`,
    '',
    'channel   health         scrub-corr  read-corr  reg-repair  self-faults  e2e-err  lost',
    ...Object.entries(r.channels).map(([name, c]) => `${name.padEnd(9)} ${String(c.health).padEnd(14)} ${String(c.scrubCorrected).padStart(10)}  ${String(c.readCorrected).padStart(9)}  ${String(c.registerRepairs).padStart(10)}  ${String(c.selfFaults).padStart(11)}  ${String(c.e2eErrors).padStart(7)}  ${String(c.framesLost).padStart(4)}`),
    `bus: ${r.bus.frames} frames, ${r.bus.errorFrames} error frames, load ${r.bus.loadPercent.toFixed(1)} %`,
  ];
  if (r.agreement !== undefined) {
    rows.push(`agreement: ${r.agreement.algorithm} over p2p links, ${r.agreement.channelCount} channels; violations ${r.agreementViolations}${r.agreement.firstViolationS === null ? '' : ` (first at ${r.agreement.firstViolationS} s)`}, false isolations ${r.falseIsolations}`);
  }
  if (realtime !== undefined) rows.push(`realtime: start jitter p50 ${realtime.jitterP50Micros} µs, p99 ${realtime.jitterP99Micros} µs, max ${realtime.jitterMaxMicros} µs, overruns ${realtime.overruns}`);
  rows.push(resultLine(r));
  return `${rows.join('\n')}\n`;
}

function resultLine(r: FlightResult): string {
  if (r.agreement === undefined && r.falseIsolations === 0) {
    return r.faults.sdc + r.faults.hang === 0 ? 'result: no silent data corruption, no hang' : `result: FAILURE — ${r.faults.sdc} SDC, ${r.faults.hang} hang`;
  }
  if (failed(r)) return `result: FAILURE — ${r.faults.sdc} SDC, ${r.faults.hang} hang, ${r.agreementViolations} agreement violations, ${r.falseIsolations} false isolations`;
  return 'result: no silent data corruption, no hang, no agreement violation, no false isolation';
}

/** Exit 1: silent data corruption, a hang, an agreement violation or a healthy channel isolated. */
function failed(r: FlightResult): boolean {
  return r.faults.sdc > 0 || r.faults.hang > 0 || r.agreementViolations > 0 || r.falseIsolations > 0;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    seed: { type: 'string' }, 'duration-s': { type: 'string' }, 'rate-hz': { type: 'string' }, faults: { type: 'string' },
    rig: { type: 'string' }, candump: { type: 'string' }, json: { type: 'boolean' }, realtime: { type: 'boolean' }, help: { type: 'boolean' },
    replay: { type: 'string' }, links: { type: 'string' }, exchange: { type: 'string' }, channels: { type: 'string' },
  });
  if (values.help === true) { io.out(HELP); return EXIT_OK; }
  if (values.replay !== undefined) return (await import('../../campaign/replay.js')).replay(values.replay, values.json === true, io);
  const seed = parseInteger('seed', values.seed ?? '1', 0, 2 ** 53 - 1);
  const durationS = parseDuration(values['duration-s']);
  const rig = loadRig(values.rig);
  const rateHz = parseInteger('rate-hz', values['rate-hz'] ?? String(rig.rateHz), 10, 10_000);
  const wiring = parseLinkOptions(values);
  const profile = loadProfile(values.faults ?? 'default');
  const created = createFlight({ seed, durationS, rateHz, profile, rig, candump: values.candump !== undefined, ...(wiring.links === 'can' && wiring.channelCount === 3 ? {} : wiring) });
  if (!created.ok) throw new UsageError(`${values.faults ?? 'default'}: ${created.error}`);
  const flight = created.value;
  const realtime = values.realtime === true ? await runRealtime(flight) : undefined;
  if (realtime === undefined) await runLockstep(flight, io, io.stdoutIsTty && values.json !== true);
  const result = flight.run();
  if (values.candump !== undefined) writeFileAtomic(values.candump, flight.candumpLines.length === 0 ? '' : `${flight.candumpLines.join('\n')}\n`);
  io.out(values.json === true ? `${JSON.stringify(realtime === undefined ? result : { ...result, realtime })}\n` : summary(result, realtime));
  return failed(result) ? EXIT_FAILURE : EXIT_OK;
}
