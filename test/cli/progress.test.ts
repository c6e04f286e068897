// The progress line of long jobs (src/cli/progress.ts): rate, ETA and the caller's note, drawn in
// place on a terminal and as plain lines every PLAIN_INTERVAL_MS otherwise.
import { describe, expect, it } from 'vitest';
import { formatDuration, PLAIN_INTERVAL_MS, Progress } from '../../src/cli/progress.js';

function rig(isTty: boolean, already = 0, note?: () => string): { progress: Progress; out: string[]; clock: { ms: number } } {
  const out: string[] = [];
  const clock = { ms: 0 };
  const progress = new Progress({ label: 'campaign', total: 1000, already, isTty, write: (t) => { out.push(t); }, nowMs: () => clock.ms, ...(note === undefined ? {} : { note }) });
  return { progress, out, clock };
}

describe('progress', () => {
  it('rate and ETA count only this run\'s items (a resumed campaign)', () => {
    const { progress } = rig(false, 400);
    for (let i = 0; i < 100; i++) progress.add();
    // 100 items in 10 s: 10/s, 500 left: 50 s.
    expect(progress.status(10_000)).toBe('campaign 500/1000 50.0% 10.0/s ETA 0:50');
  });

  it('the note follows the ETA, and is left out while empty', () => {
    let share = '';
    const { progress } = rig(false, 0, () => share);
    progress.add(10);
    expect(progress.status(1000)).toBe('campaign 10/1000 1.0% 10.0/s ETA 1:39');
    share = 'flight time spared 34%, early-ended 5% of rows';
    expect(progress.status(1000)).toBe('campaign 10/1000 1.0% 10.0/s ETA 1:39 flight time spared 34%, early-ended 5% of rows');
  });

  it('off a terminal: one plain line per interval and one at the end', () => {
    const { progress, out, clock } = rig(false);
    progress.add();
    clock.ms = PLAIN_INTERVAL_MS / 2;
    progress.add();
    clock.ms = PLAIN_INTERVAL_MS + 1;
    progress.add();
    progress.finish();
    expect(out).toHaveLength(3);
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(out[2]).toContain('3/1000');
  });

  it('on a terminal: the bar is redrawn in place and the line ended once', () => {
    const { progress, out, clock } = rig(true);
    for (let i = 0; i < 500; i++) { clock.ms += 1; progress.add(); }
    progress.finish();
    expect(out[0]?.startsWith('\r\x1b[2K[')).toBe(true);
    expect(out.at(-2)).toContain('[###############...............] campaign 500/1000 50.0%');
    expect(out.at(-1)).toBe('\n');
  });

  it('formats durations as m:ss and h:mm:ss, unknown as --:--', () => {
    expect(formatDuration(59.4)).toBe('0:59');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.NaN)).toBe('--:--');
  });
});
