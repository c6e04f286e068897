/**
 * `triplex ecc`: SEC-DED memory images as files (container format: src/io/ecc-container.ts,
 * docs/INTEGRITY.md).
 *
 *   encode  --code secded-39-32|secded-72-64 [--interleave K] --in RAW --out IMAGE
 *   inject  --in IMAGE --out IMAGE2 (--flips N --seed S [--mbu K] | --at WORD:BIT ...)
 *   scrub   --in IMAGE [--out FIXED] [--json]      exit 0 clean/corrected, 1 uncorrectable
 *   decode  --in IMAGE --out RAW                   exit 0 written, 1 uncorrectable (nothing written)
 *
 * Bad input exits 2 with one line naming the problem and leaves no output file.
 */
import { readFile } from 'node:fs/promises';
import { parse, parseInteger } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import { assert } from '../../core/assert.js';
import type { CliIo } from '../io.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { containerFromImage, decodeEccContainer, describeEccContainerError, encodeEccContainer, imageFromContainer } from '../../io/ecc-container.js';
import { INTERLEAVE_MAX } from '../../core/integrity/interleave.js';
import { isSecDedCodeName, popcount, SECDED_CODE_NAMES } from '../../core/integrity/secded.js';
import { MemoryImage, MEMORY_IMAGE_BYTES_MAX } from '../../core/memory/memory-image.js';
import { Scrubber, type ScrubStatistics } from '../../core/memory/scrubber.js';
import { Prng } from '../../core/sim/prng.js';

/** Upper bound on --flips (and on --at occurrences) so a typo cannot spin for hours. */
const FLIPS_MAX = 10_000_000;
/** Upper bound on --mbu (bits per event). */
const MBU_BITS_MAX = 4096;
/** Uncorrectable words kept (and listed in --json) by `scrub`; the count is always exact. */
const LISTED_WORDS_MAX = 100_000;
/** Uncorrectable words shown in the human-readable outputs. */
const SHOWN_WORDS_MAX = 20;

const USAGE = [
  'usage: triplex ecc encode --code secded-39-32|secded-72-64 [--interleave K] --in RAW --out IMAGE',
  '       triplex ecc inject --in IMAGE --out IMAGE2 (--flips N --seed S [--mbu K] | --at WORD:BIT ...)',
  '       triplex ecc scrub --in IMAGE [--out FIXED] [--json]',
  '       triplex ecc decode --in IMAGE --out RAW',
  '',
  'WORD is the code-word index, BIT the bit in the code word (data bits 0..k-1, then check bits).',
  '--mbu K: each of the N events flips K physically adjacent bits (interleaved layout).',
  'Exit codes: 0 ok, 1 uncorrectable words found, 2 bad usage or input.',
].join('\n');

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'encode': return encode(rest, io);
    case 'inject': return inject(rest, io);
    case 'scrub': return scrub(rest, io);
    case 'decode': return decode(rest, io);
    case undefined:
      throw new UsageError('missing subcommand (encode, inject, scrub, decode); see --help');
    case '--help':
    case '-h':
      io.out(`${USAGE}\n`);
      return EXIT_OK;
    default:
      throw new UsageError(`unknown subcommand '${sub}' (encode, inject, scrub, decode)`);
  }
}

// ---- subcommands ----------------------------------------------------------------------------

async function encode(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { code: { type: 'string' }, interleave: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' } });
  const code = values.code;
  if (code === undefined) throw new UsageError('missing --code (secded-39-32 or secded-72-64)');
  if (!isSecDedCodeName(code)) throw new UsageError(`unknown code '${code}' (${SECDED_CODE_NAMES.join(', ')})`);
  const interleave = values.interleave === undefined ? 1 : parseInteger('interleave', values.interleave, 1, INTERLEAVE_MAX);
  const out = required(values.out, 'out');
  const raw = await readInput(required(values.in, 'in'));
  if (raw.length > MEMORY_IMAGE_BYTES_MAX) throw new UsageError(`input is ${raw.length} bytes; the limit is ${MEMORY_IMAGE_BYTES_MAX}`);
  const image = new MemoryImage({ sizeBytes: raw.length, code, interleave });
  image.restore(raw);
  writeOutput(out, encodeEccContainer(containerFromImage(image)));
  io.out(`encoded ${raw.length} bytes into ${image.wordCount} words (${code}, interleave ${interleave}) -> ${out}\n`);
  return EXIT_OK;
}

async function inject(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    in: { type: 'string' }, out: { type: 'string' }, flips: { type: 'string' }, seed: { type: 'string' },
    mbu: { type: 'string' }, at: { type: 'string', multiple: true },
  });
  const out = required(values.out, 'out');
  const at = values.at ?? [];
  const random = values.flips !== undefined || values.seed !== undefined || values.mbu !== undefined;
  if (at.length > 0 && random) throw new UsageError('give either --at WORD:BIT ... or --flips N --seed S [--mbu K], not both');
  if (at.length === 0 && !random) throw new UsageError('nothing to inject: give --flips N --seed S [--mbu K] or --at WORD:BIT');
  if (at.length > FLIPS_MAX) throw new UsageError(`at most ${FLIPS_MAX} --at flips`);
  const image = await loadImage(required(values.in, 'in'));
  const summary = at.length > 0 ? injectAt(image, at) : injectRandom(image, values.flips, values.seed, values.mbu);
  writeOutput(out, encodeEccContainer(containerFromImage(image)));
  io.out(`${summary} -> ${out}\n`);
  return EXIT_OK;
}

async function scrub(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { in: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } });
  const image = await loadImage(required(values.in, 'in'));
  const stats = scrubAll(image);
  if (values.out !== undefined) writeOutput(values.out, encodeEccContainer(containerFromImage(image)));
  io.out(values.json === true ? `${JSON.stringify(scrubJson(image, stats))}\n` : scrubText(image, stats, values.out));
  return stats.uncorrectableEvents === 0 ? EXIT_OK : EXIT_FAILURE;
}

async function decode(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { in: { type: 'string' }, out: { type: 'string' } });
  const out = required(values.out, 'out');
  const image = await loadImage(required(values.in, 'in'));
  const stats = scrubAll(image);
  if (stats.uncorrectableEvents > 0) {
    io.err(`triplex ecc: ${stats.uncorrectableEvents} uncorrectable word(s): ${listWords(stats)}; nothing written\n`);
    return EXIT_FAILURE;
  }
  const data = image.snapshot();
  assert(data.ok, 'a scrubbed image without uncorrectable words reads clean');
  writeOutput(out, data.value);
  io.out(`decoded ${data.value.length} bytes (${stats.corrected} word(s) corrected) -> ${out}\n`);
  return EXIT_OK;
}

// ---- injection --------------------------------------------------------------------------------

function injectAt(image: MemoryImage, specs: readonly string[]): string {
  const flips = specs.map((spec) => parseWordBit(spec, image));
  for (const [word, bit] of flips) image.flipBit(word, bit);
  return `flipped ${flips.length} bit(s) at ${specs.length <= SHOWN_WORDS_MAX ? specs.join(' ') : `${specs.slice(0, SHOWN_WORDS_MAX).join(' ')} …`}`;
}

function parseWordBit(spec: string, image: MemoryImage): readonly [number, number] {
  const match = /^(\d{1,15}):(\d{1,15})$/.exec(spec);
  if (match === null) throw new UsageError(`bad --at '${spec}' (expected WORD:BIT, e.g. 3:17)`);
  const word = Number(match[1]);
  const bit = Number(match[2]);
  if (word >= image.wordCount) throw new UsageError(`--at ${spec}: word ${word} out of range (image has ${image.wordCount} words)`);
  if (bit >= image.code.codeBits) throw new UsageError(`--at ${spec}: bit ${bit} out of range 0..${image.code.codeBits - 1} for ${image.code.name}`);
  return [word, bit];
}

function injectRandom(image: MemoryImage, flipsText: string | undefined, seedText: string | undefined, mbuText: string | undefined): string {
  if (flipsText === undefined) throw new UsageError('missing --flips N (with --seed S)');
  if (seedText === undefined) throw new UsageError('missing --seed S (with --flips N)');
  const flips = parseInteger('flips', flipsText, 0, FLIPS_MAX);
  const seed = parseInteger('seed', seedText);
  const mbu = mbuText === undefined ? 1 : parseInteger('mbu', mbuText, 1, MBU_BITS_MAX);
  if (flips > 0 && mbu > image.physicalBitCount) throw new UsageError(`--mbu ${mbu} exceeds the image's ${image.physicalBitCount} physical bits`);
  const prng = new Prng(seed);
  for (let event = 0; event < flips; event++) {
    const start = prng.nextInt(image.physicalBitCount - mbu + 1);
    for (let b = 0; b < mbu; b++) image.flipPhysicalBit(start + b);
  }
  return `flipped ${flips * mbu} bit(s) in ${flips} event(s) of ${mbu} adjacent bit(s) (seed ${seed}, interleave ${image.interleave})`;
}

// ---- scrubbing and reporting ----------------------------------------------------------------

function scrubAll(image: MemoryImage): ScrubStatistics {
  const scrubber = new Scrubber(image, { uncorrectableRecordsMax: LISTED_WORDS_MAX });
  scrubber.step(0, image.wordCount);
  return scrubber.statistics();
}

function scrubJson(image: MemoryImage, stats: ScrubStatistics): Record<string, unknown> {
  return {
    code: image.code.name,
    interleave: image.interleave,
    dataLengthBytes: image.sizeBytes,
    wordCount: image.wordCount,
    wordsScanned: stats.wordsScanned,
    corrected: stats.corrected,
    correctedData: stats.correctedData,
    correctedCheck: stats.correctedCheck,
    uncorrectableCount: stats.uncorrectableEvents,
    uncorrectable: stats.uncorrectable.map((r) => ({
      word: r.word, address: r.address, syndrome: r.syndrome, pattern: (popcount(r.syndrome) & 1) === 0 ? 'even-bits' : 'odd-bits',
    })),
  };
}

function scrubText(image: MemoryImage, stats: ScrubStatistics, out: string | undefined): string {
  const lines = [
    `scrubbed ${stats.wordsScanned} words (${image.code.name}, interleave ${image.interleave}, ${image.sizeBytes} data bytes)`,
    `corrected: ${stats.corrected} (${stats.correctedData} data-bit, ${stats.correctedCheck} check-bit)`,
    `uncorrectable: ${stats.uncorrectableEvents}`,
    ...stats.uncorrectable.slice(0, SHOWN_WORDS_MAX).map((r) => `  word ${r.word} at 0x${r.address.toString(16)}: syndrome 0x${r.syndrome.toString(16).padStart(2, '0')}`),
  ];
  if (stats.uncorrectableEvents > SHOWN_WORDS_MAX) lines.push(`  … and ${stats.uncorrectableEvents - SHOWN_WORDS_MAX} more`);
  if (out !== undefined) lines.push(`wrote ${out}`);
  return `${lines.join('\n')}\n`;
}

function listWords(stats: ScrubStatistics): string {
  const words = stats.uncorrectable.slice(0, SHOWN_WORDS_MAX).map((r) => r.word).join(', ');
  return stats.uncorrectableEvents > SHOWN_WORDS_MAX ? `${words}, …` : words;
}

// ---- files ------------------------------------------------------------------------------------

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing --${flag}`);
  return value;
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error: unknown) {
    throw new UsageError(`cannot read '${path}': ${systemMessage(error)}`);
  }
}

async function loadImage(path: string): Promise<MemoryImage> {
  const decoded = decodeEccContainer(await readInput(path));
  if (!decoded.ok) throw new UsageError(`${path}: ${describeEccContainerError(decoded.error)}`);
  return imageFromContainer(decoded.value);
}

function writeOutput(path: string, data: Uint8Array): void {
  try {
    writeFileAtomic(path, data);
  } catch (error: unknown) {
    throw new UsageError(`cannot write '${path}': ${systemMessage(error)}`);
  }
}

function systemMessage(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}
