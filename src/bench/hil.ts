/**
 * HIL bridge latency (issue 5 item 8): a mixed rig — channel A the host-built board firmware on
 * its own pseudo-terminal, B and C emulated — flies at 250 Hz paced in real time; the figures
 * are the sensor-to-voted-command latency (sensor frames handed to the board → vote done, on
 * the monotonic clock) p50 / p99 / max, the board's round trip, timeouts and dropped cycles.
 * Target: p99 ≤ 2 ms. Needs `make -C firmware-bridge host`; the suite says so when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFaultProfile } from '../core/fault/profile.js';
import { LocalRig } from '../console/local-rig.js';
import { startRig } from '../hil/bridge.js';
import { decodeRig } from '../sim/rig.js';
import type { BenchSuite } from './harness.js';

const ROOT = new URL('../../', import.meta.url);
const BOARD = fileURLToPath(new URL('firmware-bridge/build/host/triplex-board', ROOT));
const RATE_HZ = 250;

function startBoard(): Promise<{ child: ChildProcess; path: string }> {
  const child = spawn(BOARD, ['--channel', 'A', '--period-us', String(1e6 / RATE_HZ)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      const match = /PTY (\/dev\/\S+)/.exec(text);
      if (match?.[1] !== undefined) resolve({ child, path: match[1] });
    });
    child.on('exit', (code) => { reject(new Error(`board exited (${code ?? '?'}) before printing its pty`)); });
  });
}

async function fly(mode: 'realtime' | 'lockstep', seconds: number): Promise<Record<string, number | string>> {
  const { child, path } = await startBoard();
  try {
    const base = JSON.parse(readFileSync(new URL('hil/rigs/mixed-pty.json', ROOT), 'utf8')) as { channels: unknown[] };
    base.channels[0] = { name: 'A', kind: 'serial', path };
    const rig = decodeRig(JSON.stringify(base));
    const profile = parseFaultProfile('{"version":1,"name":"none"}');
    if (!rig.ok || !profile.ok) throw new Error('bench rig does not decode');
    const started = await startRig({ rig: rig.value, seed: 1, rateHz: RATE_HZ, durationS: seconds, profile: profile.value });
    if (!started.ok) throw new Error(started.error);
    const running = started.value;
    if (mode === 'lockstep') {
      const control = new LocalRig(running);
      while (!running.flight.done) await control.apply({ kind: 'step', cycles: 50 });
    } else {
      running.runner.resumePacing();
      while (!running.flight.done) await new Promise((resolve) => setTimeout(resolve, 50));
      running.runner.pausePacing();
      await running.runner.idle();
    }
    const latency = running.latency?.summary();
    const board = running.boards.get(0)?.statistics();
    const isolations = running.flight.result().isolations.length;
    await running.close();
    return {
      cycles: latency?.samples ?? 0, p50Micros: latency?.p50Micros ?? 0, p99Micros: latency?.p99Micros ?? 0, maxMicros: latency?.maxMicros ?? 0,
      boardRoundTripP50Micros: board?.latencyP50Micros ?? 0, boardRoundTripP99Micros: board?.latencyP99Micros ?? 0,
      timeouts: board?.timeouts ?? 0, droppedCycles: running.runner.overruns, isolations, targetP99Micros: 2000,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

export const suite: BenchSuite = {
  name: 'hil',
  async run(report, options) {
    if (!existsSync(BOARD)) {
      report({ name: 'hil-mixed-250hz', impl: 'skipped: run make -C firmware-bridge host' });
      return;
    }
    const seconds = Math.max(2, Math.round(20 * options.scale));
    report({ name: 'hil-mixed-250hz', impl: 'pty realtime', durationS: seconds, ...(await fly('realtime', seconds)) });
    report({ name: 'hil-mixed-250hz', impl: 'pty lockstep', durationS: seconds, ...(await fly('lockstep', seconds)) });
  },
};
