// Renders `triplex report` output in headless Chromium (Debian's, never a downloaded one) and checks every figure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_FIGURES } from '../../src/io/report-html.js';

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
