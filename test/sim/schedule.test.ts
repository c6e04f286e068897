// One source of truth for the frame schedule: the flight refuses a rig whose schedule is not the one it sends, and bus-load says so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_FAULTS } from '../../src/core/fault/profile.js';
import { createFlight } from '../../src/sim/flight.js';
import { decodeRig, type Rig } from '../../src/sim/rig.js';
import { flightSchedule, scheduleMismatches } from '../../src/sim/schedule.js';
import { flightTiming } from '../../src/sim/timing.js';

const rigText = (name: string): string => readFileSync(`hil/rigs/${name}`, 'utf8');
function rig(text: string): Rig {
  const r = decodeRig(text);
  if (!r.ok) throw new Error('rig does not decode');
  return r.value;
}

describe('the flight schedule and the rig files', () => {
  it.each(['emulated.json', 'emulated-1khz.json', 'mixed-pty.json'])('%s lists every frame as the flight sends it', (name) => {
    const r = rig(rigText(name));
    const medium = r.frames.every((f) => f.fd) ? 'can-fd' : 'can';
    const sent = flightSchedule(flightTiming(r.rateHz, 1, medium, 3), medium, 3, 3);
    expect(sent).toHaveLength(15);
    expect(scheduleMismatches(r, sent)).toEqual([]);
  });

  it('must fail: a rig that says status frames go every 40 ms is refused by the flight and by bus-load', () => {
    const edited = JSON.parse(rigText('emulated.json')) as { frames: { name: string; periodMicros: number }[] };
    for (const f of edited.frames) if (f.name.startsWith('status-')) f.periodMicros = 40_000;
    const text = JSON.stringify(edited);
    const created = createFlight({ seed: 1, durationS: 1, rateHz: 250, profile: NO_FAULTS, rig: rig(text) });
    expect(created.ok).toBe(false);
    expect(created.ok ? '' : created.error).toMatch(/status-A \(0x201\) is sent every 20000 µs, the rig says 40000 µs/);
    const file = join(mkdtempSync(join(tmpdir(), 'triplex-schedule-')), 'slow-status.json');
    writeFileSync(file, text);
    const busLoad = spawnSync(process.execPath, ['dist/cli/main.js', 'bus-load', '--rig', file], { encoding: 'utf8' });
    expect(busLoad.status).toBe(1);
    expect(busLoad.stdout).toMatch(/flight schedule: DIFFERS/);
    expect(busLoad.stdout).toMatch(/result: ok/);
  });

  it('must fail: a frame the flight sends but the rig does not list', () => {
    const edited = JSON.parse(rigText('emulated.json')) as { frames: { name: string }[] };
    edited.frames = edited.frames.filter((f) => f.name !== 'imu2-accel');
    const problems = scheduleMismatches(rig(JSON.stringify(edited)), flightSchedule(flightTiming(250, 1, 'can', 3), 'can', 3, 3));
    expect(problems).toEqual(['imu2-accel (0x132) is sent every 4000 µs but not in the rig\'s frames']);
  });
});
