/**
 * What the mechanisms did, once per vote: the voter's events (isolations, fail-safe), the
 * channels' alarms and self-detected faults, sensors excluded by consolidation, words the ECC
 * corrected, registers the TMR image repaired, frames the CAN CRC rejected. Each observation
 * goes to the fault ledger (src/core/fault/accounting.ts), which attributes it to the open
 * fault records it can belong to. The observer also keeps the time of the last alarm, the only
 * thing the oracle (src/sim/oracle.ts) reads from the mechanisms: whether a deviation was
 * announced. An alarm is something *raised*: a voter event, a status bit that comes on, a
 * channel's self-detected fault. A standing condition (the voter still in degraded mode, a
 * sensor still excluded) is not raised again each vote, so it cannot announce a later fault.
 */
import type { EmulatedCanBus } from './emulated-can.js';
import type { ChannelFaultState } from './fault-state.js';
import type { ChannelRuntime } from '../core/channel/channel.js';
import type { VoterNode } from '../core/channel/voter-node.js';
import type { FaultLedger } from '../core/fault/accounting.js';
import { CONSOLIDATION_ALARM_NO_DATA, CONSOLIDATION_ALARM_PAIR_DISAGREE, CONSOLIDATION_ALARM_SINGLE_SOURCE, CONSOLIDATION_ALARM_SOURCE_FAILED, CONSOLIDATION_ALARM_SOURCE_MISSING, CONSOLIDATION_USED_MASK } from '../core/vote/consolidate.js';
import { VOTER_ALARM_DEGRADED, VOTER_ALARM_FAILSAFE, VOTER_ALARM_PAIR_DISAGREE, VOTER_ALARM_SINGLE } from '../core/vote/voter.js';

/** Voter status bits that announce a problem. */
export const VOTER_ALARMS = VOTER_ALARM_DEGRADED | VOTER_ALARM_PAIR_DISAGREE | VOTER_ALARM_SINGLE | VOTER_ALARM_FAILSAFE;
/** Consolidation status bits that announce a sensor problem. */
export const SENSOR_ALARMS = CONSOLIDATION_ALARM_SINGLE_SOURCE | CONSOLIDATION_ALARM_NO_DATA | CONSOLIDATION_ALARM_PAIR_DISAGREE | CONSOLIDATION_ALARM_SOURCE_FAILED | CONSOLIDATION_ALARM_SOURCE_MISSING;

interface MemoryWatch {
  readonly id: number;
  readonly channel: number;
  readonly words: readonly number[];
  readonly corrections: number;
  /** The upset went beyond the code: the words will look clean but hold wrong data (no correction to credit). */
  readonly miscorrected: boolean;
}
interface RegisterWatch { readonly id: number; readonly channel: number; readonly repairs: number }
interface ClockWatch { readonly id: number; readonly channel: number; readonly jumpMicros: number; readonly correction: number }
interface BusWatch { readonly id: number; readonly errorFrames: number }

export class MechanismObserver {
  /** True time of the last alarm any mechanism raised (−1e15: none yet). */
  lastAlarmMicros = -1e15;
  private prevVoterAlarms = 0;
  private readonly memoryWatches: MemoryWatch[] = [];
  private readonly registerWatches: RegisterWatch[] = [];
  private readonly busWatches: BusWatch[] = [];
  private readonly e2eWatches: BusWatch[] = [];
  private readonly clockWatches: ClockWatch[] = [];
  private eventsSeen = 0;
  private readonly prevUsedMask: Int32Array;
  private readonly prevFailedMask: Int32Array;
  private readonly prevSelfFaults: Int32Array;
  private readonly prevSensorAlarms: Int32Array;

  constructor(
    private readonly channels: readonly ChannelRuntime[],
    private readonly voterNode: VoterNode,
    private readonly bus: EmulatedCanBus,
    private readonly ledger: FaultLedger,
    private readonly faults: ChannelFaultState,
  ) {
    const n = channels.length;
    // Every source in use at the start: IMUs 1..3, and IMU 4 in the four-channel configuration.
    this.prevUsedMask = Int32Array.from(channels, (c) => CONSOLIDATION_USED_MASK & ((1 << c.sensorCount) - 1));
    this.prevFailedMask = new Int32Array(n);
    this.prevSelfFaults = new Int32Array(n);
    this.prevSensorAlarms = new Int32Array(n);
  }

  /** Watches still waiting for a mechanism to close them. */
  get openWatches(): number {
    return this.memoryWatches.length + this.registerWatches.length + this.busWatches.length + this.clockWatches.length + this.e2eWatches.length;
  }

  /**
   * A memory fault in `words` of `channel`: closed when every word is clean again (corrected if
   * the ECC did it). A `miscorrected` fault (three or more bits in one word that SEC-DED decodes
   * as clean or as another single-bit error, src/sim/injector.ts) leaves wrong data that looks
   * right: the ECC gets no credit and the record stays open through its window, so what the
   * wrong value causes (an isolation, a deviation) is the fault's, not a healthy channel's.
   */
  watchMemory(id: number, channel: number, words: readonly number[], miscorrected = false): void {
    const c = this.channels[channel];
    if (c === undefined) return;
    this.memoryWatches.push({ id, channel, words, corrections: correctionsOf(c), miscorrected });
  }

  /** A register flip armed in `channel`: closed after the law ran (corrected if the TMR vote repaired it). */
  watchRegister(id: number, channel: number): void {
    this.registerWatches.push({ id, channel, repairs: this.channels[channel]?.registerRepairs ?? 0 });
  }

  /**
   * A clock jump of `jumpMicros` in `channel`: corrected by clock synchronisation when the
   * channel's own resync has taken back at least half of the step (the channel re-synchronised
   * itself; if its peers saw the jump first, the voter's isolation is the more severe fate).
   */
  watchClock(id: number, channel: number, jumpMicros: number): void {
    const c = this.channels[channel];
    if (c === undefined) return;
    this.clockWatches.push({ id, channel, jumpMicros, correction: c.clock.correctionMicros });
  }

  /** A corrupted frame on the bus: corrected when the CAN CRC rejected it (an error frame). */
  watchBus(id: number): void {
    this.busWatches.push({ id, errorFrames: this.bus.statistics().errorFrames });
  }

  /** A frame corrupted past the CAN CRC: corrected when a receiver's E2E check rejected a frame. */
  watchE2e(id: number): void {
    this.e2eWatches.push({ id, errorFrames: this.e2eRejections() });
  }

  /** An alarm outside the voter (the actuator monitor) was raised at `t`. */
  noteAlarm(t: number): void {
    if (t > this.lastAlarmMicros) this.lastAlarmMicros = t;
  }

  /** E2E rejections by every receiver so far (channels and voter). */
  private e2eRejections(): number {
    let n = this.voterNode.e2eRejected;
    for (const c of this.channels) n += c.e2eErrors;
    return n;
  }

  /** Everything the mechanisms did up to the vote at `t` (voter status word `status`). */
  observe(t: number, status: number): void {
    const alarms = status & VOTER_ALARMS;
    if ((alarms & ~this.prevVoterAlarms) !== 0) this.lastAlarmMicros = t;
    this.prevVoterAlarms = alarms;
    // A channel's own fault report first: the voter may isolate it at the same vote, and that
    // isolation is then the channel's doing, not a false one (issue 13).
    this.observeSelfFaults(t);
    this.observeVoterEvents();
    this.observeChannels(t);
    if (this.memoryWatches.length + this.registerWatches.length + this.busWatches.length + this.clockWatches.length + this.e2eWatches.length > 0) this.observeCorrections(t);
  }

  private observeVoterEvents(): void {
    const ring = this.voterNode.voter.events;
    // A lane re-sync can roll lane 0's ring back to a majority lane's (src/core/channel/voter-node.ts).
    if (ring.totalCount < this.eventsSeen) this.eventsSeen = ring.totalCount;
    if (ring.totalCount === this.eventsSeen) return;
    const fresh = ring.list().slice(-(ring.totalCount - this.eventsSeen));
    this.eventsSeen = ring.totalCount;
    for (const e of fresh) {
      if (e.atMicros > this.lastAlarmMicros) this.lastAlarmMicros = e.atMicros;
      if (e.kind === 'isolated') this.ledger.isolation(e.channel, e.atMicros, e.reason);
      if (e.kind === 'failsafe_entered') this.ledger.failSafe(e.atMicros);
    }
  }

  private observeSelfFaults(t: number): void {
    for (let c = 0; c < this.channels.length; c++) {
      const ch = this.channels[c];
      if (ch === undefined || ch.selfFaults === this.prevSelfFaults[c]) continue;
      this.prevSelfFaults[c] = ch.selfFaults;
      this.lastAlarmMicros = t;
      this.ledger.channelSelfFault(c, t);
    }
  }

  private observeChannels(t: number): void {
    for (let c = 0; c < this.channels.length; c++) {
      const ch = this.channels[c];
      if (ch === undefined) continue;
      const s = ch.lastConsolidationStatus;
      const sensorAlarms = s & SENSOR_ALARMS;
      if ((sensorAlarms & ~(this.prevSensorAlarms[c] ?? 0)) !== 0) this.lastAlarmMicros = t;
      this.prevSensorAlarms[c] = sensorAlarms;
      const used = s & CONSOLIDATION_USED_MASK;
      const excluded = (this.prevUsedMask[c] ?? 0) & ~used;
      const failed = ch.failedSensorMask & ~(this.prevFailedMask[c] ?? 0);
      this.prevUsedMask[c] = used;
      this.prevFailedMask[c] = ch.failedSensorMask;
      for (let i = 0; i < ch.sensorCount; i++) {
        if ((failed & (1 << i)) !== 0) this.ledger.sensorExcluded(i, t, `monitor:${ch.name}`);
        else if ((excluded & (1 << i)) !== 0 && !this.faults.isDown(c)) this.ledger.sensorExcluded(i, t, `stale:${ch.name}`);
      }
    }
  }

  private observeCorrections(t: number): void {
    for (let i = this.memoryWatches.length - 1; i >= 0; i--) {
      const r = this.memoryWatches[i];
      const c = r === undefined ? undefined : this.channels[r.channel];
      if (r === undefined || c === undefined) continue;
      if (!r.words.every((w) => c.memory.syndromeOf(w) === 0)) continue;
      this.memoryWatches.splice(i, 1);
      if (r.miscorrected) continue;
      if (correctionsOf(c) > r.corrections) this.ledger.observe(r.id, 'corrected', t, 'ecc');
      this.ledger.close(r.id);
    }
    for (let i = this.registerWatches.length - 1; i >= 0; i--) {
      const r = this.registerWatches[i];
      const c = r === undefined ? undefined : this.channels[r.channel];
      if (r === undefined || c === undefined || c.registerFlipArmed) continue;
      if (c.registerRepairs > r.repairs || c.registers.statistics().maskedDisagreements > 0) this.ledger.observe(r.id, 'corrected', t, 'tmr');
      this.ledger.close(r.id);
      this.registerWatches.splice(i, 1);
    }
    for (let i = this.clockWatches.length - 1; i >= 0; i--) {
      const r = this.clockWatches[i];
      const c = r === undefined ? undefined : this.channels[r.channel];
      if (r === undefined || c === undefined) continue;
      const takenBack = -(c.clock.correctionMicros - r.correction) * Math.sign(r.jumpMicros);
      if (takenBack < Math.abs(r.jumpMicros) / 2) continue;
      this.ledger.observe(r.id, 'corrected', t, 'clock-sync');
      this.clockWatches.splice(i, 1);
    }
    const errorFrames = this.busWatches.length > 0 ? this.bus.statistics().errorFrames : 0;
    for (let i = this.busWatches.length - 1; i >= 0; i--) {
      const r = this.busWatches[i];
      if (r === undefined || errorFrames <= r.errorFrames) continue;
      this.ledger.observe(r.id, 'corrected', t, 'can-crc');
      this.busWatches.splice(i, 1);
    }
    const rejections = this.e2eWatches.length > 0 ? this.e2eRejections() : 0;
    for (let i = this.e2eWatches.length - 1; i >= 0; i--) {
      const r = this.e2eWatches[i];
      if (r === undefined || rejections <= r.errorFrames) continue;
      this.ledger.observe(r.id, 'corrected', t, 'e2e');
      this.e2eWatches.splice(i, 1);
    }
  }
}

function correctionsOf(c: ChannelRuntime): number {
  return c.scrubCorrected + c.memory.statistics().readCorrected;
}

