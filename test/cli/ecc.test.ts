// Spawns the built CLI (test/global-setup.ts builds dist/) and checks the `triplex ecc` contract.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Prng } from '../../src/core/sim/prng.js';
import { getCrc } from '../../src/core/integrity/crc-catalogue.js';
import { testSeed } from '../support/seed.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'triplex-ecc-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

interface Run { status: number | null; stdout: string; stderr: string }

function ecc(...args: string[]): Run {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'ecc', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const path = (name: string): string => join(dir, name);

function rawFile(name: string, length: number, seed: number): Uint8Array {
  const prng = new Prng(seed);
  const data = Uint8Array.from({ length }, () => prng.nextU32() & 0xff);
  writeFileSync(path(name), data);
  return data;
}

function encoded(name: string, code: string, length: number, interleave = 1): Uint8Array {
  const data = rawFile(`${name}.raw`, length, testSeed(`ecc cli ${name}`));
  const run = ecc('encode', '--code', code, '--interleave', String(interleave), '--in', path(`${name}.raw`), '--out', path(`${name}.img`));
  expect(run.status).toBe(0);
  return data;
}

function scrubJson(image: string): { status: number | null; json: { wordsScanned: number; corrected: number; uncorrectable: { word: number; syndrome: number }[] } } {
  const run = ecc('scrub', '--in', path(image), '--json');
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return { status: run.status, json: JSON.parse(run.stdout) as never };
}

function expectUsageError(run: Run, pattern: RegExp): void {
  expect(run.status, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^triplex ecc: /);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\s+at\s/);
}

describe.each(['secded-39-32', 'secded-72-64'])('triplex ecc with %s', (code) => {
  it('encodes, and decodes back to the same bytes', () => {
    const data = encoded(`rt-${code}`, code, 1001, 4);
    const run = ecc('decode', '--in', path(`rt-${code}.img`), '--out', path(`rt-${code}.out`));
    expect(run.status).toBe(0);
    expect(new Uint8Array(readFileSync(path(`rt-${code}.out`)))).toEqual(data);
  });

  it('corrects injected single flips (--at, data and check bits) on scrub and decode', () => {
    const data = encoded(`at-${code}`, code, 64);
    const n = code === 'secded-39-32' ? 39 : 72;
    const inject = ecc('inject', '--in', path(`at-${code}.img`), '--out', path(`at-${code}.bad`), '--at', '0:0', '--at', `3:${n - 1}`, '--at', '5:17');
    expect(inject.status).toBe(0);
    const { status, json } = scrubJson(`at-${code}.bad`);
    expect(status).toBe(0);
    expect(json).toMatchObject({ wordsScanned: code === 'secded-39-32' ? 16 : 8, corrected: 3, uncorrectable: [] });
    const text = ecc('scrub', '--in', path(`at-${code}.bad`), '--out', path(`at-${code}.fixed`));
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/corrected: 3 \(2 data-bit, 1 check-bit\)/);
    expect(scrubJson(`at-${code}.fixed`).json.corrected).toBe(0);
    expect(ecc('decode', '--in', path(`at-${code}.bad`), '--out', path(`at-${code}.out`)).status).toBe(0);
    expect(new Uint8Array(readFileSync(path(`at-${code}.out`)))).toEqual(data);
  });

  it('reports a double flip as uncorrectable: scrub exits 1 with the word, decode exits 1 and writes nothing', () => {
    encoded(`dbl-${code}`, code, 64);
    expect(ecc('inject', '--in', path(`dbl-${code}.img`), '--out', path(`dbl-${code}.bad`), '--at', '2:1', '--at', '2:30').status).toBe(0);
    const { status, json } = scrubJson(`dbl-${code}.bad`);
    expect(status).toBe(1);
    expect(json.uncorrectable.map((u) => u.word)).toEqual([2]);
    const decode = ecc('decode', '--in', path(`dbl-${code}.bad`), '--out', path(`dbl-${code}.out`));
    expect(decode.status).toBe(1);
    expect(decode.stderr).toMatch(/uncorrectable word\(s\): 2\b/);
    expect(existsSync(path(`dbl-${code}.out`))).toBe(false);
  });

  it('--mbu K with --interleave K: every adjacent burst is corrected; is reproducible from the seed', () => {
    const data = encoded(`mbu-${code}`, code, 4096, 8);
    const args = ['inject', '--in', path(`mbu-${code}.img`), '--flips', '5', '--seed', '42', '--mbu', '8'];
    expect(ecc(...args, '--out', path(`mbu-${code}.a`)).status).toBe(0);
    expect(ecc(...args, '--out', path(`mbu-${code}.b`)).status).toBe(0);
    expect(readFileSync(path(`mbu-${code}.a`))).toEqual(readFileSync(path(`mbu-${code}.b`)));
    const { status, json } = scrubJson(`mbu-${code}.a`);
    expect(status).toBe(0);
    expect(json.corrected).toBeGreaterThan(0);
    expect(ecc('decode', '--in', path(`mbu-${code}.a`), '--out', path(`mbu-${code}.out`)).status).toBe(0);
    expect(new Uint8Array(readFileSync(path(`mbu-${code}.out`)))).toEqual(data);
  });
});

describe('triplex ecc: bad input exits 2 with one line and no output file', () => {
  encoded('good', 'secded-72-64', 100);
  const good = new Uint8Array(readFileSync(path('good.img')));

  function variant(name: string, edit: (bytes: Uint8Array) => Uint8Array): string {
    writeFileSync(path(name), edit(good.slice()));
    return path(name);
  }
  const fixHeaderCrc = (b: Uint8Array): Uint8Array => {
    new DataView(b.buffer).setUint32(16, getCrc('CRC-32/ISO-HDLC').compute(b, 0, 16), true);
    return b;
  };
  const badCrc = variant('badcrc.img', (b) => { b[8] = 99; return b; });
  const badMagic = variant('badmagic.img', (b) => { b[0] = 0x58; return b; });
  const badVersion = variant('badversion.img', (b) => { b[4] = 7; return fixHeaderCrc(b); });
  const truncated = variant('truncated.img', (b) => b.subarray(0, b.length - 3));
  const shortHeader = variant('short.img', (b) => b.subarray(0, 10));

  const cases: readonly (readonly [string, readonly string[], RegExp])[] = [
    ['unknown code', ['encode', '--code', 'secded-40-32', '--in', path('good.raw'), '--out', path('o1')], /unknown code 'secded-40-32'/],
    ['missing --code', ['encode', '--in', path('good.raw'), '--out', path('o1')], /missing --code/],
    ['missing input file', ['encode', '--code', 'secded-72-64', '--in', path('nope.raw'), '--out', path('o1')], /cannot read .*nope\.raw.*ENOENT/],
    ['bad --interleave', ['encode', '--code', 'secded-72-64', '--interleave', '0', '--in', path('good.raw'), '--out', path('o1')], /--interleave/],
    ['non-numeric --interleave', ['encode', '--code', 'secded-72-64', '--interleave', 'x', '--in', path('good.raw'), '--out', path('o1')], /--interleave/],
    ['bad header CRC', ['scrub', '--in', badCrc, '--out', path('o1')], /bad header CRC/],
    ['bad magic', ['decode', '--in', badMagic, '--out', path('o1')], /bad magic/],
    ['bad version', ['scrub', '--in', badVersion, '--json'], /unsupported image version 7/],
    ['truncated image', ['decode', '--in', truncated, '--out', path('o1')], /truncated image/],
    ['truncated header', ['scrub', '--in', shortHeader], /truncated image/],
    ['missing image', ['scrub', '--in', path('missing.img')], /cannot read .*missing\.img/],
    ['WORD out of range', ['inject', '--in', path('good.img'), '--out', path('o1'), '--at', '13:0'], /word 13 out of range/],
    ['BIT out of range', ['inject', '--in', path('good.img'), '--out', path('o1'), '--at', '0:72'], /bit 72 out of range 0\.\.71/],
    ['malformed --at', ['inject', '--in', path('good.img'), '--out', path('o1'), '--at', '3-4'], /bad --at '3-4'/],
    ['bad --flips', ['inject', '--in', path('good.img'), '--out', path('o1'), '--flips', '-1', '--seed', '1'], /--flips/],
    ['bad --seed', ['inject', '--in', path('good.img'), '--out', path('o1'), '--flips', '1', '--seed', 'abc'], /--seed/],
    ['--flips without --seed', ['inject', '--in', path('good.img'), '--out', path('o1'), '--flips', '1'], /missing --seed/],
    ['--at with --flips', ['inject', '--in', path('good.img'), '--out', path('o1'), '--flips', '1', '--seed', '1', '--at', '0:0'], /not both/],
    ['bad --mbu', ['inject', '--in', path('good.img'), '--out', path('o1'), '--flips', '1', '--seed', '1', '--mbu', '0'], /--mbu/],
    ['unknown flag', ['scrub', '--in', path('good.img'), '--bogus'], /bogus/],
    ['unknown subcommand', ['verify'], /unknown subcommand 'verify'/],
    ['missing subcommand', [], /missing subcommand/],
    ['unwritable output', ['encode', '--code', 'secded-72-64', '--in', path('good.raw'), '--out', path('no/such/dir/o1')], /cannot write/],
  ];

  it.each(cases)('%s', (_label, args, pattern) => {
    const before = readdirSync(dir).sort();
    expectUsageError(ecc(...args), pattern);
    expect(readdirSync(dir).sort()).toEqual(before); // no output and no leftover temporary file
  });
});

describe('triplex ecc: help', () => {
  it('prints usage with exit 0 for --help', () => {
    const run = ecc('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/triplex ecc encode --code secded-39-32\|secded-72-64/);
  });
});
