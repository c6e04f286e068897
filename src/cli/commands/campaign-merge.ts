/**
 * `triplex campaign merge A.jsonl B.jsonl … --out ALL.jsonl`: joins the shards of one campaign.
 *
 * Every input must be a shard of the same campaign (same config hash) with the same shard
 * count. Exit 2 (nothing written): an unreadable file, another campaign, a shard given twice.
 * Exit 1 (nothing written): a shard missing, or a shard that is not complete. The output has
 * one header (shard 0/1), the golden run, and every row sorted by row index.
 */
import { parse } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { describeResultsError, makeHeader, readResults, type CampaignRow, type ResultsFile } from '../../io/results.js';

const OPTIONS = { out: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
/** Most shard files one merge takes. */
export const MERGE_FILES_MAX = 10_000;

function expectedRows(file: ResultsFile): number {
  const counts = file.header.config.counts as readonly { readonly injections: number }[];
  const total = counts.reduce((a, c) => a + c.injections, 0);
  const { index, count } = file.header.shard;
  return index >= total ? 0 : Math.floor((total - 1 - index) / count) + 1;
}

function load(paths: readonly string[]): ResultsFile[] {
  const files: ResultsFile[] = [];
  for (const path of paths) {
    const file = readResults(path);
    if (!file.ok) throw new UsageError(describeResultsError(path, file.error));
    const first = files[0];
    if (first !== undefined && file.value.header.configHash !== first.header.configHash) throw new UsageError(`${path} is from another campaign (config ${file.value.header.configHash.slice(0, 12)}, ${paths[0] ?? ''} has ${first.header.configHash.slice(0, 12)})`);
    if (first !== undefined && file.value.header.oracle !== first.header.oracle) throw new UsageError(`${path} was judged by oracle version ${file.value.header.oracle}, ${paths[0] ?? ''} by version ${first.header.oracle}`);
    if (first !== undefined && file.value.header.shard.count !== first.header.shard.count) throw new UsageError(`${path} is shard ${file.value.header.shard.index}/${file.value.header.shard.count}, but ${paths[0] ?? ''} is one of ${first.header.shard.count}`);
    const twin = files.findIndex((f) => f.header.shard.index === file.value.header.shard.index);
    if (twin >= 0) throw new UsageError(`shard ${file.value.header.shard.index}/${file.value.header.shard.count} given twice (${paths[twin] ?? ''} and ${path})`);
    files.push(file.value);
  }
  return files;
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
  const files = load(positionals);
  const first = files[0];
  if (first === undefined) throw new UsageError('merge: no shard files given');
  const count = first.header.shard.count;
  const problems: string[] = [];
  for (let index = 0; index < count; index++) {
    const file = files.find((f) => f.header.shard.index === index);
    if (file === undefined) problems.push(`shard ${index}/${count} missing`);
    else if (file.rows.length < expectedRows(file)) problems.push(`shard ${index}/${count} incomplete (${file.rows.length} of ${expectedRows(file)} rows)`);
  }
  if (problems.length > 0) {
    io.err(`triplex campaign merge: ${problems.join('; ')}; nothing written\n`);
    return EXIT_FAILURE;
  }
  const rows: CampaignRow[] = files.flatMap((f) => f.rows).sort((a, b) => a.row - b.row);
  const golden = files.find((f) => f.golden !== undefined)?.golden;
  const header = { ...makeHeader(first.header.config, { index: 0, count: 1 }), oracle: first.header.oracle };
  const lines = [header, ...(golden === undefined ? [] : [golden]), ...rows].map((l) => JSON.stringify(l));
  writeFileAtomic(values.out, `${lines.join('\n')}\n`);
  if (values.json === true) io.out(`${JSON.stringify({ out: values.out, shards: count, rows: rows.length })}\n`);
  else io.out(`merged ${count} shard${count === 1 ? '' : 's'}, ${rows.length} rows into ${values.out}\n`);
  return EXIT_OK;
}
