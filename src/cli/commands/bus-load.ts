/**
 * `triplex bus-load [--rig FILE] [--json]`: the bus budget of a rig's frame schedule — per
 * frame the period, worst-case bits, worst-case response time (Davis et al. 2007) and deadline,
 * and the total load. Exit 0 if all fits, 1 if a frame misses its deadline or the load exceeds
 * the rig's limit or (for a rig that flies) its schedule is not what the flight sends, 2 for a
 * bad rig file (one line: file, JSON path, what was expected).
 */
import { parse } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { rigArg } from '../load.js';
import { FlightConfigError, flightMedium } from '../../sim/config.js';
import { rigBudget, type Rig, type RigBudget } from '../../sim/rig.js';
import { flightSchedule, scheduleMismatches } from '../../sim/schedule.js';
import { flightTiming } from '../../sim/timing.js';

const OPTIONS = {
  rig: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = [
  'usage: triplex bus-load [--rig FILE] [--json]',
  '',
  'Bus load and worst-case response times of the rig\'s frame schedule (default: the packaged',
  'emulated rig, hil/rigs/emulated.json), and whether a rig that flies lists the frames the flight',
  'really sends. Exit 1 if a frame misses its deadline, the load exceeds bus.loadLimitPercent or',
  'the schedule is not the flight\'s; exit 2 for a bad rig file.',
].join('\n');

/**
 * Whether the rig's schedule is what a flight on it sends (rigs that fly: three or more
 * channels); null for a rig that only describes a bus.
 */
function flightCheck(rig: Rig): { readonly matches: boolean; readonly problems: readonly string[] } | null {
  if (rig.channels.length < 3) return null;
  try {
    const medium = flightMedium(rig);
    const channels = Math.min(3, rig.channels.length);
    const problems = scheduleMismatches(rig, flightSchedule(flightTiming(rig.rateHz, 1, medium, channels), medium, channels, Math.min(3, rig.sensors)));
    return { matches: problems.length === 0, problems };
  } catch (error: unknown) {
    if (error instanceof FlightConfigError) return { matches: false, problems: [error.message] };
    throw error;
  }
}

function hexId(id: number, extended: boolean): string {
  return `0x${id.toString(16).padStart(extended ? 8 : 3, '0')}`;
}

function micros(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : 'unbounded';
}

function formatTable(rig: Rig, budget: RigBudget): string {
  const header = `rig ${rig.name}: CAN ${rig.bus.bitRateBps} bit/s${rig.bus.dataBitRateBps === undefined ? '' : ` (data ${rig.bus.dataBitRateBps} bit/s)`}, worst-case stuffing`;
  const columns = ['id', 'name', 'period µs', 'bits', 'C µs', 'R µs', 'D µs', ''];
  const rows = budget.frames.map((f) => [
    hexId(f.frame.id, f.frame.extended), f.frame.name, String(f.frame.periodMicros), f.dataBits > 0 ? `${f.nominalBits}+${f.dataBits}` : String(f.nominalBits),
    micros(f.transmissionMicros), micros(f.responseMicros), String(f.frame.deadlineMicros), f.schedulable ? 'ok' : 'MISS',
  ]);
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const loadOk = budget.loadPercent <= budget.loadLimitPercent;
  const total = `total load ${budget.loadPercent.toFixed(2)}% (limit ${budget.loadLimitPercent}%)${loadOk ? '' : ' OVER LIMIT'}`;
  return [header, line(columns), ...rows.map(line), total, budget.ok ? 'result: ok' : 'result: FAIL'].join('\n');
}

function toJson(rig: Rig, budget: RigBudget): unknown {
  return {
    rig: rig.name, bitRateBps: rig.bus.bitRateBps, ...(rig.bus.dataBitRateBps === undefined ? {} : { dataBitRateBps: rig.bus.dataBitRateBps }),
    loadPercent: budget.loadPercent, loadLimitPercent: budget.loadLimitPercent, ok: budget.ok,
    frames: budget.frames.map((f) => ({
      name: f.frame.name, id: f.frame.id, extended: f.frame.extended, fd: f.frame.fd, periodMicros: f.frame.periodMicros, payloadBytes: f.frame.payloadBytes,
      nominalBits: f.nominalBits, dataBits: f.dataBits, transmissionMicros: f.transmissionMicros,
      responseMicros: Number.isFinite(f.responseMicros) ? f.responseMicros : null, deadlineMicros: f.frame.deadlineMicros, jitterMicros: f.frame.jitterMicros, schedulable: f.schedulable,
    })),
  };
}

export function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, true);
  if (values.help === true) { io.out(`${USAGE}\n`); return Promise.resolve(EXIT_OK); }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}' (use --rig FILE)`);
  const rig = rigArg(values.rig);
  const budget = rigBudget(rig);
  const flight = flightCheck(rig);
  const text = `${formatTable(rig, budget)}\n${flight === null ? '' : flight.matches ? 'flight schedule: the rig lists every frame as the flight sends it\n' : `flight schedule: DIFFERS from what the flight sends: ${flight.problems.join('; ')}\n`}`;
  io.out(values.json ? `${JSON.stringify({ ...(toJson(rig, budget) as object), flightSchedule: flight })}\n` : text);
  return Promise.resolve(budget.ok && flight?.matches !== false ? EXIT_OK : EXIT_FAILURE);
}
