// Spawns the built CLI (test/global-setup.ts builds dist/) and checks the `triplex crc` contract.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CRC_CATALOGUE, getCrc } from '../../src/core/integrity/crc-catalogue.js';
import { createCrc, crcModelFromParams } from '../../src/core/integrity/crc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHECK_HEX = '313233343536373839';
const dir = mkdtempSync(join(tmpdir(), 'triplex-crc-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function crc(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'crc', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function hexOf(value: bigint, width: number): string {
  return `0x${value.toString(16).padStart(Math.ceil(width / 4), '0')}\n`;
}

describe('triplex crc: output', () => {
  it.each(CRC_CATALOGUE.map((m) => [m.name, m] as const))('prints the check value of %s, zero-padded', (name, m) => {
    const result = crc('--algo', name, '--hex', CHECK_HEX);
    expect(result).toEqual({ status: 0, stdout: hexOf(m.check, m.width), stderr: '' });
  });

  it('pads to ceil(width/4) digits', () => {
    expect(crc('--algo', 'CRC-15/CAN', '--hex', CHECK_HEX).stdout).toBe('0x059e\n');
    expect(crc('--algo', 'CRC-32/MPEG-2', '--hex', CHECK_HEX).stdout).toBe('0x0376e6e7\n');
    expect(crc('--algo', 'CRC-8/SMBUS', '--hex', '').stdout).toBe('0x00\n');
  });

  it('accepts aliases and any letter case, and upper- or lower-case hex input', () => {
    expect(crc('--algo', 'crc-16/ccitt-false', '--hex', CHECK_HEX).stdout).toBe('0x29b1\n');
    expect(crc('--algo', 'CRC-32', '--hex', CHECK_HEX).stdout).toBe('0xcbf43926\n');
    expect(crc('--algo', 'Crc-32c', '--hex', CHECK_HEX).stdout).toBe('0xe3069283\n');
    expect(crc('--algo', 'crc-32', '--hex', 'DEADbeef').stdout).toBe(hexOf(BigInt(getCrc('CRC-32').compute(Uint8Array.of(0xde, 0xad, 0xbe, 0xef))), 32));
  });

  it("takes --hex '' as the empty message", () => {
    expect(crc('--algo', 'CRC-32', '--hex', '')).toEqual({ status: 0, stdout: '0x00000000\n', stderr: '' });
    expect(crc('--algo', 'CRC-16/IBM-3740', '--hex', '').stdout).toBe('0xffff\n');
    expect(crc('--algo', 'CRC-64/XZ', '--hex', '').stdout).toBe('0x0000000000000000\n');
  });

  it('streams files larger than its read chunk, with the same result as in memory', () => {
    const data = Uint8Array.from({ length: 2.5 * 1024 * 1024 + 3 }, (_, i) => (i * 2654435761) >>> 24);
    const path = join(dir, 'image.bin');
    writeFileSync(path, data);
    for (const name of ['CRC-32/ISO-HDLC', 'CRC-32/ISCSI', 'CRC-16/XMODEM', 'CRC-64/ECMA-182']) {
      const engine = getCrc(name);
      expect(crc('--algo', name, '--file', path)).toEqual({ status: 0, stdout: hexOf(engine.computeBig(data), engine.model.width), stderr: '' });
    }
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, new Uint8Array(0));
    expect(crc('--algo', 'CRC-32', '--file', empty).stdout).toBe('0x00000000\n');
  });

  it('lists the catalogue with parameters and check values', () => {
    const result = crc('--list');
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(CRC_CATALOGUE.length + 1);
    for (const m of CRC_CATALOGUE) {
      const line = lines.find((l) => l.startsWith(`${m.name} `)) ?? '';
      expect(line).toContain(hexOf(m.poly, m.width).trim());
      expect(line).toContain(hexOf(m.check, m.width).trim());
      for (const alias of m.aliases ?? []) expect(line).toContain(alias);
    }
  });

  it('computes custom parameter sets (defaults: init 0, refout = refin, xorout 0)', () => {
    expect(crc('--width', '16', '--poly', '0x1021', '--init', '0xffff', '--hex', CHECK_HEX).stdout).toBe('0x29b1\n');
    expect(crc('--width', '32', '--poly', '0x04C11DB7', '--init', '0xffffffff', '--refin', 'true', '--refout', 'true', '--xorout', '0xffffffff', '--hex', CHECK_HEX).stdout)
      .toBe('0xcbf43926\n');
    expect(crc('--width', '16', '--poly', '0x8005', '--refin', 'true', '--hex', CHECK_HEX).stdout).toBe('0xbb3d\n');
    const odd = crcModelFromParams({ width: 5, poly: 0x15n, init: 0x1fn, refin: false, refout: true, xorout: 0x3n });
    if (!odd.ok) throw new Error('bad test model');
    const expected = createCrc(odd.value).computeBig(Uint8Array.of(0xca, 0xfe));
    expect(crc('--width', '5', '--poly', '0x15', '--init', '0x1f', '--refout', 'true', '--xorout', '0x3', '--hex', 'cafe').stdout).toBe(hexOf(expected, 5));
  });

  it('prints usage for --help', () => {
    const result = crc('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: triplex crc/);
  });
});

describe('triplex crc: bad input exits 2 with one line naming the problem', () => {
  const missing = join(dir, 'does-not-exist.bin');
  const cases: readonly (readonly [string, readonly string[], RegExp])[] = [
    ['unknown algorithm, with a suggestion', ['--algo', 'CRC-32/ISO-HDCL', '--hex', '00'], /unknown CRC algorithm 'CRC-32\/ISO-HDCL' \(did you mean CRC-32\/ISO-HDLC\?\)/],
    ['unknown algorithm, nothing close', ['--algo', 'sha256', '--hex', '00'], /unknown CRC algorithm 'sha256'/],
    ['odd-length hex', ['--algo', 'CRC-32', '--hex', 'abc'], /even number of digits/],
    ['non-hex character', ['--algo', 'CRC-32', '--hex', '12zz'], /non-hex character 'z' at position 2/],
    ['0x prefix in --hex', ['--algo', 'CRC-32', '--hex', '0x12'], /non-hex character 'x'/],
    ['missing file', ['--algo', 'CRC-32', '--file', missing], /cannot open --file .*no such file/],
    ['a directory as file', ['--algo', 'CRC-32', '--file', dir], /--file .*is a directory/],
    ['both --hex and --file', ['--algo', 'CRC-32', '--hex', '00', '--file', missing], /exactly one of --hex HEX or --file PATH/],
    ['neither --hex nor --file', ['--algo', 'CRC-32'], /exactly one of --hex HEX or --file PATH/],
    ['no algorithm', ['--hex', '00'], /give --algo NAME or custom parameters/],
    ['--algo with custom parameters', ['--algo', 'CRC-32', '--width', '8', '--hex', '00'], /--algo cannot be combined with custom parameters \(--width\)/],
    ['custom without --width', ['--poly', '0x07', '--hex', '00'], /need --width/],
    ['custom without --poly', ['--width', '8', '--hex', '00'], /need --poly/],
    ['width 0', ['--width', '0', '--poly', '0x1', '--hex', '00'], /--width must be an integer from 1 to 64, got 0/],
    ['width 65', ['--width', '65', '--poly', '0x1', '--hex', '00'], /--width must be an integer from 1 to 64, got 65/],
    ['width not a number', ['--width', 'eight', '--poly', '0x1', '--hex', '00'], /--width must be an integer from 1 to 64, got 'eight'/],
    ['poly too wide', ['--width', '8', '--poly', '0x107', '--hex', '00'], /--poly 0x107 must be nonzero and fit in 8 bits/],
    ['poly zero', ['--width', '8', '--poly', '0x0', '--hex', '00'], /--poly 0x0 must be nonzero/],
    ['poly not hex', ['--width', '8', '--poly', '7', '--hex', '00'], /--poly must be hex like 0x1021 .*got '7'/],
    ['init too wide', ['--width', '8', '--poly', '0x7', '--init', '0x100', '--hex', '00'], /--init 0x100 does not fit in 8 bits/],
    ['xorout too wide', ['--width', '4', '--poly', '0x3', '--xorout', '0x10', '--hex', '00'], /--xorout 0x10 does not fit in 4 bits/],
    ['refin not a boolean', ['--width', '8', '--poly', '0x7', '--refin', 'yes', '--hex', '00'], /--refin must be true or false, got 'yes'/],
    ['refout not a boolean', ['--width', '8', '--poly', '0x7', '--refout', '1', '--hex', '00'], /--refout must be true or false, got '1'/],
    ['--list with other options', ['--list', '--algo', 'CRC-32'], /--list takes no other options/],
    ['unknown option', ['--algo', 'CRC-32', '--hex', '00', '--bogus'], /bogus/],
    ['positional argument', ['CRC-32'], /CRC-32/],
  ];

  it.each(cases)('%s', (_label, args, message) => {
    const result = crc(...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.endsWith('\n')).toBe(true);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^triplex crc: /);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
