/**
 * The point-to-point wiring of the flight loop (docs/BYZANTINE.md, "In the flight loop"): each
 * IMU is read by its own channel only; once per minor frame, just before the first channel
 * computes, the channels exchange their readings over the emulated links of the agreement layer
 * (src/core/byzantine/: plain, OM(1) or SM(1)), and each channel consolidates the vector it
 * decided (row k = channel k's reading, NaN = unusable). At the voter's slot every channel's
 * command goes to the voter over its own link (`sendCommands`). A Byzantine channel's
 * transmissions go through an `Adversary`.
 *
 * The monitor counts what the agreement layer exists to prevent: cycles in which healthy
 * channels consolidated different inputs (`agreementViolations`), and healthy channels proven
 * faulty by an SM(1) proof (`proofFalseIsolations`).
 */
import { makeAdversary } from '../core/byzantine/adversary.js';
import { AgreementExchange, resolveAlgorithm, type Adversary, type AuthSet } from '../core/byzantine/exchange.js';
import type { ExchangeAlgorithm } from '../core/byzantine/node.js';
import { agree } from '../core/byzantine/scenario.js';
import type { ChannelRuntime } from '../core/channel/channel.js';
import type { VoterNode } from '../core/channel/voter-node.js';
import { assert } from '../core/assert.js';
import type { Injection } from '../core/fault/plan.js';
import { canIdOf, CHANNEL_IDS_MAX, IMU_NUMBERS_MAX } from '../core/frame/ids.js';
import { BYZANTINE_KINDS, CHANNEL_NAMES } from '../core/fault/profile.js';
import { err, ok, type Result } from '../core/result.js';

export type Links = 'can' | 'p2p';
export type ExchangeMode = 'plain' | 'signed';
/** Values per reading: [gx gy gz ax ay az]. Commands (4 actuators) are padded with NaN. */
export const EXCHANGE_AXES = 6;

/** The Byzantine fault of a flight (at most one), as the flight loop applies it. */
export interface ByzantineFault {
  readonly channel: number;
  readonly atMicros: number;
  readonly adversary: Adversary;
}

/** The single Byzantine injection of a flight, or an error message when there are several. */
export function byzantineFaultOf(injections: readonly Injection[], periodMicros: number): ByzantineFault | undefined | string {
  const found = injections.filter((inj) => BYZANTINE_KINDS.includes(inj.fault.kind));
  if (found.length > 1) return `at most one Byzantine fault (${BYZANTINE_KINDS.join(', ')}) per flight, the profile has ${found.length}`;
  const inj = found[0];
  if (inj === undefined) return undefined;
  const f = inj.fault;
  if (f.kind !== 'two-faced' && f.kind !== 'masquerade' && f.kind !== 'replay') return undefined;
  const node = CHANNEL_NAMES.indexOf(f.channel);
  const fromCycle = Math.ceil(inj.atMicros / periodMicros);
  const adversary = f.kind === 'replay'
    ? makeAdversary({ behaviour: 'replay', node, fromCycle, offset: 0, lagCycles: f.lagCycles })
    : f.kind === 'masquerade'
      ? makeAdversary({ behaviour: 'masquerade', node, fromCycle, offset: f.value, ...(f.victim === undefined ? {} : { victim: CHANNEL_NAMES.indexOf(f.victim) }) })
      : makeAdversary({ behaviour: 'two-faced', node, fromCycle, offset: f.value });
  return { channel: node, atMicros: inj.atMicros, adversary };
}

/** The algorithm of a rig option set, or an error message (CAN has no signed exchange; 4 channels need p2p). */
export function algorithmOf(links: Links, exchange: ExchangeMode, channelCount: number): Result<ExchangeAlgorithm, string> {
  if (channelCount !== 3 && channelCount !== 4) return err(`--channels must be 3 or 4, got ${channelCount}`);
  if (channelCount === 4 && links === 'can') return err('four channels need --links p2p (the CAN wiring has three)');
  const algorithm = resolveAlgorithm(links, exchange, channelCount);
  return algorithm === undefined ? err(`--exchange ${exchange} needs --links p2p (a CAN frame carries no signature)`) : ok(algorithm);
}

/** Signing keys of the channels for the signed exchange (SM(1)), from the run seed: src/io/ed25519.ts `keyringFromSeed`. */
export type KeyringFactory = (seed: number, channelCount: number) => AuthSet;

export interface P2pWiringConfig {
  /** The channels' keys; required with the signed exchange. */
  readonly keyring: KeyringFactory | undefined;
  readonly seed: number;
  readonly exchange: ExchangeMode;
  readonly channels: readonly ChannelRuntime[];
  readonly voter: VoterNode;
  readonly periodMicros: number;
  readonly byzantine: ByzantineFault | undefined;
  /** Whether channel c is held down (crash/hang) or known faulty, by the flight. */
  readonly isDown: (c: number) => boolean;
  readonly isFaulty: (c: number) => boolean;
}

export class P2pWiring {
  readonly exchange: AgreementExchange;
  readonly algorithm: ExchangeAlgorithm;
  agreementViolations = 0;
  firstViolationMicros = -1;
  /** Healthy channels proven faulty (SM(1)) by a healthy channel. */
  proofFalseIsolations = 0;
  exchanges = 0;
  private readonly n: number;
  private readonly readings: Float64Array[];
  private readonly commands: Float64Array[];
  private readonly rows: Float64Array[];
  /** Per channel: channels it holds proven faulty (SM(1) proof), for good. */
  private readonly proven: Int32Array;
  /** Per channel: true time of its last command (−1: none). */
  private readonly commandMicros: Float64Array;
  private readonly consolidated: Float64Array[];
  private lastCycle = -1;

  constructor(private readonly cfg: P2pWiringConfig) {
    this.n = cfg.channels.length;
    const algorithm = algorithmOf('p2p', cfg.exchange, this.n);
    assert(algorithm.ok, `P2pWiring: ${algorithm.ok ? '' : algorithm.error}`);
    this.algorithm = algorithm.value;
    assert(this.algorithm !== 'sm1' || cfg.keyring !== undefined, 'P2pWiring: the signed exchange needs a keyring');
    const auth: AuthSet | undefined = this.algorithm === 'sm1' ? cfg.keyring?.(cfg.seed, this.n) : undefined;
    this.exchange = new AgreementExchange({ medium: 'p2p', algorithm: this.algorithm, channelCount: this.n, axisCount: EXCHANGE_AXES }, auth, cfg.byzantine?.adversary);
    const rows = (): Float64Array[] => Array.from({ length: this.n }, () => new Float64Array(EXCHANGE_AXES));
    this.readings = rows();
    this.commands = rows();
    this.consolidated = rows();
    this.rows = Array.from({ length: this.n }, () => new Float64Array(this.n * EXCHANGE_AXES));
    this.proven = new Int32Array(this.n);
    this.commandMicros = new Float64Array(this.n).fill(-1);
  }

  /** p2p: channel `c` hears a bus IMU frame only from its own IMU (other frames pass). */
  static channelHears(c: number, id: number): boolean {
    const imu = imuIndexOfFrame(id);
    return imu < 0 || imu === c;
  }

  /**
   * Before channel `c` steps at true time `t`: runs the exchange of the cycle (once; the cycle is
   * the channel's own logical cycle index, on which synchronised channels agree) and feeds `c` its vector.
   */
  beforeStep(c: number, t: number): void {
    const cycle = Math.max(0, this.cfg.channels[c]?.cycleIndexAt(t) ?? 0);
    if (cycle !== this.lastCycle) this.runExchange(cycle, t);
    const row = this.rows[c];
    if (row !== undefined) this.cfg.channels[c]?.useExchangedInputs(row);
  }

  /** Channel `c` sent its command at true time `t` (called from its outbox). */
  noteCommand(c: number, t: number): void {
    this.commandMicros[c] = t;
  }

  /** Whether channel `c` sent a command in the period before the vote at `t`. */
  private commanded(c: number, t: number): boolean {
    const at = this.commandMicros[c] ?? -1;
    return at >= 0 && at <= t && t - at < this.cfg.periodMicros;
  }

  /** At the voter's slot (true time `t`): every channel's command to the voter over its link; then the agreement check. */
  beforeVote(t: number): void {
    const cycle = Math.floor(t / this.cfg.periodMicros);
    for (let c = 0; c < this.n; c++) {
      const out = this.commands[c];
      const ch = this.cfg.channels[c];
      if (out === undefined || ch === undefined) continue;
      const sent = this.commanded(c, t);
      for (let a = 0; a < EXCHANGE_AXES; a++) out[a] = sent ? (ch.commandDeg[a] ?? Number.NaN) : Number.NaN;
    }
    const view = this.exchange.sendCommands(cycle, this.commands);
    for (let c = 0; c < this.n; c++) this.cfg.voter.acceptCommandDeg(c, view.subarray(c * EXCHANGE_AXES, (c + 1) * EXCHANGE_AXES), t);
    this.checkAgreement(t);
  }

  private runExchange(cycle: number, t: number): void {
    this.lastCycle = cycle;
    this.exchanges++;
    for (let c = 0; c < this.n; c++) {
      const r = this.readings[c];
      if (r === undefined) continue;
      if (this.cfg.isDown(c)) r.fill(Number.NaN);
      else this.cfg.channels[c]?.ownReading(t, r);
    }
    const vectors = this.exchange.exchangeInputs(cycle, this.readings);
    for (let c = 0; c < this.n; c++) {
      const fresh = this.exchange.proofMask(c) & ~(this.proven[c] ?? 0);
      if (!this.cfg.isFaulty(c)) this.proofFalseIsolations += popcount(fresh & ~this.faultyMask());
      this.proven[c] = (this.proven[c] ?? 0) | fresh;
      const row = this.rows[c];
      const v = vectors[c];
      if (row === undefined || v === undefined) continue;
      row.set(v);
      for (let k = 0; k < this.n; k++) if (((this.proven[c] ?? 0) & (1 << k)) !== 0) row.fill(Number.NaN, k * EXCHANGE_AXES, (k + 1) * EXCHANGE_AXES);
    }
  }

  /** Healthy channels that computed in this cycle must have consolidated exactly the same inputs. */
  private checkAgreement(t: number): void {
    let healthy = 0;
    for (let c = 0; c < this.n; c++) {
      const ch = this.cfg.channels[c];
      const out = this.consolidated[c];
      if (ch === undefined || out === undefined || this.cfg.isDown(c) || this.cfg.isFaulty(c) || ch.health === 'failed' || ch.lastCycleIndex < 0) continue;
      if (!this.commanded(c, t)) continue;
      out.set(ch.consolidated);
      healthy |= 1 << c;
    }
    if (agree(this.consolidated, healthy, EXCHANGE_AXES)) return;
    this.agreementViolations++;
    if (this.firstViolationMicros < 0) this.firstViolationMicros = t;
  }

  private faultyMask(): number {
    let mask = 0;
    for (let c = 0; c < this.n; c++) if (this.cfg.isFaulty(c)) mask |= 1 << c;
    return mask;
  }
}

function popcount(bits: number): number {
  let count = 0;
  for (let b = bits; b !== 0; b &= b - 1) count++;
  return count;
}

const IMU_RATE_FIRST = canIdOf('imu-rate', 1);
const IMU_ACCEL_FIRST = canIdOf('imu-accel', 1);
const COMMAND_FIRST = canIdOf('command', 'A');
const IMUS_MAX = IMU_NUMBERS_MAX.length;
const CHANNELS_MAX = CHANNEL_IDS_MAX.length;

/** The IMU index (0-based) of a bus frame identifier, or −1 when it is no IMU frame. */
export function imuIndexOfFrame(id: number): number {
  if (id >= IMU_RATE_FIRST && id < IMU_RATE_FIRST + IMUS_MAX) return id - IMU_RATE_FIRST;
  if (id >= IMU_ACCEL_FIRST && id < IMU_ACCEL_FIRST + IMUS_MAX) return id - IMU_ACCEL_FIRST;
  return -1;
}

/** Whether a bus frame identifier is a channel's command frame (p2p: the voter takes commands from the links). */
export function isCommandFrame(id: number): boolean {
  return id >= COMMAND_FIRST && id < COMMAND_FIRST + CHANNELS_MAX;
}
