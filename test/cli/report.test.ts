// Renders `triplex report` output in headless Chromium (Debian's, never a downloaded one) and checks every figure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_FIGURES } from '../../src/io/report-html.js';
import { configHash, encodeResultsLine, type ResultsHeader } from '../../src/io/results.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'triplex-report-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
const CHROMIUM = '/usr/bin/chromium';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('triplex report', () => {
  const results = join(dir, 'c.jsonl');
  const html = join(dir, 'report.html');

  it('writes one self-contained HTML file', () => {
    expect(cli('campaign', '--model', 'synthetic', '--injections', '1200', '--duration-s', '5', '--seed', '3', '--out', results).status).toBe(0);
    const r = cli('report', results, '--out', html);
    expect(r.status).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    for (const figure of REPORT_FIGURES) expect(text).toContain(`data-figure="${figure}"`);
  });

  it('refuses a missing file or flag with exit 2 and writes nothing', () => {
    const out = join(dir, 'none.html');
    expect(cli('report', join(dir, 'missing.jsonl'), '--out', out).status).toBe(2);
    expect(cli('report', results).status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  // Chromium is installed by test/setup.sh (npm run verify); a missing browser fails here, never skips.
  it('renders every figure in headless Chromium (screenshot in test-artifacts/)', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'triplex-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1000, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()); });
      await page.goto(`file://${html}`);
      for (const figure of REPORT_FIGURES) {
        const box = await page.locator(`figure[data-figure="${figure}"] svg`).boundingBox();
        expect(box?.width ?? 0, figure).toBeGreaterThan(300);
        expect(box?.height ?? 0, figure).toBeGreaterThan(40);
      }
      expect(await page.locator('figure[data-figure="traces"] polyline').count()).toBe(4);
      expect(await page.locator('figure[data-figure="latency"] rect').count()).toBeGreaterThan(5);
      expect(await page.locator('table.stats tr').count()).toBeGreaterThan(6);
      expect(requests).toEqual([]);
      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-artifacts/campaign-report.png'), fullPage: true });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

describe('triplex report: a results file it cannot trust', () => {
  const results = join(dir, 'small.jsonl');
  const html = join(dir, 'small.html');
  type Config = Record<string, unknown> & { readonly shape: Record<string, unknown> };

  /** `results` with its header's config replaced and its hash and CRC made to match: only the config is wrong. */
  function withConfig(name: string, edit: (config: Config) => Record<string, unknown>): string {
    const [head = '', ...rest] = readFileSync(results, 'utf8').split('\n');
    const header = JSON.parse(head) as ResultsHeader & { crc?: string };
    delete header.crc;
    const config = edit(header.config as Config);
    const path = join(dir, `nonsense-${name}.jsonl`);
    writeFileSync(path, [encodeResultsLine({ ...header, config, configHash: configHash(config) }), ...rest].join('\n'));
    return path;
  }

  const CASES: readonly (readonly [string, (c: Config) => Record<string, unknown>])[] = [
    ['sizing-string', (c) => ({ ...c, sizing: 'banana' })],
    ['sizing-mode', (c) => ({ ...c, sizing: { mode: 'magic' } })],
    ['sizing-margin', (c) => ({ ...c, sizing: { mode: 'leveugle', margin: 5, confidence: 0.95 } })],
    ['sizing-injections', (c) => ({ ...c, sizing: { mode: 'fixed', injections: 'many' } })],
    ['shape-empty', (c) => ({ ...c, shape: {} })],
    ['shape-null', (c) => ({ ...c, shape: null })],
    ['shape-channels', (c) => ({ ...c, shape: { ...c.shape, channels: ['Q'] } })],
    ['shape-channels-twice', (c) => ({ ...c, shape: { ...c.shape, channels: ['A', 'A'] } })],
    ['shape-words', (c) => ({ ...c, shape: { ...c.shape, memoryWords: -3 } })],
    ['shape-registers', (c) => ({ ...c, shape: { ...c.shape, registerNames: [] } })],
    ['shape-register-bits', (c) => ({ ...c, shape: { ...c.shape, registerBits: 1e9 } })],
    ['shape-bus', (c) => ({ ...c, shape: { ...c.shape, busIds: ['x'] } })],
    ['shape-sensors', (c) => ({ ...c, shape: { ...c.shape, sensors: null } })],
    ['shape-other-model', (c) => ({ ...c, shape: { ...c.shape, memoryWords: 5 } })],
    ['counts-string', (c) => ({ ...c, counts: 'all' })],
    ['counts-huge', (c) => ({ ...c, counts: [{ target: 'memory', injections: 1e12 }] })],
    ['counts-fewer-than-rows', (c) => ({ ...c, counts: [{ target: 'memory', injections: 1 }] })],
    ['counts-target', (c) => ({ ...c, counts: [{ target: 'warp-core', injections: 3 }] })],
    ['profile-events', (c) => ({ ...c, profile: { events: 'x' } })],
    ['profile-number', (c) => ({ ...c, profile: 42 })],
    ['duration', (c) => ({ ...c, durationS: 'ten' })],
    ['rate', (c) => ({ ...c, rateHz: -250 })],
    ['model', (c) => ({ ...c, model: 'warp' })],
    ['twin-seeds', (c) => ({ ...c, twinSeeds: -1 })],
    ['fault-class', (c) => ({ ...c, faultClass: 'triple' })],
    ['lanes', (c) => ({ ...c, voterLanes: 7 })],
  ];

  it('a valid campaign reports (the baseline the nonsense is made from)', () => {
    expect(cli('campaign', '--model', 'synthetic', '--injections', '40', '--duration-s', '2', '--seed', '5', '--out', results).status).toBe(0);
    const r = cli('report', results, '--out', html);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.each(CASES)('a header with nonsense config (%s) exits 2 with one line naming line 1, no stack trace', (name, edit) => {
    const path = withConfig(name, edit);
    const out = join(dir, `nonsense-${name}.html`);
    const r = cli('report', path, '--out', out);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(`triplex report: ${path}:1: `), r.stderr).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it.each(CASES)('`triplex run --replay` of a header with nonsense config (%s) exits 2 with one line, no stack trace', (name, edit) => {
    const path = withConfig(name, edit);
    const r = cli('run', '--replay', `${path}:0`);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${path}:1: `);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a fault space that is not this model\'s cannot be replayed, but reports with --worst 0', () => {
    const path = withConfig('shape-other-model', (c) => ({ ...c, shape: { ...c.shape, memoryWords: 5 } }));
    expect(cli('report', path, '--out', join(dir, 'other.html')).stderr).toContain('--worst 0 reports without them');
    expect(cli('report', path, '--out', join(dir, 'other.html'), '--worst', '0').status).toBe(0);
  });

  it('reads a version-1 file (no line CRCs) without a word; refuses a line that fails its CRC', () => {
    const lines = readFileSync(results, 'utf8').split('\n');
    const v1 = join(dir, 'v1.jsonl');
    writeFileSync(v1, lines.map((l) => {
      if (l === '') return l;
      const value = JSON.parse(l) as Record<string, unknown>;
      delete value.crc;
      if (value.type === 'header') value.version = 1;
      return JSON.stringify(value);
    }).join('\n'));
    const r = cli('report', v1, '--out', join(dir, 'v1.html'));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const flipped = join(dir, 'flipped.jsonl');
    writeFileSync(flipped, lines.map((l, i) => (i === 6 ? l.replace('"row":', '"row" :') : l)).join('\n'));
    const bad = cli('report', flipped, '--out', join(dir, 'flipped.html'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${flipped}:7: crc mismatch`);
  });
});
