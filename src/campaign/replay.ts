/**
 * `triplex run --replay FILE.jsonl:ROW`: reruns one campaign row exactly, from the results
 * file's header (config, profile, seed) and the row index, and checks that the outcome and
 * figures are the ones recorded. Exit 0 when identical, 1 when the rerun differs (a
 * non-deterministic flight or another Triplex version), 2 for a bad FILE:ROW.
 */
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../cli/errors.js';
import type { CliIo } from '../cli/io.js';
import { CampaignRunner, decodeCampaignConfig } from './runner.js';
import { canonicalJson, describeResultsError, readResults } from '../io/results.js';

/** Trace points printed with --json (about). */
const TRACE_POINTS = 500;

export async function replay(spec: string, json: boolean, io: CliIo): Promise<number> {
  const colon = spec.lastIndexOf(':');
  const path = spec.slice(0, colon);
  const rowText = spec.slice(colon + 1);
  if (colon <= 0 || !/^\d+$/.test(rowText)) throw new UsageError(`--replay must be FILE.jsonl:ROW, got '${spec}'`);
  const row = Number(rowText);
  const file = readResults(path);
  if (!file.ok) throw new UsageError(describeResultsError(path, file.error));
  const config = decodeCampaignConfig(file.value.header.config);
  if (!config.ok) throw new UsageError(`${path}:1: ${config.error}`);
  const recorded = file.value.rows.find((r) => r.row === row);
  if (recorded === undefined) throw new UsageError(`${path} has no row ${row}`);
  const runner = await CampaignRunner.load(config.value);
  const every = Math.max(1, Math.floor((config.value.durationS * config.value.rateHz) / TRACE_POINTS));
  const { line, trace } = runner.run(row, every);
  const identical = canonicalJson(line) === canonicalJson(recorded);
  if (json) {
    io.out(`${JSON.stringify({ identical, recorded, replayed: line, trace: trace ?? null })}\n`);
  } else {
    io.out([
      `row ${row}: seed ${line.seed}, ${line.fault.target} ${line.fault.location} at ${line.fault.timeS} s`,
      `outcome ${line.outcome} (recorded ${recorded.outcome}), detection latency ${line.detectionLatencyMs ?? '-'} ms, max attitude error ${line.maxAttitudeErrorDeg}°`,
      identical ? 'replay: identical to the recorded row' : `replay: DIFFERS from the recorded row\n  recorded ${JSON.stringify(recorded)}\n  replayed ${JSON.stringify(line)}`,
      '',
    ].join('\n'));
  }
  return identical ? EXIT_OK : EXIT_FAILURE;
}
