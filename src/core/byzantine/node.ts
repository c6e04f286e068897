/**
 * One channel's side of the input exchange (docs/BYZANTINE.md, "Algorithms"). Per cycle:
 * `begin(cycle, reading)`, then for each round `outgoing(round)` and `receive(round, …)` for
 * every delivery, then `decide(vector)`, which writes what this channel believes every
 * channel's reading is (NaN = no value) and returns a mask of channels proven faulty.
 *
 * Algorithms:
 * - 'broadcast' (CAN): one round; every receiver sees the same frame; no sender identity,
 *   so the last frame claiming an origin wins.
 * - 'plain' (p2p, 3 channels): one round; a direct message must arrive on its origin's link.
 * - 'om1' (p2p, 4 channels): Lamport–Shostak–Pease OM(1) — round 2 relays every value received
 *   in round 1; the decision for origin k is the strict majority of the direct value and the
 *   relays, or no value. Agreement and validity with one traitor among 4 (3f + 1).
 * - 'sm1' (p2p, signed): SM(1) — values are signed by their origin, relayed (up to two distinct
 *   values per origin) with the relayer's countersignature; one distinct valid value is taken,
 *   two prove the origin faulty (its slot is empty at every healthy channel alike). Distinct
 *   means a different statement (sameStatement): an honest NaN ("no reading") is one value.
 * Every message carries the cycle; one of another cycle is rejected (replay).
 */
import { assert } from '../assert.js';
import type { Signer, Verifier } from './auth.js';
import { BROADCAST, UNKNOWN_LINK } from './fabric.js';
import {
  decodeExchangeMessage, messageBody, NO_RELAYER, originSignedBytes, relaySignedBytes, sameStatement, sameValues, SIGNATURES_MAX,
  type ExchangeMessage,
} from './message.js';

export type ExchangeAlgorithm = 'broadcast' | 'plain' | 'om1' | 'sm1';
export type Round = 1 | 2;
export const CHANNELS_MAX = 4;

export type RejectReason =
  | 'malformed' | 'stale' | 'bad_origin' | 'wrong_round' | 'link_mismatch' | 'bad_signature' | 'bad_relayer' | 'duplicate';

export const REJECT_REASONS: readonly RejectReason[] = [
  'malformed', 'stale', 'bad_origin', 'wrong_round', 'link_mismatch', 'bad_signature', 'bad_relayer', 'duplicate',
];

export interface Outgoing {
  /** Receiver node, or BROADCAST. */
  readonly to: number;
  readonly message: ExchangeMessage;
}

export interface NodeAuth {
  readonly signer: Signer;
  readonly verifier: Verifier;
}

export interface NodeConfig {
  readonly algorithm: ExchangeAlgorithm;
  readonly channelCount: number;
  readonly axisCount: number;
}

interface SignedValue {
  readonly values: Float64Array;
  readonly originSignature: Uint8Array;
}

/** Rounds each algorithm uses. */
export function roundsOf(algorithm: ExchangeAlgorithm): 1 | 2 {
  return algorithm === 'om1' || algorithm === 'sm1' ? 2 : 1;
}

/** Signs a direct message of `origin` (signed exchange). */
export function signDirect(signer: Signer, origin: number, cycle: number, values: Float64Array): ExchangeMessage {
  const signature = signer.sign(originSignedBytes(messageBody(origin, cycle, values)));
  return { type: 'direct', origin, relayer: NO_RELAYER, cycle, values, signatures: [{ signer: origin, bytes: signature }] };
}

/** Verifies origin (and on a relay, relayer) signatures of a decoded message. */
export function signaturesValid(verifier: Verifier, m: ExchangeMessage): boolean {
  const expected = m.type === 'direct' ? 1 : 2;
  const first = m.signatures[0];
  if (m.signatures.length !== expected || first?.signer !== m.origin) return false;
  const body = messageBody(m.origin, m.cycle, m.values);
  if (!verifier.verify(m.origin, originSignedBytes(body), first.bytes)) return false;
  if (m.type === 'direct') return true;
  const second = m.signatures[1];
  if (second?.signer !== m.relayer) return false;
  return verifier.verify(m.relayer, relaySignedBytes(m.relayer, body, first.bytes), second.bytes);
}

/** Verifies only the relayer's countersignature of a relay (its origin signature is known good). */
function countersignatureValid(verifier: Verifier, m: ExchangeMessage): boolean {
  const first = m.signatures[0];
  const second = m.signatures[1];
  if (m.type !== 'relay' || m.signatures.length !== 2 || first?.signer !== m.origin || second?.signer !== m.relayer) return false;
  return verifier.verify(m.relayer, relaySignedBytes(m.relayer, messageBody(m.origin, m.cycle, m.values), first.bytes), second.bytes);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ExchangeNode {
  private cycle = -1;
  private readonly reading: Float64Array;
  private readonly direct: (Float64Array | undefined)[];
  private readonly relayed: (Float64Array | undefined)[];
  private readonly signed: SignedValue[][];
  private readonly signedRelayed: SignedValue[][];

  constructor(readonly id: number, private readonly cfg: NodeConfig, private readonly auth?: NodeAuth) {
    const n = cfg.channelCount;
    assert(Number.isInteger(n) && n >= 3 && n <= CHANNELS_MAX, `ExchangeNode: bad channelCount ${n}`);
    assert(id >= 0 && id < n, `ExchangeNode: bad id ${id}`);
    assert(cfg.algorithm !== 'sm1' || auth?.signer.node === id, 'ExchangeNode: sm1 needs this node\'s signer');
    assert(cfg.algorithm !== 'om1' || n >= 4, 'ExchangeNode: OM(1) needs 4 channels (3f + 1)');
    this.reading = new Float64Array(cfg.axisCount);
    this.direct = new Array<Float64Array | undefined>(n).fill(undefined);
    this.relayed = new Array<Float64Array | undefined>(n * n).fill(undefined);
    this.signed = Array.from({ length: n }, () => []);
    this.signedRelayed = Array.from({ length: n }, () => []);
  }

  begin(cycle: number, reading: ArrayLike<number>): void {
    assert(Number.isInteger(cycle) && cycle >= 0 && cycle <= 0xffffffff, `ExchangeNode.begin: bad cycle ${cycle}`);
    assert(reading.length === this.cfg.axisCount, 'ExchangeNode.begin: reading length');
    this.cycle = cycle;
    for (let a = 0; a < this.cfg.axisCount; a++) this.reading[a] = reading[a] ?? Number.NaN;
    this.direct.fill(undefined);
    this.relayed.fill(undefined);
    for (const s of this.signed) s.length = 0;
    for (const s of this.signedRelayed) s.length = 0;
  }

  /** The messages this (honest) node sends in `round`. */
  outgoing(round: Round): Outgoing[] {
    const { algorithm } = this.cfg;
    if (round === 1) {
      const values = Float64Array.from(this.reading);
      const message: ExchangeMessage = this.auth !== undefined && algorithm === 'sm1'
        ? signDirect(this.auth.signer, this.id, this.cycle, values)
        : { type: 'direct', origin: this.id, relayer: NO_RELAYER, cycle: this.cycle, values, signatures: [] };
      return [{ to: BROADCAST, message }];
    }
    if (algorithm === 'om1') return this.omRelays();
    if (algorithm === 'sm1') return this.smRelays();
    return [];
  }

  /** Accepts or rejects one delivery; returns the reason of a rejection, or undefined. */
  receive(round: Round, link: number, bytes: Uint8Array): RejectReason | undefined {
    const decoded = decodeExchangeMessage(bytes);
    if (!decoded.ok || decoded.value.values.length !== this.cfg.axisCount) return 'malformed';
    const m = decoded.value;
    if (m.cycle !== this.cycle) return 'stale';
    if (m.origin >= this.cfg.channelCount || m.origin === this.id) return 'bad_origin';
    if ((round === 1) !== (m.type === 'direct')) return 'wrong_round';
    switch (this.cfg.algorithm) {
      case 'broadcast':
        this.direct[m.origin] = m.values; // CAN mailbox: the last frame with the identifier wins
        return undefined;
      case 'plain':
      case 'om1':
        return this.receiveUnsigned(link, m);
      case 'sm1':
        return this.receiveSigned(m);
    }
  }

  /**
   * Writes channelCount × axisCount values (row k = channel k's reading as decided here; NaN =
   * none) into `vector`; returns the mask of channels proven faulty (SM(1) only).
   */
  decide(vector: Float64Array): number {
    const { channelCount: n, axisCount } = this.cfg;
    assert(vector.length >= n * axisCount, 'ExchangeNode.decide: vector too short');
    vector.fill(Number.NaN, 0, n * axisCount);
    vector.set(this.reading, this.id * axisCount);
    let proofMask = 0;
    for (let k = 0; k < n; k++) {
      if (k === this.id) continue;
      const chosen = this.choose(k);
      if (chosen === 'proof') proofMask |= 1 << k;
      else if (chosen !== undefined) vector.set(chosen, k * axisCount);
    }
    return proofMask;
  }

  private choose(k: number): Float64Array | undefined | 'proof' {
    switch (this.cfg.algorithm) {
      case 'broadcast':
      case 'plain':
        return this.direct[k];
      case 'om1':
        return this.majority(k);
      case 'sm1': {
        const set = this.signed[k] ?? [];
        if (set.length >= 2) return 'proof';
        return set[0]?.values;
      }
    }
  }

  private receiveUnsigned(link: number, m: ExchangeMessage): RejectReason | undefined {
    if (m.type === 'direct') {
      if (link === UNKNOWN_LINK || link !== m.origin) return 'link_mismatch';
      if (this.direct[m.origin] !== undefined) return 'duplicate';
      this.direct[m.origin] = m.values;
      return undefined;
    }
    if (this.cfg.algorithm !== 'om1') return 'wrong_round';
    if (link !== m.relayer) return 'link_mismatch';
    if (m.relayer >= this.cfg.channelCount || m.relayer === m.origin || m.relayer === this.id) return 'bad_relayer';
    const slot = m.origin * this.cfg.channelCount + m.relayer;
    if (this.relayed[slot] !== undefined) return 'duplicate';
    this.relayed[slot] = m.values;
    return undefined;
  }

  private receiveSigned(m: ExchangeMessage): RejectReason | undefined {
    const auth = this.auth;
    assert(auth !== undefined, 'sm1 without auth');
    if (m.type === 'relay' && (m.relayer >= this.cfg.channelCount || m.relayer === m.origin || m.relayer === this.id)) return 'bad_relayer';
    const originSignature = m.signatures[0]?.bytes ?? new Uint8Array(0);
    const set = this.signed[m.origin] ?? [];
    // Saving: a relay whose origin signature is byte-identical to one verified in round 1 over
    // the same values needs only its countersignature checked (the origin part is the same bytes).
    // Values are compared as statements (sameStatement): NaN, "no value", is one value, not two.
    const known = m.type === 'relay' && set.some((s) => sameStatement(s.values, m.values) && sameBytes(s.originSignature, originSignature));
    if (!(known ? countersignatureValid(auth.verifier, m) : signaturesValid(auth.verifier, m))) return 'bad_signature';
    if (set.some((s) => sameStatement(s.values, m.values))) return undefined; // a relay confirming a known value
    if (set.length >= SIGNATURES_MAX) return 'duplicate'; // two distinct values already prove the fault
    set.push({ values: m.values, originSignature });
    if (m.type === 'direct') this.signedRelayed[m.origin]?.push({ values: m.values, originSignature });
    return undefined;
  }

  private majority(k: number): Float64Array | undefined {
    const n = this.cfg.channelCount;
    const candidates: Float64Array[] = [];
    const d = this.direct[k];
    if (d !== undefined) candidates.push(d);
    for (let r = 0; r < n; r++) {
      if (r === k || r === this.id) continue;
      const v = this.relayed[k * n + r];
      if (v !== undefined) candidates.push(v);
    }
    const needed = Math.floor((n - 1) / 2) + 1; // strict majority of the n − 1 reports
    for (const c of candidates) {
      let count = 0;
      for (const other of candidates) if (sameValues(c, other)) count++;
      if (count >= needed) return c;
    }
    return undefined;
  }

  private omRelays(): Outgoing[] {
    const out: Outgoing[] = [];
    for (let k = 0; k < this.cfg.channelCount; k++) {
      const values = this.direct[k];
      if (k === this.id || values === undefined) continue;
      const message: ExchangeMessage = { type: 'relay', origin: k, relayer: this.id, cycle: this.cycle, values, signatures: [] };
      for (let r = 0; r < this.cfg.channelCount; r++) if (r !== k && r !== this.id) out.push({ to: r, message });
    }
    return out;
  }

  private smRelays(): Outgoing[] {
    const auth = this.auth;
    assert(auth !== undefined, 'sm1 without auth');
    const out: Outgoing[] = [];
    for (let k = 0; k < this.cfg.channelCount; k++) {
      if (k === this.id) continue;
      for (const s of this.signedRelayed[k] ?? []) {
        const body = messageBody(k, this.cycle, s.values);
        const countersignature = auth.signer.sign(relaySignedBytes(this.id, body, s.originSignature));
        const message: ExchangeMessage = {
          type: 'relay', origin: k, relayer: this.id, cycle: this.cycle, values: s.values,
          signatures: [{ signer: k, bytes: s.originSignature }, { signer: this.id, bytes: countersignature }],
        };
        for (let r = 0; r < this.cfg.channelCount; r++) if (r !== k && r !== this.id) out.push({ to: r, message });
      }
    }
    return out;
  }
}
