/**
 * `triplex crc`: CRCs of hex strings and files with catalogue or custom parameters.
 * Contract (docs/CRC.md): prints `0x` + lowercase hex zero-padded to ceil(width/4) digits and a
 * newline; bad input exits 2 with one line naming the problem. Files are streamed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';
import { parse } from '../args.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { CRC_CATALOGUE, findCrcModel, suggestCrcName } from '../../core/integrity/crc-catalogue.js';
import { createCrc, crcModelFromParams, type Crc, type CrcAccelerator, type CrcModel, type CrcModelError } from '../../core/integrity/crc.js';

const OPTIONS = {
  algo: { type: 'string' },
  hex: { type: 'string' },
  file: { type: 'string' },
  list: { type: 'boolean' },
  width: { type: 'string' },
  poly: { type: 'string' },
  init: { type: 'string' },
  refin: { type: 'string' },
  refout: { type: 'string' },
  xorout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const CUSTOM_FLAGS = ['width', 'poly', 'init', 'refin', 'refout', 'xorout'] as const;

/** Read size for --file; one buffer is allocated per run and reused for every chunk. */
const FILE_CHUNK_BYTES = 1 << 20;
/** Cap on --hex so a runaway argument cannot allocate without bound (the OS caps argv lower anyway). */
const HEX_CHARS_MAX = 1 << 24;

const USAGE = [
  'usage: triplex crc --algo NAME (--hex HEX | --file PATH)',
  '       triplex crc --width N --poly 0xHEX [--init 0xHEX] [--refin true|false] [--refout true|false] [--xorout 0xHEX] (--hex HEX | --file PATH)',
  '       triplex crc --list',
  '',
  'Prints 0x and the CRC in lowercase hex, zero-padded to ceil(width/4) digits.',
  'NAME is a CRC RevEng catalogue name or alias, case-insensitive (see --list).',
  'Custom defaults: --init 0x0, --refin false, --refout as --refin, --xorout 0x0.',
].join('\n');

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, OPTIONS);
  if (values.help === true) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (values.list === true) {
    if (values.algo !== undefined || values.hex !== undefined || values.file !== undefined || CUSTOM_FLAGS.some((f) => values[f] !== undefined)) {
      throw new UsageError('--list takes no other options');
    }
    io.out(formatList());
    return 0;
  }
  const engine = engineFor(values);
  const value = await crcOfInput(engine, values);
  io.out(`${formatCrc(value, engine.model.width)}\n`);
  return 0;
}

/** `0x` + lowercase hex zero-padded to ceil(width/4) digits. */
export function formatCrc(value: bigint, width: number): string {
  return `0x${value.toString(16).padStart(Math.ceil(width / 4), '0')}`;
}

function engineFor(values: Values): Crc {
  const custom = CUSTOM_FLAGS.filter((f) => values[f] !== undefined);
  if (values.algo !== undefined && custom.length > 0) {
    throw new UsageError(`--algo cannot be combined with custom parameters (--${custom.join(', --')})`);
  }
  if (values.algo !== undefined) return catalogueEngine(values.algo);
  if (custom.length === 0) throw new UsageError('give --algo NAME or custom parameters (--width N --poly 0xHEX ...); see --list');
  return createCrc(customModel(values));
}

function catalogueEngine(name: string): Crc {
  const model = findCrcModel(name);
  if (model === undefined) {
    const suggestion = suggestCrcName(name);
    const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
    throw new UsageError(`unknown CRC algorithm '${name}'${hint}; see 'triplex crc --list'`);
  }
  return createCrc(model, acceleratorOptions(model));
}

/**
 * node:zlib's crc32 (Node ≥ 20.15) computes CRC-32/ISO-HDLC natively; core stays pure, so it is
 * injected from here. Same contract as CrcAccelerator: (data, crc of prefix) → crc.
 */
function acceleratorOptions(model: CrcModel): { accelerator?: CrcAccelerator } {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (model.name !== 'CRC-32/ISO-HDLC' || typeof native !== 'function') return {};
  return { accelerator: (data, crc) => native(data, crc) };
}

function customModel(values: Values): CrcModel {
  if (values.width === undefined) throw new UsageError('custom parameters need --width (1 to 64)');
  if (values.poly === undefined) throw new UsageError('custom parameters need --poly (hex like 0x1021)');
  if (!/^\d{1,2}$/.test(values.width)) throw new UsageError(`--width must be an integer from 1 to 64, got '${values.width}'`);
  const width = Number(values.width);
  const refin = parseBoolean('refin', values.refin ?? 'false');
  const result = crcModelFromParams({
    width,
    poly: parseHexParam('poly', values.poly),
    init: parseHexParam('init', values.init ?? '0x0'),
    refin,
    refout: parseBoolean('refout', values.refout ?? String(refin)),
    xorout: parseHexParam('xorout', values.xorout ?? '0x0'),
  });
  if (!result.ok) throw new UsageError(describeModelError(result.error));
  return result.value;
}

function parseHexParam(flag: string, text: string): bigint {
  if (!/^0x[0-9a-f]{1,16}$/i.test(text)) throw new UsageError(`--${flag} must be hex like 0x1021 (at most 16 digits), got '${text}'`);
  return BigInt(text);
}

function parseBoolean(flag: string, text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new UsageError(`--${flag} must be true or false, got '${text}'`);
}

function describeModelError(error: CrcModelError): string {
  switch (error.code) {
    case 'bad_name': return 'the CRC needs a name';
    case 'bad_width': return `--width must be an integer from 1 to 64, got ${error.width}`;
    case 'bad_poly': return `--poly 0x${error.poly.toString(16)} must be nonzero and fit in ${error.width} bits`;
    case 'bad_init': return `--init 0x${error.init.toString(16)} does not fit in ${error.width} bits`;
    case 'bad_xorout': return `--xorout 0x${error.xorout.toString(16)} does not fit in ${error.width} bits`;
    case 'bad_residue': return `residue 0x${error.residue.toString(16)} does not fit in ${error.width} bits`;
    case 'check_mismatch': return `check value mismatch: expected 0x${error.expected.toString(16)}, computed 0x${error.actual.toString(16)}`;
  }
}

async function crcOfInput(engine: Crc, values: Values): Promise<bigint> {
  if ((values.hex === undefined) === (values.file === undefined)) throw new UsageError('give exactly one of --hex HEX or --file PATH');
  if (values.hex !== undefined) return engine.computeBig(parseHex(values.hex));
  return crcOfFile(engine, values.file ?? '');
}

/** Parses an even-length hex string ('' is the empty message); names the first bad character. */
export function parseHex(text: string): Uint8Array {
  if (text.length > HEX_CHARS_MAX) throw new UsageError(`--hex is longer than ${HEX_CHARS_MAX} characters; use --file`);
  const bad = /[^0-9a-f]/i.exec(text);
  if (bad !== null) throw new UsageError(`--hex has a non-hex character '${bad[0]}' at position ${bad.index}`);
  if (text.length % 2 !== 0) throw new UsageError(`--hex must have an even number of digits, got ${text.length}`);
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

async function crcOfFile(engine: Crc, path: string): Promise<bigint> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error: unknown) {
    throw new UsageError(`cannot open --file '${path}': ${describeFsError(error)}`);
  }
  try {
    const stream = engine.begin();
    const chunk = new Uint8Array(FILE_CHUNK_BYTES);
    for (;;) {
      const bytesRead = await readChunk(handle, chunk, path);
      if (bytesRead === 0) break;
      stream.update(chunk, 0, bytesRead);
    }
    return stream.digestBig();
  } finally {
    await handle.close();
  }
}

async function readChunk(handle: FileHandle, chunk: Uint8Array, path: string): Promise<number> {
  try {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    return bytesRead;
  } catch (error: unknown) {
    throw new UsageError(`cannot read --file '${path}': ${describeFsError(error)}`);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': return 'permission denied';
    default: return typeof code === 'string' ? code : String(error);
  }
}

function formatList(): string {
  const header = ['name', 'width', 'poly', 'init', 'refin', 'refout', 'xorout', 'check', 'residue', 'aliases'];
  const rows = CRC_CATALOGUE.map((m) => [
    m.name, String(m.width), formatCrc(m.poly, m.width), formatCrc(m.init, m.width), String(m.refin), String(m.refout),
    formatCrc(m.xorout, m.width), formatCrc(m.check, m.width), m.residue === undefined ? '-' : formatCrc(m.residue, m.width),
    (m.aliases ?? []).join(',') || '-',
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
