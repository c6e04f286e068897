/**
 * One cycle of the agreement layer on the emulated fabric, in lockstep: every channel's
 * reading is exchanged (1 or 2 rounds, by algorithm), each channel decides its input vector,
 * then every channel sends its command to the actuator voter (node `channelCount`).
 * A faulty channel's transmissions go through an `Adversary` (adversary.ts), which is called
 * after the honest nodes have sent (a "rushing" adversary: on CAN its forged frames come last
 * and win the receive mailbox). docs/BYZANTINE.md describes the model.
 *
 * This is the surface the flight loop uses: `exchangeInputs(cycle, readings)` gives each
 * channel its vector (row k = channel k's IMU reading, NaN = none, to feed the consolidator as
 * source k), `sendCommands(cycle, commands)` gives the voter its view of the commands.
 * `exchangeInputsOver` / `sendCommandsOver` do the same with each round carried by a
 * `LinkTransport` over real links (src/hil/p2p-serial-links.ts) instead of the emulated medium;
 * both paths run the same steps (a generator that yields at each round's end).
 */
import { assert } from '../assert.js';
import type { Signer, Verifier } from './auth.js';
import { BROADCAST, LinkFabric, type Delivery, type LinkTransport, type Medium, type OmissionFilter } from './fabric.js';
import { decodeExchangeMessage, encodeExchangeMessage, NO_RELAYER, type ExchangeMessage } from './message.js';
import {
  ExchangeNode, REJECT_REASONS, roundsOf, signaturesValid, signDirect, type ExchangeAlgorithm, type Outgoing, type RejectReason, type Round,
} from './node.js';

export interface AuthSet {
  /** signers[k] holds channel k's private key. */
  readonly signers: readonly Signer[];
  readonly verifier: Verifier;
}

export interface ExchangeConfig {
  readonly medium: Medium;
  readonly algorithm: ExchangeAlgorithm;
  readonly channelCount: number;
  readonly axisCount: number;
}

export type Phase = Round | 'command';

export interface AdversaryContext {
  readonly cfg: ExchangeConfig;
  readonly cycle: number;
  readonly phase: Phase;
  /** The voter's node number (= channelCount). */
  readonly voter: number;
  /** The faulty channel's own signer (it has its own key, no other). */
  readonly signer: Signer | undefined;
}

export interface Transmission {
  /** Receiver node, or BROADCAST (the only choice on CAN). */
  readonly to: number;
  readonly bytes: Uint8Array;
}

/** What a faulty channel sends instead of `honest` (its correct messages of this phase). */
export interface Adversary {
  readonly node: number;
  transmit(ctx: AdversaryContext, honest: readonly Outgoing[]): readonly Transmission[];
  /** Sees every delivery to the faulty node (for replay). */
  observe?(cycle: number, phase: Phase, delivery: Delivery): void;
}

/** The exchange algorithm a rig option set selects, or undefined if the combination is not offered. */
export function resolveAlgorithm(medium: Medium, exchange: 'plain' | 'signed', channelCount: number): ExchangeAlgorithm | undefined {
  if (medium === 'can') return exchange === 'plain' ? 'broadcast' : undefined;
  if (exchange === 'signed') return 'sm1';
  return channelCount >= 4 ? 'om1' : 'plain';
}

/** The steps of one exchange call: yields at the end of each round, resumed with its deliveries. */
type Steps<R> = Generator<undefined, R, readonly Delivery[]>;
/** Rounds of one call: two input rounds at most, one command round. */
const ROUNDS_PER_CALL_MAX = 2;

export function encodeOutgoing(out: readonly Outgoing[]): Transmission[] {
  return out.map((o) => ({ to: o.to, bytes: encodeExchangeMessage(o.message) }));
}

export class AgreementExchange {
  readonly fabric: LinkFabric;
  readonly voter: number;
  /** Rejected deliveries by reason, since construction. */
  readonly rejected: Record<RejectReason, number>;
  private readonly nodes: ExchangeNode[];
  private readonly vectors: Float64Array[];
  private readonly proofMasks: Int32Array;
  private readonly voterView: Float64Array;
  /** An exchange over a transport is in flight (the fabric holds its round). */
  private carrying = false;

  constructor(readonly cfg: ExchangeConfig, private readonly auth?: AuthSet, private readonly adversary?: Adversary) {
    const n = cfg.channelCount;
    assert(cfg.algorithm !== 'sm1' || (auth !== undefined && auth.signers.length >= n), 'AgreementExchange: sm1 needs a signer per channel');
    assert(cfg.medium === 'can' ? cfg.algorithm === 'broadcast' : cfg.algorithm !== 'broadcast', 'AgreementExchange: algorithm does not fit the medium');
    assert(adversary === undefined || (adversary.node >= 0 && adversary.node < n), 'AgreementExchange: bad adversary node');
    this.voter = n;
    this.fabric = new LinkFabric(cfg.medium, n + 1);
    this.nodes = Array.from({ length: n }, (_, id) => {
      const signer = auth?.signers[id];
      return new ExchangeNode(id, cfg, signer !== undefined && auth !== undefined ? { signer, verifier: auth.verifier } : undefined);
    });
    this.vectors = Array.from({ length: n }, () => new Float64Array(n * cfg.axisCount));
    this.proofMasks = new Int32Array(n);
    this.voterView = new Float64Array(n * cfg.axisCount);
    this.rejected = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  }

  setOmission(filter: OmissionFilter | undefined): void {
    this.fabric.setOmission(filter);
  }

  /** Runs the input exchange; returns each channel's decided vector (valid until the next call). */
  exchangeInputs(cycle: number, readings: readonly ArrayLike<number>[]): readonly Float64Array[] {
    return this.driveEmulated(this.inputSteps(cycle, readings));
  }

  /** `exchangeInputs` with every round carried by `transport` (p2p links); one call at a time. */
  exchangeInputsOver(transport: LinkTransport, cycle: number, readings: readonly ArrayLike<number>[]): Promise<readonly Float64Array[]> {
    return this.driveOver(transport, this.inputSteps(cycle, readings));
  }

  /** Channels proven faulty, as seen by channel k in the last exchange (SM(1) only). */
  proofMask(k: number): number {
    return this.proofMasks[k] ?? 0;
  }

  /**
   * Each channel sends its command to the voter; returns the voter's view (row k = channel k's
   * accepted command, NaN = none). Valid until the next call.
   */
  sendCommands(cycle: number, commands: readonly ArrayLike<number>[]): Float64Array {
    return this.driveEmulated(this.commandSteps(cycle, commands));
  }

  /** `sendCommands` with the round carried by `transport` (p2p links); one call at a time. */
  sendCommandsOver(transport: LinkTransport, cycle: number, commands: readonly ArrayLike<number>[]): Promise<Float64Array> {
    return this.driveOver(transport, this.commandSteps(cycle, commands));
  }

  private *inputSteps(cycle: number, readings: readonly ArrayLike<number>[]): Steps<readonly Float64Array[]> {
    assert(readings.length === this.cfg.channelCount, 'exchangeInputs: one reading per channel');
    this.nodes.forEach((node, k) => { node.begin(cycle, readings[k] ?? []); });
    const rounds: readonly Round[] = roundsOf(this.cfg.algorithm) === 2 ? [1, 2] : [1];
    for (const round of rounds) {
      this.nodes.forEach((node, k) => { if (k !== this.adversary?.node) this.sendAll(k, node.outgoing(round)); });
      this.sendAdversary(cycle, round, this.adversary === undefined ? [] : (this.nodes[this.adversary.node]?.outgoing(round) ?? []));
      const delivered = yield;
      for (const d of delivered) this.deliverInput(cycle, round, d);
    }
    this.nodes.forEach((node, k) => { this.proofMasks[k] = node.decide(this.vectors[k] ?? new Float64Array(0)); });
    return this.vectors;
  }

  private *commandSteps(cycle: number, commands: readonly ArrayLike<number>[]): Steps<Float64Array> {
    assert(commands.length === this.cfg.channelCount, 'sendCommands: one command per channel');
    const { medium, algorithm } = this.cfg;
    const honest = commands.map((c, k): Outgoing => {
      const values = Float64Array.from({ length: this.cfg.axisCount }, (_, a) => c[a] ?? Number.NaN);
      const signer = this.auth?.signers[k];
      const message: ExchangeMessage = algorithm === 'sm1' && signer !== undefined
        ? signDirect(signer, k, cycle, values)
        : { type: 'direct', origin: k, relayer: NO_RELAYER, cycle, values, signatures: [] };
      return { to: medium === 'can' ? BROADCAST : this.voter, message };
    });
    honest.forEach((o, k) => { if (k !== this.adversary?.node) this.sendAll(k, [o]); });
    const faulty = this.adversary === undefined ? undefined : honest[this.adversary.node];
    this.sendAdversary(cycle, 'command', faulty === undefined ? [] : [faulty]);
    const delivered = yield;
    this.voterView.fill(Number.NaN);
    const seen = new Uint8Array(this.cfg.channelCount);
    for (const d of delivered) {
      if (d.to === this.adversary?.node) this.adversary.observe?.(cycle, 'command', d);
      if (d.to !== this.voter) continue; // channels ignore command frames
      const reason = this.acceptCommand(cycle, d, seen);
      if (reason !== undefined) this.rejected[reason]++;
    }
    return this.voterView;
  }

  /** Runs `steps` on the emulated medium (synchronously). */
  private driveEmulated<R>(steps: Steps<R>): R {
    assert(!this.carrying, 'AgreementExchange: an exchange over a transport is in flight');
    let step = steps.next();
    for (let round = 0; step.done !== true; round++) {
      assert(round < ROUNDS_PER_CALL_MAX, 'AgreementExchange: too many rounds');
      step = steps.next(this.fabric.deliver());
    }
    return step.value;
  }

  /** Runs `steps` with each round carried by `transport`. */
  private async driveOver<R>(transport: LinkTransport, steps: Steps<R>): Promise<R> {
    assert(!this.carrying, 'AgreementExchange: one exchange over a transport at a time');
    assert(this.cfg.medium === 'p2p', 'AgreementExchange: a link transport carries p2p rounds');
    this.carrying = true;
    try {
      let step = steps.next();
      for (let round = 0; step.done !== true; round++) {
        assert(round < ROUNDS_PER_CALL_MAX, 'AgreementExchange: too many rounds');
        const arrivals = await transport.carry(this.fabric.takeRound());
        step = steps.next(this.fabric.arrive(arrivals));
      }
      return step.value;
    } finally {
      this.carrying = false;
    }
  }

  private acceptCommand(cycle: number, d: Delivery, seen: Uint8Array): RejectReason | undefined {
    const decoded = decodeExchangeMessage(d.bytes);
    if (!decoded.ok || decoded.value.values.length !== this.cfg.axisCount) return 'malformed';
    const m = decoded.value;
    if (m.cycle !== cycle) return 'stale';
    if (m.type !== 'direct' || m.origin >= this.cfg.channelCount) return 'bad_origin';
    if (this.cfg.medium === 'p2p' && d.link !== m.origin) return 'link_mismatch';
    if (this.cfg.algorithm === 'sm1' && (this.auth === undefined || !signaturesValid(this.auth.verifier, m))) return 'bad_signature';
    if (this.cfg.medium === 'p2p' && seen[m.origin] === 1) return 'duplicate';
    seen[m.origin] = 1;
    this.voterView.set(m.values, m.origin * this.cfg.axisCount); // on CAN the last frame wins
    return undefined;
  }

  private deliverInput(cycle: number, round: Round, d: Delivery): void {
    if (d.to === this.adversary?.node) this.adversary.observe?.(cycle, round, d);
    const node = this.nodes[d.to];
    if (node === undefined) return; // the voter takes no part in the input exchange
    const reason = node.receive(round, d.link, d.bytes);
    if (reason !== undefined) this.rejected[reason]++;
  }

  private sendAll(from: number, out: readonly Outgoing[]): void {
    for (const t of encodeOutgoing(out)) this.fabric.send(from, t.to, t.bytes);
  }

  private sendAdversary(cycle: number, phase: Phase, honest: readonly Outgoing[]): void {
    const adversary = this.adversary;
    if (adversary === undefined) return;
    const ctx: AdversaryContext = { cfg: this.cfg, cycle, phase, voter: this.voter, signer: this.auth?.signers[adversary.node] };
    for (const t of adversary.transmit(ctx, honest)) this.fabric.send(adversary.node, t.to, t.bytes);
  }
}
