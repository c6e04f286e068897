/**
 * `triplex campaign`: a fault-injection campaign (docs/CAMPAIGNS.md).
 *
 *   triplex campaign --out FILE.jsonl (--injections N | --margin E --confidence C) [options]
 *   triplex campaign merge A.jsonl B.jsonl … --out ALL.jsonl
 *
 * Every row is a pure function of (config, row index), so the results file is both the output
 * and the resume point: rerunning the same command continues where a killed run stopped.
 */
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { parse, parseInteger } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { Progress } from '../progress.js';
import { runInWorkers } from '../../campaign/workers.js';
import { FLIGHT_MODELS, loadModel, type FlightModel } from '../../campaign/models.js';
import { TWIN_SEEDS_MAX, type CampaignConfig } from '../../campaign/runner.js';
import { ORACLE_VERSION } from '../../core/fault/outcome.js';
import { CAMPAIGN_INJECTIONS_MAX, evenCounts, FAULT_CLASSES, isFaultClass, isTarget, leveugleCounts, TARGETS, type FaultClass, type FaultSpaceShape, type Target } from '../../core/campaign/plan.js';
import { formatStatsTable, OutcomeCounter, type CampaignStats } from '../../core/campaign/stats.js';
import { parseFaultProfile } from '../../core/fault/profile.js';
import { err, ok, type Result } from '../../core/result.js';
import { describeResultsError, makeHeader, readResults, RESULTS_LINE_CHARS_MAX, RESULTS_VERSION, ResultsWriter, type CampaignRow, type ResultsFile, type ResultsHeader, type ShardSpec } from '../../io/results.js';
import { runMerge } from './campaign-merge.js';
import { parseVoterLanes } from './run.js';

const OPTIONS = {
  injections: { type: 'string' },
  margin: { type: 'string' },
  confidence: { type: 'string' },
  target: { type: 'string' },
  profile: { type: 'string' },
  'duration-s': { type: 'string' },
  'rate-hz': { type: 'string' },
  seed: { type: 'string' },
  workers: { type: 'string' },
  shard: { type: 'string' },
  model: { type: 'string' },
  'twin-seeds': { type: 'string' },
  class: { type: 'string' },
  'voter-lanes': { type: 'string' },
  'full-flights': { type: 'boolean' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Rows buffered before a write + fsync; a timer also flushes every FLUSH_INTERVAL_MS. */
export const FLUSH_ROWS = 64;
export const FLUSH_INTERVAL_MS = 250;
export const WORKERS_MAX = 256;
export const SHARDS_MAX = 100_000;
/** Flight seeds a campaign's rows share by default (docs/CAMPAIGNS.md, "Golden twins"). */
export const DEFAULT_TWIN_SEEDS = 16;

const USAGE = [
  'usage: triplex campaign --out FILE.jsonl (--injections N | --margin E --confidence C) [options]',
  '       triplex campaign merge A.jsonl B.jsonl ... --out ALL.jsonl [--json]',
  '',
  '  --injections N        run N injections (split evenly over the targets)',
  '  --margin E            size the sample by Leveugle et al. (DATE 2009) for margin of error E',
  '  --confidence C        ... at confidence C (0.95 or 95%); worst case p = 0.5, per target',
  '  --target T            a target, all, or a list a,b (default all): memory, registers, bus, sensor,',
  '                        channel, clock, compute, control-flow, memory-mbu, stuck, ecc-logic, golden,',
  '                        voter, actuator, bus-e2e, sensor-shape (docs/FAULTS.md, "Fault sites")',
  '  --class C             single (default), double (a second independent fault within 1 s) or',
  '                        common-mode (the row\'s fault in every replica at once)',
  '  --voter-lanes 1|3      3 force-voted voter lanes (default) or 1, a simplex voter',
  '  --profile FILE        background fault profile for every flight (docs/FAULTS.md)',
  '  --duration-s S        flight length (default 10)      --rate-hz HZ  control rate (default 250)',
  '  --seed S              campaign seed (default 1)       --workers K   worker threads (default: CPUs)',
  '  --shard I/N           run only rows i with i mod N = I (merge the shards afterwards); without it, a',
  '                        Slurm job array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT)',
  '                        or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX of TRIPLEX_SHARD_COUNT) gives it',
  '  --model M             emulated (the full closed loop, default) or synthetic (a fast stand-in)',
  '  --twin-seeds N        rows share N flight seeds, each judged against one recorded fault-free',
  '                        twin per seed (default 16); 0: every row its own seed and a live twin',
  '  --full-flights        fly every row from t = 0 to its end (no fast-forward from the golden',
  '                        checkpoint before its fault, no early end once it has converged onto',
  '                        the golden flight): the same rows, only slower',
  '  --json                print the statistics as JSON on stdout',
  '',
  'Rerun the same command to resume a killed or interrupted campaign; another configuration,',
  'a file judged by another oracle version, a version-1 file (no line CRCs) or a line that fails',
  'its CRC is refused (exit 2). Progress goes to stderr.',
  'Exit 1 when a row\'s flight fails (sdc, detected-unsafe, hang, or a channel lost for good to a',
  'transient fault), the rule `triplex run` uses.',
].join('\n');

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === 'merge') return runMerge(argv.slice(1), io);
  const { values, positionals } = parse(argv, OPTIONS, true);
  if (values.help === true) {
    io.out(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}' (the only action is 'merge')`);
  const out = values.out;
  if (out === undefined) throw new UsageError('missing --out FILE.jsonl (the results file; rerun the same command to resume)');
  const shard = resolveShard(values.shard, process.env);
  if (!shard.ok) throw new UsageError(shard.error);
  const workers = parseInteger('workers', values.workers ?? String(availableParallelism()), 1, WORKERS_MAX);
  const config = await buildConfig(values);
  return runCampaign(config, shard.value, workers, out, values.json === true, io, values['full-flights'] !== true);
}

/** "0.95", "95%" or "95" → 0.95; `what` names the flag. */
export function parseFraction(flag: string, text: string, percentIfAbove1: boolean): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (match === null) throw new UsageError(`--${flag} must be a number like 0.95 or 95%, got '${text}'`);
  const number = Number(match[1]);
  const value = match[2] === '%' || (percentIfAbove1 && number > 1) ? number / 100 : number;
  if (!(value > 0 && value < 1)) throw new UsageError(`--${flag} must be between 0 and 1 (exclusive), got '${text}'`);
  return value;
}

function parseNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`--${flag} must be a number from ${min} to ${max}, got '${text}'`);
  return value;
}

function parseShard(text: string): Result<ShardSpec, string> {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !(count >= 1 && count <= SHARDS_MAX && index < count)) return err(`--shard must be I/N with 0 <= I < N <= ${SHARDS_MAX}, got '${text}'`);
  return ok({ index, count });
}

/** The environment a shard may come from (process.env in the CLI; a plain object in tests). */
export type ShardEnv = Readonly<Record<string, string | undefined>>;

export interface ResolvedShard {
  readonly shard: ShardSpec;
  /** Where the shard came from, for a note on stderr; undefined when there is nothing to say. */
  readonly source: string | undefined;
}

/** Variables that name a shard: a Slurm job array's task, a Kubernetes Indexed Job's index and its count. */
export const SHARD_ENV_VARIABLES = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX', 'TRIPLEX_SHARD_COUNT'] as const;
/** Largest value read from a shard variable (Slurm's MaxArraySize is at most 4,000,001). */
const SHARD_ENV_VALUE_MAX = 999_999_999;

/**
 * The shard a run takes (docs/CAMPAIGNS.md, "Batch engines"): `--shard I/N` when given (the
 * environment is then ignored); else a Slurm job array's task (SLURM_ARRAY_TASK_ID, offset by
 * SLURM_ARRAY_TASK_MIN and divided by SLURM_ARRAY_TASK_STEP when set, of SLURM_ARRAY_TASK_COUNT);
 * else a Kubernetes Indexed Job's JOB_COMPLETION_INDEX of TRIPLEX_SHARD_COUNT (Kubernetes does
 * not export the completion count); else 0/1. A bad or inconsistent variable is an error naming it.
 */
export function resolveShard(flag: string | undefined, env: ShardEnv): Result<ResolvedShard, string> {
  const present = SHARD_ENV_VARIABLES.filter((name) => env[name] !== undefined);
  if (flag !== undefined) {
    const shard = parseShard(flag);
    if (!shard.ok) return shard;
    return ok({ shard: shard.value, source: present.length === 0 ? undefined : `--shard ${flag} (${present.join(', ')} ignored)` });
  }
  const slurm = env.SLURM_ARRAY_TASK_ID !== undefined;
  const kubernetes = env.JOB_COMPLETION_INDEX !== undefined;
  if (slurm && kubernetes) return err('both SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are set: give --shard I/N');
  if (slurm) return slurmShard(env);
  if (kubernetes) return kubernetesShard(env);
  if (env.TRIPLEX_SHARD_COUNT !== undefined) return err(`TRIPLEX_SHARD_COUNT=${env.TRIPLEX_SHARD_COUNT} is set but JOB_COMPLETION_INDEX is not: give --shard I/N, or unset it`);
  return ok({ shard: { index: 0, count: 1 }, source: undefined });
}

/** Non-negative integer variables, each undefined when unset; an error names the first bad one. */
function envCounts<K extends string>(env: ShardEnv, names: readonly K[]): Result<Partial<Record<K, number>>, string> {
  const values: Partial<Record<K, number>> = {};
  for (const name of names) {
    const text = env[name];
    if (text === undefined) continue;
    if (!/^\d{1,9}$/.test(text) || Number(text) > SHARD_ENV_VALUE_MAX) return err(`${name} must be a non-negative integer, got '${text}'`);
    values[name] = Number(text);
  }
  return ok(values);
}

function shardCount(name: string, count: number): Result<number, string> {
  return count >= 1 && count <= SHARDS_MAX ? ok(count) : err(`${name} must be from 1 to ${SHARDS_MAX}, got ${count}`);
}

const SLURM_VARIABLES = ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_MAX', 'SLURM_ARRAY_TASK_STEP'] as const;

/** Task SLURM_ARRAY_TASK_ID of a plain range MIN, MIN + STEP, … MAX of COUNT tasks is shard (ID − MIN) / STEP of COUNT. */
function slurmShard(env: ShardEnv): Result<ResolvedShard, string> {
  const read = envCounts(env, SLURM_VARIABLES);
  if (!read.ok) return read;
  const { SLURM_ARRAY_TASK_ID: id, SLURM_ARRAY_TASK_COUNT: total, SLURM_ARRAY_TASK_MIN: first = 0, SLURM_ARRAY_TASK_MAX: last, SLURM_ARRAY_TASK_STEP: stride = 1 } = read.value;
  if (id === undefined) return err('SLURM_ARRAY_TASK_ID is not set');
  if (total === undefined) return err(`SLURM_ARRAY_TASK_ID=${id} is set but SLURM_ARRAY_TASK_COUNT is not (Slurm sets both in a job array): give --shard I/N`);
  const count = shardCount('SLURM_ARRAY_TASK_COUNT', total);
  if (!count.ok) return count;
  if (stride < 1) return err('SLURM_ARRAY_TASK_STEP must be at least 1, got 0');
  if (id < first || (id - first) % stride !== 0) return err(`SLURM_ARRAY_TASK_ID=${id} is not in the array from SLURM_ARRAY_TASK_MIN=${first} by SLURM_ARRAY_TASK_STEP=${stride}`);
  if (last !== undefined && first + (total - 1) * stride !== last) {
    return err(`SLURM_ARRAY_TASK_COUNT=${total} tasks from SLURM_ARRAY_TASK_MIN=${first} by ${stride} do not end at SLURM_ARRAY_TASK_MAX=${last}: the array is not a plain range (use --array=0-${total - 1}, or give --shard I/N)`);
  }
  const index = (id - first) / stride;
  if (index >= total) return err(`SLURM_ARRAY_TASK_ID=${id} is task ${index} of an array of SLURM_ARRAY_TASK_COUNT=${total}`);
  const offset = first === 0 ? '' : ` - SLURM_ARRAY_TASK_MIN=${first}`;
  const divide = stride === 1 ? '' : ` / SLURM_ARRAY_TASK_STEP=${stride}`;
  return ok({ shard: { index, count: total }, source: `SLURM_ARRAY_TASK_ID=${id}${offset}${divide} of SLURM_ARRAY_TASK_COUNT=${total}` });
}

/** JOB_COMPLETION_INDEX (0 … completions − 1) of TRIPLEX_SHARD_COUNT, which the Job's manifest sets to its completions. */
function kubernetesShard(env: ShardEnv): Result<ResolvedShard, string> {
  const read = envCounts(env, ['JOB_COMPLETION_INDEX', 'TRIPLEX_SHARD_COUNT'] as const);
  if (!read.ok) return read;
  const { JOB_COMPLETION_INDEX: index, TRIPLEX_SHARD_COUNT: total } = read.value;
  if (index === undefined) return err('JOB_COMPLETION_INDEX is not set');
  if (total === undefined) return err(`JOB_COMPLETION_INDEX=${index} is set but TRIPLEX_SHARD_COUNT is not: set it to the Job's completions (Kubernetes does not export the count), or give --shard I/N`);
  const count = shardCount('TRIPLEX_SHARD_COUNT', total);
  if (!count.ok) return count;
  if (index >= total) return err(`JOB_COMPLETION_INDEX=${index} is not below TRIPLEX_SHARD_COUNT=${total}`);
  return ok({ shard: { index, count: total }, source: `JOB_COMPLETION_INDEX=${index} of TRIPLEX_SHARD_COUNT=${total}` });
}

function parseTargets(text: string | undefined): readonly Target[] {
  if (text === undefined || text === 'all') return TARGETS;
  const names = text.split(',');
  const targets: Target[] = [];
  for (const name of names) {
    if (!isTarget(name)) throw new UsageError(`--target: unknown target '${name}' (expected ${TARGETS.join(', ')} or all)`);
    if (!targets.includes(name)) targets.push(name);
  }
  return targets;
}

function readProfile(path: string | undefined): unknown {
  if (path === undefined) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--profile: cannot read '${path}'`);
  }
  const decoded = parseFaultProfile(text);
  if (!decoded.ok) throw new UsageError(`${path}: ${decoded.error.path}: ${decoded.error.message}`);
  return JSON.parse(text) as unknown;
}

function parseClass(text: string | undefined): FaultClass {
  const value = text ?? 'single';
  if (!isFaultClass(value)) throw new UsageError(`--class must be one of ${FAULT_CLASSES.join(', ')}, got '${value}'`);
  return value;
}

function parseModel(text: string | undefined): FlightModel {
  const model = text ?? 'emulated';
  const found = FLIGHT_MODELS.find((m) => m === model);
  if (found === undefined) throw new UsageError(`--model must be one of ${FLIGHT_MODELS.join(', ')}, got '${model}'`);
  return found;
}

async function buildConfig(values: Values): Promise<CampaignConfig> {
  const targets = parseTargets(values.target);
  const durationS = parseNumber('duration-s', values['duration-s'], 10, 0.01, 3600);
  const rateHz = parseNumber('rate-hz', values['rate-hz'], 250, 1, 10_000);
  const seed = parseInteger('seed', values.seed ?? '1', 0, 0xffff_ffff);
  const model = parseModel(values.model);
  const profile = readProfile(values.profile);
  const twinSeeds = parseInteger('twin-seeds', values['twin-seeds'] ?? String(DEFAULT_TWIN_SEEDS), 0, TWIN_SEEDS_MAX);
  const faultClass = parseClass(values.class);
  const lanes = parseVoterLanes(values['voter-lanes']);
  const classField = { ...(faultClass === 'single' ? {} : { faultClass }), ...(lanes === 1 ? { voterLanes: 1 as const } : {}) };
  const fixed = values.injections !== undefined;
  if (fixed && (values.margin !== undefined || values.confidence !== undefined)) throw new UsageError('give either --injections or --margin/--confidence, not both');
  if (!fixed && (values.margin === undefined || values.confidence === undefined)) throw new UsageError('missing --injections N (or --margin E --confidence C)');
  const shape = await loadShape(model);
  if (fixed) {
    const injections = parseInteger('injections', values.injections, 1, CAMPAIGN_INJECTIONS_MAX);
    return { seed, durationS, rateHz, model, profile, counts: evenCounts(targets, injections), sizing: { mode: 'fixed', injections }, shape, twinSeeds, ...classField };
  }
  const margin = parseFraction('margin', values.margin ?? '', false);
  const confidence = parseFraction('confidence', values.confidence ?? '', true);
  const counts = leveugleCounts(targets, shape, durationS, rateHz, margin, confidence);
  if (counts.reduce((a, c) => a + c.injections, 0) > CAMPAIGN_INJECTIONS_MAX) throw new UsageError(`--margin ${values.margin ?? ''} needs more than ${CAMPAIGN_INJECTIONS_MAX} injections`);
  return { seed, durationS, rateHz, model, profile, counts, sizing: { mode: 'leveugle', margin, confidence }, shape, twinSeeds, ...classField };
}

async function loadShape(model: FlightModel): Promise<FaultSpaceShape> {
  try {
    return (await loadModel(model)).shape;
  } catch (error: unknown) {
    throw new UsageError(`--model ${model}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Rows of a shard: i with i mod count = index. */
export function shardRows(total: number, shard: ShardSpec): number[] {
  const rows: number[] = [];
  for (let row = shard.index; row < total; row += shard.count) rows.push(row);
  return rows;
}

interface Opened {
  readonly writer: ResultsWriter;
  readonly existing: ResultsFile | undefined;
}

function openResults(path: string, header: ResultsHeader, io: CliIo): Opened {
  if (!existsSync(path)) return { writer: createResults(path, header), existing: undefined };
  if (statSync(path).size <= RESULTS_LINE_CHARS_MAX) {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('\n') && (text === '' || text.startsWith('{"type":"header"'))) {
      // Killed while writing the header line: nothing else was ever written; start afresh.
      rmSync(path);
      return { writer: createResults(path, header), existing: undefined };
    }
  }
  // Every whole line is checked (its CRC and its fields); only a torn last line is dropped.
  const existing = readResults(path);
  if (!existing.ok) throw new UsageError(describeResultsError(path, existing.error));
  const found = existing.value.header;
  if (found.oracle !== ORACLE_VERSION) throw new UsageError(`${path} was judged by oracle version ${found.oracle}; this Triplex's oracle is version ${ORACLE_VERSION} (rows judged by other rules cannot be resumed): use another --out`);
  if (found.version !== RESULTS_VERSION) throw new UsageError(`${path} is results version ${found.version} (no line CRCs); this Triplex resumes only version ${RESULTS_VERSION}: use another --out (report, merge and --replay still read it)`);
  if (found.configHash !== header.configHash) throw new UsageError(`${path} holds another campaign (config ${found.configHash.slice(0, 12)}, this command ${header.configHash.slice(0, 12)}): use the same flags to resume, or another --out`);
  if (found.shard.index !== header.shard.index || found.shard.count !== header.shard.count) throw new UsageError(`${path} holds shard ${found.shard.index}/${found.shard.count}, not ${header.shard.index}/${header.shard.count}`);
  if (existing.value.tornLine) io.err(`${path}: dropped a torn last line (it will be run again)\n`);
  return { writer: ResultsWriter.reopen(path, existing.value.wholeBytes), existing: existing.value };
}

function createResults(path: string, header: ResultsHeader): ResultsWriter {
  try {
    return ResultsWriter.create(path, header);
  } catch (error: unknown) {
    throw new UsageError(`--out: cannot create '${path}': ${(error as { code?: string }).code ?? String(error)}`);
  }
}

async function runCampaign(config: CampaignConfig, resolved: ResolvedShard, workers: number, out: string, json: boolean, io: CliIo, fastForward: boolean): Promise<number> {
  const { shard } = resolved;
  const header = makeHeader(config as unknown as Readonly<Record<string, unknown>>, shard);
  const { writer, existing } = openResults(out, header, io);
  if (resolved.source !== undefined) io.err(`triplex campaign: shard ${shard.index}/${shard.count} from ${resolved.source}\n`);
  const total = config.counts.reduce((a, c) => a + c.injections, 0);
  const mine = shardRows(total, shard);
  const done = new Set((existing?.rows ?? []).map((r) => r.row));
  const todo = mine.filter((row) => !done.has(row));
  if (done.size > 0) io.err(`resuming ${out}: ${mine.length - todo.length} of ${mine.length} rows already done\n`);
  const flown = { rows: 0, skippedS: 0, earlyRows: 0 };
  // The share of simulated flight time fast-forward and early convergence spared, and of rows ended early (the synthetic model has no flight to spare).
  const note = (): string => (flown.rows === 0 || config.model !== 'emulated' ? '' : `flight time spared ${((100 * flown.skippedS) / (flown.rows * config.durationS)).toFixed(0)}%, early-ended ${((100 * flown.earlyRows) / flown.rows).toFixed(0)}% of rows`);
  const progress = new Progress({ label: 'campaign', total: mine.length, already: mine.length - todo.length, isTty: process.stderr.isTTY, write: (t) => { io.err(t); }, nowMs: () => performance.now(), note });
  let stop = false;
  const onSignal = (): void => { stop = true; };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setInterval(() => { writer.flush(); }, FLUSH_INTERVAL_MS);
  try {
    await runInWorkers(config, todo, workers, existing?.golden === undefined, {
      onRow: (line, skippedS, earlyEndedS) => {
        writer.append(line);
        if (writer.pendingLines >= FLUSH_ROWS) writer.flush();
        flown.rows++;
        flown.skippedS += skippedS + earlyEndedS;
        if (earlyEndedS > 0) flown.earlyRows++;
        progress.add();
      },
      onGolden: (record) => { writer.append(record); },
      shouldStop: () => stop,
    }, { fastForward });
  } finally {
    clearInterval(timer);
    writer.close();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  progress.finish();
  return summarise(out, mine.length, stop, json, io);
}

function summarise(out: string, expected: number, interrupted: boolean, json: boolean, io: CliIo): number {
  const file = readResults(out);
  if (!file.ok) throw new UsageError(describeResultsError(out, file.error));
  const rows = file.value.rows;
  const stats = statsOf(rows);
  const latency = latencyOf(rows);
  const failing = rows.filter((r) => r.fails === true).sort((a, b) => a.row - b.row);
  const complete = rows.length >= expected;
  if (json) {
    io.out(`${JSON.stringify({ file: out, configHash: file.value.header.configHash, shard: file.value.header.shard, oracle: file.value.header.oracle, rows: rows.length, expected, complete, golden: file.value.golden ?? null, stats, latency, failingRows: failing.length, failing: failing.slice(0, FAILING_SHOWN_MAX).map((r) => ({ row: r.row, outcome: r.outcome, target: r.fault.target, location: r.fault.location, timeS: r.fault.timeS })) })}\n`);
  } else {
    const shown = failing.slice(0, FAILING_SHOWN_MAX).map((r) => `  row ${r.row}: ${r.outcome} — ${r.fault.target} ${r.fault.location} at ${r.fault.timeS} s (replay: triplex run --replay ${out}:${r.row})`);
    const failLines = failing.length === 0 ? 'failing rows: none\n' : `failing rows: ${failing.length}\n${shown.join('\n')}${failing.length > shown.length ? `\n  … and ${failing.length - shown.length} more (--json)` : ''}\n`;
    io.out(`${formatStatsTable(stats)}\n${formatLatencyTable(latency)}\n${failLines}${rows.length}/${expected} rows in ${out}${complete ? '' : ' (incomplete: rerun the same command to resume)'}\n`);
  }
  if (interrupted && !complete) {
    io.err(`interrupted: rerun the same command to resume\n`);
    return 130;
  }
  return failing.length > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** Failing rows listed in the summary. */
const FAILING_SHOWN_MAX = 10;

export interface TargetLatency {
  readonly target: string;
  readonly detected: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/** Detection latency per target (rows a mechanism detected): nearest-rank p50, p99 and max. */
export function latencyOf(rows: readonly CampaignRow[]): TargetLatency[] {
  const by = new Map<string, number[]>();
  for (const r of rows) {
    if (r.detectionLatencyMs === null) continue;
    const list = by.get(r.fault.target) ?? [];
    list.push(r.detectionLatencyMs);
    by.set(r.fault.target, list);
  }
  const all = [...by.values()].flat();
  const of = (target: string, values: number[]): TargetLatency => {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = (p: number): number | null => (sorted.length === 0 ? null : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? null));
    return { target, detected: sorted.length, p50Ms: rank(0.5), p99Ms: rank(0.99), maxMs: sorted.length === 0 ? null : (sorted[sorted.length - 1] ?? null) };
  };
  return [...TARGETS.filter((t) => by.has(t)).map((t) => of(t, by.get(t) ?? [])), of('all', all)];
}

function formatLatencyTable(rows: readonly TargetLatency[]): string {
  const ms = (v: number | null): string => (v === null ? '-' : v.toFixed(3));
  const lines = ['detection latency (ms, rows a mechanism detected)', 'target     detected        p50        p99        max'];
  for (const r of rows) lines.push(`${r.target.padEnd(10)} ${String(r.detected).padStart(8)} ${ms(r.p50Ms).padStart(10)} ${ms(r.p99Ms).padStart(10)} ${ms(r.maxMs).padStart(10)}`);
  return lines.join('\n');
}

export function statsOf(rows: readonly CampaignRow[], confidence = 0.95): CampaignStats {
  const counter = new OutcomeCounter();
  for (const row of rows) counter.add(row.fault.target, row.outcome);
  return counter.stats(confidence);
}
