/**
 * `triplex campaign merge A.jsonl B.jsonl … --out ALL.jsonl`: joins the shards of one campaign.
 *
 * Every input must be a shard of the same campaign (same config hash) with the same shard
 * count, and every line of every input is checked (its CRC, its fields). Exit 2 (nothing
 * written): an unreadable or corrupted file (naming the line), another campaign, a shard given
 * twice. Exit 1 (nothing written): a shard missing, or a shard that is not complete. The output
 * has one header (shard 0/1), the golden run, and every row sorted by row index, each line with
 * its CRC; if any input is a version-1 file (no CRCs, so its rows cannot be verified) the output
 * is version 1 too, rather than vouching for rows nobody checked.
 */
import { parse } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { decodeCampaignConfig, type CampaignConfig } from '../../campaign/runner.js';
import { describeResultsError, encodeResultsLine, makeHeader, readResults, RESULTS_VERSION, type CampaignRow, type ResultsFile, type ResultsVersion } from '../../io/results.js';

const OPTIONS = { out: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
/** Most shard files one merge takes. */
export const MERGE_FILES_MAX = 10_000;

/** A shard file with its decoded config. */
interface Shard {
  readonly path: string;
  readonly file: ResultsFile;
  readonly config: CampaignConfig;
}

function expectedRows({ file, config }: Shard): number {
  const total = config.counts.reduce((a, c) => a + c.injections, 0);
  const { index, count } = file.header.shard;
  return index >= total ? 0 : Math.floor((total - 1 - index) / count) + 1;
}

function load(paths: readonly string[]): Shard[] {
  const shards: Shard[] = [];
  const files: ResultsFile[] = [];
  for (const path of paths) {
    const file = readResults(path);
    if (!file.ok) throw new UsageError(describeResultsError(path, file.error));
    const config = decodeCampaignConfig(file.value.header.config);
    if (!config.ok) throw new UsageError(`${path}:1: ${config.error}`);
    const first = files[0];
    if (first !== undefined && file.value.header.configHash !== first.header.configHash) throw new UsageError(`${path} is from another campaign (config ${file.value.header.configHash.slice(0, 12)}, ${paths[0] ?? ''} has ${first.header.configHash.slice(0, 12)})`);
    if (first !== undefined && file.value.header.oracle !== first.header.oracle) throw new UsageError(`${path} was judged by oracle version ${file.value.header.oracle}, ${paths[0] ?? ''} by version ${first.header.oracle}`);
    if (first !== undefined && file.value.header.shard.count !== first.header.shard.count) throw new UsageError(`${path} is shard ${file.value.header.shard.index}/${file.value.header.shard.count}, but ${paths[0] ?? ''} is one of ${first.header.shard.count}`);
    const twin = files.findIndex((f) => f.header.shard.index === file.value.header.shard.index);
    if (twin >= 0) throw new UsageError(`shard ${file.value.header.shard.index}/${file.value.header.shard.count} given twice (${paths[twin] ?? ''} and ${path})`);
    files.push(file.value);
    shards.push({ path, file: file.value, config: config.value });
  }
  return shards;
}

export function runMerge(argv: readonly string[], io: CliIo): number {
  const { values, positionals } = parse(argv, OPTIONS, true);
  if (values.help === true) {
    io.out('usage: triplex campaign merge A.jsonl B.jsonl ... --out ALL.jsonl [--json]\n');
    return EXIT_OK;
  }
  if (values.out === undefined) throw new UsageError('merge: missing --out ALL.jsonl');
  if (positionals.length === 0) throw new UsageError('merge: no shard files given');
  if (positionals.length > MERGE_FILES_MAX) throw new UsageError(`merge: more than ${MERGE_FILES_MAX} files`);
  const shards = load(positionals);
  const files = shards.map((s) => s.file);
  const first = files[0];
  if (first === undefined) throw new UsageError('merge: no shard files given');
  const count = first.header.shard.count;
  const problems: string[] = [];
  for (let index = 0; index < count; index++) {
    const shard = shards.find((s) => s.file.header.shard.index === index);
    if (shard === undefined) problems.push(`shard ${index}/${count} missing`);
    else if (shard.file.rows.length < expectedRows(shard)) problems.push(`shard ${index}/${count} incomplete (${shard.file.rows.length} of ${expectedRows(shard)} rows)`);
  }
  if (problems.length > 0) {
    io.err(`triplex campaign merge: ${problems.join('; ')}; nothing written\n`);
    return EXIT_FAILURE;
  }
  const rows: CampaignRow[] = files.flatMap((f) => f.rows).sort((a, b) => a.row - b.row);
  const golden = files.find((f) => f.golden !== undefined)?.golden;
  const unverified = shards.find((s) => s.file.header.version !== RESULTS_VERSION);
  const version: ResultsVersion = unverified === undefined ? RESULTS_VERSION : 1;
  if (unverified !== undefined) io.err(`triplex campaign merge: ${unverified.path} is results version 1 (no line CRCs), so ${values.out} is version 1 too\n`);
  const header = { ...makeHeader(first.header.config, { index: 0, count: 1 }), oracle: first.header.oracle, version };
  const lines = [header, ...(golden === undefined ? [] : [golden]), ...rows].map((l) => encodeResultsLine(l, version));
  writeFileAtomic(values.out, `${lines.join('\n')}\n`);
  if (values.json === true) io.out(`${JSON.stringify({ out: values.out, shards: count, rows: rows.length })}\n`);
  else io.out(`merged ${count} shard${count === 1 ? '' : 's'}, ${rows.length} rows into ${values.out}\n`);
  return EXIT_OK;
}
