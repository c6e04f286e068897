/**
 * Byzantine behaviours of one faulty channel (docs/BYZANTINE.md, "Faults"). Each is an
 * `Adversary` for AgreementExchange: given the messages the channel would send if it were
 * healthy, it returns what it actually transmits. It holds its own signing key only (a
 * radiation-hit channel still has its key; it cannot produce anyone else's signature).
 *
 * - 'symmetric': its own reading and command are off by `offset`, the same to every receiver.
 * - 'two-faced': different wrong values to different receivers (receivers in turn get +offset,
 *   −offset, +offset…), its own value and every relay; on CAN the medium allows one frame only.
 * - 'masquerade': its own value off by `offset`, plus forged messages that claim to come from
 *   `victim` (reading, relays, command) with the same wrong value.
 * - 'replay': sends its honest messages, plus verbatim copies of every message it sent or
 *   received `lagCycles` earlier in the same phase.
 * Before `fromCycle` every behaviour is honest.
 */
import { assert } from '../assert.js';
import { BROADCAST, type Delivery } from './fabric.js';
import { messageBody, originSignedBytes, relaySignedBytes, type ExchangeMessage, type Signature } from './message.js';
import type { Adversary, AdversaryContext, Phase, Transmission } from './exchange.js';
import { encodeOutgoing } from './exchange.js';
import type { Outgoing } from './node.js';

export type ByzantineBehaviour = 'symmetric' | 'two-faced' | 'masquerade' | 'replay';
export const BYZANTINE_BEHAVIOURS: readonly ByzantineBehaviour[] = ['symmetric', 'two-faced', 'masquerade', 'replay'];
export const REPLAY_LAG_MAX = 16;
export const REPLAY_MESSAGES_MAX = 64;

export interface AdversarySpec {
  readonly behaviour: ByzantineBehaviour;
  readonly node: number;
  readonly fromCycle: number;
  /** Added to every lied-about value. */
  readonly offset: number;
  /** Masquerade: the channel impersonated. */
  readonly victim?: number;
  /** Replay: how many cycles old the replayed messages are (1..REPLAY_LAG_MAX). */
  readonly lagCycles?: number;
}

function shifted(values: Float64Array, offset: number): Float64Array {
  return Float64Array.from(values, (v) => v + offset);
}

/**
 * `m` with `values` and claimed origin/relayer, signed as well as the faulty node can: its own
 * key for what it originates or relays; signatures claimed for other nodes are made with its
 * own key too (they will not verify — that is the point of the test).
 */
function forge(m: ExchangeMessage, values: Float64Array, ctx: AdversaryContext, claim: { origin: number; relayer: number }): ExchangeMessage {
  const base: ExchangeMessage = { ...m, values, origin: claim.origin, relayer: claim.relayer, signatures: [] };
  const signer = ctx.signer;
  if (m.signatures.length === 0 || signer === undefined) return base;
  const body = messageBody(claim.origin, m.cycle, values);
  const originSig: Signature = claim.origin === signer.node || m.type === 'direct'
    ? { signer: claim.origin, bytes: signer.sign(originSignedBytes(body)) }
    : { signer: claim.origin, bytes: m.signatures[0]?.bytes ?? new Uint8Array(64) };
  if (m.type === 'direct') return { ...base, signatures: [originSig] };
  const relaySig: Signature = { signer: claim.relayer, bytes: signer.sign(relaySignedBytes(claim.relayer, body, originSig.bytes)) };
  return { ...base, signatures: [originSig, relaySig] };
}

function receiversOf(ctx: AdversaryContext, node: number, to: number): number[] {
  if (to !== BROADCAST) return [to];
  const all: number[] = [];
  for (let r = 0; r < ctx.cfg.channelCount; r++) if (r !== node) all.push(r);
  return all;
}

function symmetric(spec: AdversarySpec, ctx: AdversaryContext, honest: readonly Outgoing[]): Transmission[] {
  return encodeOutgoing(honest.map((o) => {
    const m = o.message;
    if (m.type !== 'direct') return o;
    return { to: o.to, message: forge(m, shifted(m.values, spec.offset), ctx, { origin: m.origin, relayer: m.relayer }) };
  }));
}

function twoFaced(spec: AdversarySpec, ctx: AdversaryContext, honest: readonly Outgoing[]): Transmission[] {
  const out: Outgoing[] = [];
  for (const o of honest) {
    const m = o.message;
    const claim = { origin: m.origin, relayer: m.relayer };
    if (ctx.cfg.medium === 'can') {
      out.push({ to: o.to, message: forge(m, shifted(m.values, spec.offset), ctx, claim) });
      continue;
    }
    receiversOf(ctx, spec.node, o.to).forEach((r, i) => {
      const sign = i % 2 === 0 ? 1 : -1;
      out.push({ to: r, message: forge(m, shifted(m.values, sign * spec.offset), ctx, claim) });
    });
  }
  return encodeOutgoing(out);
}

function masquerade(spec: AdversarySpec, ctx: AdversaryContext, honest: readonly Outgoing[]): Transmission[] {
  const victim = spec.victim ?? (spec.node + 1) % ctx.cfg.channelCount;
  const out: Outgoing[] = [];
  for (const o of honest) {
    const m = o.message;
    const lie = shifted(m.values, m.type === 'direct' ? spec.offset : 0);
    out.push({ to: o.to, message: forge(m, lie, ctx, { origin: m.origin, relayer: m.relayer }) });
    const claim = m.type === 'direct' ? { origin: victim, relayer: m.relayer } : { origin: m.origin, relayer: victim };
    if (claim.origin === claim.relayer) continue;
    out.push({ to: o.to, message: forge(m, shifted(m.values, spec.offset), ctx, claim) });
  }
  return encodeOutgoing(out);
}

class ReplayAdversary implements Adversary {
  private readonly recorded: Map<string, Uint8Array[]> = new Map<string, Uint8Array[]>();

  constructor(readonly spec: AdversarySpec) {
    const lag = spec.lagCycles ?? 1;
    assert(Number.isInteger(lag) && lag >= 1 && lag <= REPLAY_LAG_MAX, `replay: lagCycles must be 1..${REPLAY_LAG_MAX}`);
  }

  get node(): number {
    return this.spec.node;
  }

  observe(cycle: number, phase: Phase, delivery: Delivery): void {
    this.record(cycle, phase, delivery.bytes);
  }

  transmit(ctx: AdversaryContext, honest: readonly Outgoing[]): readonly Transmission[] {
    const out = encodeOutgoing(honest);
    for (const t of out) this.record(ctx.cycle, ctx.phase, t.bytes);
    const lag = this.spec.lagCycles ?? 1;
    this.forget(ctx.cycle - lag - 1);
    if (ctx.cycle < this.spec.fromCycle) return out;
    const to = ctx.cfg.medium === 'can' ? BROADCAST : ctx.phase === 'command' ? ctx.voter : BROADCAST;
    for (const bytes of this.recorded.get(key(ctx.cycle - lag, ctx.phase)) ?? []) out.push({ to, bytes });
    return out;
  }

  private record(cycle: number, phase: Phase, bytes: Uint8Array): void {
    const k = key(cycle, phase);
    const list = this.recorded.get(k) ?? [];
    if (list.length < REPLAY_MESSAGES_MAX) list.push(bytes);
    this.recorded.set(k, list);
  }

  private forget(cycle: number): void {
    for (const phase of [1, 2, 'command'] as const) this.recorded.delete(key(cycle, phase));
  }
}

function key(cycle: number, phase: Phase): string {
  return `${cycle}:${String(phase)}`;
}

/** Builds the adversary of `spec`. */
export function makeAdversary(spec: AdversarySpec): Adversary {
  assert(Number.isInteger(spec.node) && spec.node >= 0, 'makeAdversary: bad node');
  assert(Number.isFinite(spec.offset), 'makeAdversary: offset must be finite');
  if (spec.behaviour === 'replay') return new ReplayAdversary(spec);
  const lie = spec.behaviour === 'symmetric' ? symmetric : spec.behaviour === 'two-faced' ? twoFaced : masquerade;
  return {
    node: spec.node,
    transmit: (ctx, honest) => (ctx.cycle < spec.fromCycle ? encodeOutgoing(honest) : lie(spec, ctx, honest)),
  };
}
