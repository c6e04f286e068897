/**
 * The human summary of a flight (`triplex run`, `triplex hil`) and the exit rule shared by the
 * commands that fly: exit 1 when a flight found a failure.
 */
import type { RealtimeStats } from '../hil/pacer.js';
import type { FlightResult } from '../sim/flight.js';

export function summary(r: FlightResult, realtime: RealtimeStats | undefined): string {
  const f = r.faults;
  const rows = [
    `flight: ${r.simSeconds} s at ${r.rateHz} Hz (${r.cycles} cycles), seed ${r.seed}, profile '${r.profile}', rig '${r.rig}'`,
    '',
    'faults    injected  masked  corrected  isolated  fail-safe  hang  SDC',
    `          ${String(f.injected).padStart(8)}  ${String(f.masked).padStart(6)}  ${String(f.corrected).padStart(9)}  ${String(f.isolated).padStart(8)}  ${String(f.failSafe).padStart(9)}  ${String(f.hang).padStart(4)}  ${String(f.sdc).padStart(3)}`,
    '          each injected fault ends in its most severe fate: masked (no mechanism had to act), corrected (ECC, TMR or CAN',
    '          retransmission fixed it), isolated (the faulty channel or sensor was voted out), fail-safe, hang (a dead channel never',
    '          isolated) or SDC (silent data corruption: a wrong command or attitude with no alarm). Only hang and SDC are failures.',
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

function resultLine(r: FlightResult): string {
  if (r.agreement === undefined && r.falseIsolations === 0) {
    return r.faults.sdc + r.faults.hang === 0 ? 'result: no silent data corruption, no hang' : `result: FAILURE — ${r.faults.sdc} SDC, ${r.faults.hang} hang`;
  }
  if (failed(r)) return `result: FAILURE — ${r.faults.sdc} SDC, ${r.faults.hang} hang, ${r.agreementViolations} agreement violations, ${r.falseIsolations} false isolations`;
  return 'result: no silent data corruption, no hang, no agreement violation, no false isolation';
}

/** Exit 1: silent data corruption, a hang, an agreement violation or a healthy channel isolated. */
export function failed(r: FlightResult): boolean {
  return r.faults.sdc > 0 || r.faults.hang > 0 || r.agreementViolations > 0 || r.falseIsolations > 0;
}

