/**
 * The human summary of a flight (`triplex run`, `triplex hil`) and the exit rule shared by the
 * commands that fly (src/sim/report.ts `flightFails`): exit 1 when a flight found a failure.
 */
import type { RealtimeStats } from '../hil/pacer.js';
import type { FlightResult } from '../sim/flight.js';
import { flightFails } from '../sim/report.js';

export function summary(r: FlightResult, realtime: RealtimeStats | undefined): string {
  const f = r.faults;
  const rows = [
    `flight: ${r.simSeconds} s at ${r.rateHz} Hz (${r.cycles} cycles), seed ${r.seed}, profile '${r.profile}', rig '${r.rig}'`,
    '',
    'faults    injected  masked  corrected  isolated  fail-safe  hang  SDC',
    `          ${String(f.injected).padStart(8)}  ${String(f.masked).padStart(6)}  ${String(f.corrected).padStart(9)}  ${String(f.isolated).padStart(8)}  ${String(f.failSafe).padStart(9)}  ${String(f.hang).padStart(4)}  ${String(f.sdc).padStart(3)}`,
    '          each injected fault ends in its most severe fate: masked (no mechanism had to act), corrected (ECC, TMR, CAN',
    '          retransmission or clock sync fixed it), isolated (the faulty channel or sensor was voted out), fail-safe, hang (a dead',
    '          channel never isolated) or SDC. These are the mechanisms\' own accounts; the verdict is the oracle\'s, below.',
    '',
    ...outcomeRows(r),
    '',
    `attitude error max ${r.maxAttitudeErrorDeg.toFixed(2)}° (envelope ${r.envelope.attitudeErrorDegMax}°), body rate max ${r.maxBodyRateRadPerS.toFixed(2)} rad/s (envelope ${r.envelope.bodyRateRadPerSMax})${r.envelope.exceededCycles > 0 ? ` — ENVELOPE EXCEEDED in ${r.envelope.exceededCycles} cycles` : ', within the envelope'}`,
    `isolations ${r.isolations.length}: ${r.isolations.map((i) => `${i.channel}@${i.atS.toFixed(2)}s(${i.reason})`).join(' ') || '-'}`,
    `reintegrations ${r.reintegrations.length}: ${r.reintegrations.map((i) => `${i.channel}@${i.atS.toFixed(2)}s`).join(' ') || '-'}`,
    `fail-safe events ${r.failSafe.length}, deadline misses ${r.deadlineMisses}, voter mode at end '${r.voter.mode}'${r.healthyIsolations.length > 0 ? `, HEALTHY CHANNELS ISOLATED ${r.healthyIsolations.length}` : ''}`,
    '',
    'channel   health         scrub-corr  read-corr  reg-repair  self-faults  e2e-err  lost',
    ...Object.entries(r.channels).map(([name, c]) => `${name.padEnd(9)} ${String(c.health).padEnd(14)} ${String(c.scrubCorrected).padStart(10)}  ${String(c.readCorrected).padStart(9)}  ${String(c.registerRepairs).padStart(10)}  ${String(c.selfFaults).padStart(11)}  ${String(c.e2eErrors).padStart(7)}  ${String(c.framesLost).padStart(4)}`),
    `bus: ${r.bus.frames} frames, ${r.bus.errorFrames} error frames, load ${r.bus.loadPercent.toFixed(1)} %`,
  ];
  if (r.agreement !== undefined) {
    rows.push(`agreement: ${r.agreement.algorithm} over p2p links, ${r.agreement.channelCount} channels; violations ${r.agreementViolations}${r.agreement.firstViolationS === null ? '' : ` (first at ${r.agreement.firstViolationS} s)`}, false isolations ${r.falseIsolations}`);
  }
  if (realtime !== undefined) rows.push(`realtime: start jitter p50 ${realtime.jitterP50Micros} µs, p99 ${realtime.jitterP99Micros} µs, max ${realtime.jitterMaxMicros} µs, overruns ${realtime.overruns}`);
  rows.push(resultLine(r));
  return `${rows.join('\n')}\n`;
}

/** The oracle's verdict: outcomes per fault against the golden twin, and the deviations from it. */
function outcomeRows(r: FlightResult): string[] {
  const o = r.outcomes;
  const t = r.twin;
  const rows = [
    `outcome   masked  recovered  degraded  detected-unsafe  sdc  hang     flight: ${r.outcome.toUpperCase()}`,
    `          ${String(o.masked).padStart(6)}  ${String(o.recovered).padStart(9)}  ${String(o.degraded).padStart(8)}  ${String(o['detected-unsafe']).padStart(15)}  ${String(o.sdc).padStart(3)}  ${String(o.hang).padStart(4)}`,
    '          judged against a fault-free twin of the same seed: masked (outputs as the twin\'s, no mechanism acted), recovered (a',
    '          mechanism acted, outputs as the twin\'s, every channel back), degraded (a channel not back at the end), detected-unsafe',
    '          (outputs or vehicle off the twin, announced by an alarm), sdc (off the twin with no alarm), hang (a dead channel unseen).',
  ];
  if (t !== null) {
    rows.push(`twin: command deviation max ${t.maxCommandDeviationDeg.toFixed(2)}° (margin ${t.commandMarginDeg}° beyond the twin's channels), attitude deviation max ${t.maxAttitudeDeviationDeg.toFixed(2)}° (tolerance ${t.attitudeToleranceDeg}°), ${t.deviations} deviation${t.deviations === 1 ? '' : 's'}${t.firstDeviationS === null ? '' : `, first at ${t.firstDeviationS.toFixed(3)} s`}`);
  }
  return rows;
}

function resultLine(r: FlightResult): string {
  if (!failed(r)) {
    const extra = r.agreement === undefined ? '' : ', no agreement violation';
    return `result: ${r.outcome} — no silent data corruption, nothing unsafe, no hang, no channel lost to a transient fault, no false isolation${extra}`;
  }
  const reasons = [...r.failures];
  if (r.agreementViolations > 0) reasons.push(`${r.agreementViolations} agreement violations`);
  if (r.falseIsolations > 0) reasons.push(`${r.falseIsolations} false isolations (healthy channels voted out)`);
  const shown = reasons.slice(0, 8).map((x) => `  ${x}`);
  if (reasons.length > shown.length) shown.push(`  … and ${reasons.length - shown.length} more (--json lists them)`);
  return [`result: FAILURE (${r.outcome}) —`, ...shown].join('\n');
}

/** Exit 1 (the rule shared by run, hil, soak and campaign; src/sim/report.ts). */
export function failed(r: FlightResult): boolean {
  return flightFails(r);
}

