/**
 * `triplex report FILE.jsonl --out report.html`: the campaign's results as one self-contained
 * HTML page (src/io/report-html.ts). The worst flights are replayed from their seeds to draw
 * their attitude traces, so the report needs the same Triplex that ran the campaign.
 */
import { parse, parseInteger } from '../args.js';
import { EXIT_OK, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { describeResultsError, readResults, type CampaignRow, type ResultsFile } from '../../io/results.js';
import { renderReport, type ReportTrace, type ScrubByTarget } from '../../io/report-html.js';
import { TARGETS } from '../../core/campaign/plan.js';
import { checkReplayable, decodeResultsConfig } from '../../campaign/config-check.js';
import { CampaignRunner, type CampaignConfig } from '../../campaign/runner.js';
import { statsOf } from './campaign.js';

const OPTIONS = {
  out: { type: 'string' },
  worst: { type: 'string' },
  title: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const WORST_FLIGHTS_MAX = 6;
/** Trace points per replayed flight (about). */
const TRACE_POINTS = 400;

const USAGE = [
  'usage: triplex report FILE.jsonl --out report.html [--worst N] [--title TEXT]',
  '',
  'Writes one self-contained HTML file (inline SVG, no network): outcomes per target with',
  'Wilson intervals, SDC rate, detection-latency histogram, attitude traces of the N worst',
  `flights (default 4, at most ${WORST_FLIGHTS_MAX}; replayed from their seeds), scrubber statistics.`,
].join('\n');

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, true);
  if (values.help === true) {
    io.out(`${USAGE}\n`);
    return EXIT_OK;
  }
  const [path, ...extra] = positionals;
  if (path === undefined) throw new UsageError('missing results FILE.jsonl');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ''}'`);
  if (values.out === undefined) throw new UsageError('missing --out report.html');
  const worst = parseInteger('worst', values.worst ?? '4', 0, WORST_FLIGHTS_MAX);
  const file = readResults(path);
  if (!file.ok) throw new UsageError(describeResultsError(path, file.error));
  const config = decodeResultsConfig(file.value);
  if (!config.ok) throw new UsageError(`${path}:1: ${config.error}`);
  if (worst > 0 && file.value.rows.length > 0) {
    const replayable = await checkReplayable(config.value);
    if (!replayable.ok) throw new UsageError(`${path}:1: ${replayable.error}`);
  }
  const traces = await worstTraces(config.value, file.value.rows, worst);
  const html = renderReport({
    title: values.title ?? 'Triplex fault-injection campaign',
    source: path,
    facts: facts(config.value, file.value),
    stats: statsOf(file.value.rows),
    latenciesMs: file.value.rows.flatMap((r) => (r.detectionLatencyMs === null ? [] : [r.detectionLatencyMs])),
    traces,
    scrub: scrubByTarget(file.value.rows),
  });
  writeFileAtomic(values.out, html);
  io.out(`wrote ${values.out} (${file.value.rows.length} rows, ${traces.length} replayed flights)\n`);
  return EXIT_OK;
}

function facts(config: CampaignConfig, file: ResultsFile): (readonly [string, string])[] {
  const total = config.counts.reduce((a, c) => a + c.injections, 0);
  const sizing = config.sizing.mode === 'fixed' ? `${config.sizing.injections} injections` : `Leveugle et al. 2009, margin ${config.sizing.margin * 100} %, confidence ${config.sizing.confidence * 100} %, p = 0.5`;
  const shard = file.header.shard.count === 1 ? '' : ` (shard ${file.header.shard.index}/${file.header.shard.count})`;
  return [
    ['rows', `${file.rows.length} of ${total}${shard}`],
    ['sample size', sizing],
    ['flight', `${config.model} model, ${config.durationS} s at ${config.rateHz} Hz, campaign seed ${config.seed}`],
    ['targets', config.counts.map((c) => `${c.target} ${c.injections}`).join(', ')],
    ['golden run', file.golden === undefined ? 'not recorded' : `${file.golden.outcome}, max attitude error ${file.golden.maxAttitudeErrorDeg.toFixed(3)}°`],
    ['config hash', file.header.configHash],
  ];
}

async function worstTraces(config: CampaignConfig, rows: readonly CampaignRow[], count: number): Promise<ReportTrace[]> {
  if (count === 0 || rows.length === 0) return [];
  const worst = [...rows].sort((a, b) => b.maxAttitudeErrorDeg - a.maxAttitudeErrorDeg || a.row - b.row).slice(0, count);
  const runner = await CampaignRunner.load(config);
  const every = Math.max(1, Math.floor((config.durationS * config.rateHz) / TRACE_POINTS));
  return worst.map((row) => {
    const { line, trace } = runner.run(row.row, every);
    return {
      label: `row ${row.row}: ${row.fault.target} ${row.fault.location} at ${row.fault.timeS.toFixed(3)} s → ${line.outcome}, max ${line.maxAttitudeErrorDeg.toFixed(3)}°`,
      injectAtS: row.fault.timeS,
      timeS: trace?.timeS ?? [],
      attitudeErrorDeg: trace?.attitudeErrorDeg ?? [],
    };
  });
}

function scrubByTarget(rows: readonly CampaignRow[]): ScrubByTarget[] {
  return TARGETS.map((target) => {
    const mine = rows.filter((r) => r.fault.target === target);
    return {
      target,
      rows: mine.length,
      corrected: mine.reduce((a, r) => a + r.scrub.corrected, 0),
      uncorrectable: mine.reduce((a, r) => a + r.scrub.uncorrectable, 0),
      scrubbedWords: mine.reduce((a, r) => a + r.scrub.scrubbedWords, 0),
    };
  }).filter((s) => s.rows > 0);
}
