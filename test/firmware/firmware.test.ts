/**
 * The C side of the shared vectors and the cross build: `make -C firmware-bridge test` runs
 * test/runner.c on test/vectors.h; `make -C firmware-bridge cortex-m` must build for the
 * Cortex-M4F and report flash and RAM sizes that fit an STM32F4 (1 MiB / 128 KiB SRAM).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const firmware = fileURLToPath(new URL('../../firmware-bridge', import.meta.url));
const make = (target: string): { status: number | null; out: string } => {
  const run = spawnSync('make', ['-C', firmware, target], { encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
};

describe('firmware-bridge (C)', () => {
  it('make test: the C runner passes every shared vector', () => {
    const run = make('test');
    expect(run.out).toContain('all firmware checks passed');
    expect(run.status, run.out).toBe(0);
    expect(run.out).toMatch(/law: \d+ vectors/);
  }, 130_000);

  it('make cortex-m: cross-builds and reports flash and RAM that fit the target', () => {
    const run = make('cortex-m');
    expect(run.status, run.out).toBe(0);
    const sizes = /cortex-m: flash (\d+) bytes .* RAM (\d+) bytes/.exec(run.out);
    expect(sizes, run.out).not.toBeNull();
    const [flash, ram] = [Number(sizes?.[1]), Number(sizes?.[2])];
    expect(flash).toBeGreaterThan(1000);
    expect(flash).toBeLessThan(1 << 20);
    expect(ram).toBeLessThan(128 * 1024);
  }, 130_000);
});
