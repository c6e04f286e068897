/**
 * The live one-line status of `triplex run` on a TTY: cycle, simulated time, channel states,
 * corrected / isolated / fail-safe counts. Rewrites one terminal line (carriage return and
 * erase-to-end), at most a few times per second of wall time.
 */
import type { Flight } from '../sim/flight.js';

const SHORT: Readonly<Record<string, string>> = { active: 'ok', suspect: 'sus', isolated: 'ISO', reintegrating: 'rei', failed: 'FAIL' };

export function statusLine(flight: Flight): string {
  const s = flight.status();
  const states = s.channels.map((c) => `${c.name}:${SHORT[c.health] ?? '?'}`).join(' ');
  const simS = s.timeMicros / 1e6;
  return `cycle ${s.cyclesRun}/${s.cycleCount}  t=${simS.toFixed(2)}s  ${states}  mode=${s.voterMode}  injected=${s.injected} corrected=${s.corrected} isolated=${s.isolated}`;
}

/** Writes `line` over the current terminal line. */
export function overwrite(write: (text: string) => void, line: string): void {
  write(`\r${line}\x1b[K`);
}
