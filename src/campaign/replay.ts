/**
 * Replays one campaign row exactly (`triplex run --replay FILE.jsonl:ROW`): from the results
 * file's header (config, profile, seed) and the row index it reruns the row and says whether
 * the outcome and figures are the ones recorded. Identical means the flight is deterministic
 * and this Triplex is the one that ran the campaign.
 */
import { err, ok, type Result } from '../core/result.js';
import { canonicalJson, describeResultsError, readResults, type CampaignRow } from '../io/results.js';
import type { FlightTrace } from './models.js';
import { checkReplayable, decodeResultsConfig } from './config-check.js';
import { CampaignRunner } from './runner.js';

/** Trace points of a replayed flight (about). */
export const REPLAY_TRACE_POINTS = 500;

export interface ReplayOutcome {
  readonly identical: boolean;
  readonly recorded: CampaignRow;
  readonly replayed: CampaignRow;
  readonly trace: FlightTrace | undefined;
}

/** `FILE.jsonl:ROW` → its parts, or a one-line error. */
export function parseReplaySpec(spec: string): Result<{ readonly path: string; readonly row: number }, string> {
  const colon = spec.lastIndexOf(':');
  const rowText = spec.slice(colon + 1);
  if (colon <= 0 || !/^\d{1,9}$/.test(rowText)) return err(`--replay must be FILE.jsonl:ROW, got '${spec}'`);
  return ok({ path: spec.slice(0, colon), row: Number(rowText) });
}

/** Reruns row `row` of the results file at `path`; errors are one line naming the file and the problem. */
export async function replayRow(path: string, row: number): Promise<Result<ReplayOutcome, string>> {
  const file = readResults(path);
  if (!file.ok) return err(describeResultsError(path, file.error));
  const config = decodeResultsConfig(file.value);
  if (!config.ok) return err(`${path}:1: ${config.error}`);
  const replayable = await checkReplayable(config.value);
  if (!replayable.ok) return err(`${path}:1: ${replayable.error}`);
  const recorded = file.value.rows.find((r) => r.row === row);
  if (recorded === undefined) return err(`${path} has no row ${row}`);
  const runner = await CampaignRunner.load(config.value);
  const every = Math.max(1, Math.floor((config.value.durationS * config.value.rateHz) / REPLAY_TRACE_POINTS));
  const { line, trace } = runner.run(row, every);
  return ok({ identical: canonicalJson(line) === canonicalJson(recorded), recorded, replayed: line, trace });
}
