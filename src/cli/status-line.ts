/**
 * The live one-line status of `triplex run` on a TTY: cycle, simulated time, channel states,
 * corrected / isolated / fail-safe counts. Rewrites one terminal line (carriage return and
 * erase-to-end), at most a few times per second of wall time.
 */
import type { Flight } from '../sim/flight.js';

const SHORT: Readonly<Record<string, string>> = { active: 'ok', suspect: 'sus', isolated: 'ISO', reintegrating: 'rei', failed: 'FAIL' };

export function statusLine(flight: Flight): string {
  const voter = flight.voterNode.voter;
  const states = flight.channels.map((c, i) => `${c.name}:${SHORT[voter.channelHealth(i)] ?? '?'}`).join(' ');
  let corrected = 0;
  let isolated = 0;
  for (const r of flight.ledger.records) {
    if (r.fate === 'corrected') corrected++;
    if (r.fate === 'isolated') isolated++;
  }
  const simS = (flight.cyclesRun * flight.periodMicros) / 1e6;
  return `cycle ${flight.cyclesRun}/${flight.cycleCount}  t=${simS.toFixed(2)}s  ${states}  mode=${voter.mode}  injected=${flight.ledger.records.length} corrected=${corrected} isolated=${isolated}`;
}

/** Writes `line` over the current terminal line. */
export function overwrite(write: (text: string) => void, line: string): void {
  write(`\r${line}\x1b[K`);
}
