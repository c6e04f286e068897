/**
 * Cost of the agreement layer (docs/BYZANTINE.md, "Performance"): Ed25519 sign and verify
 * (node:crypto), the signatures and verifications one cycle of each mode needs, the wall time
 * of one whole exchange cycle (inputs for all channels + commands to the voter, all nodes on
 * one core, emulated fabric) and the highest cycle rate that implies, per mode.
 */
import { AgreementExchange, resolveAlgorithm, type AuthSet } from '../core/byzantine/exchange.js';
import type { Signer, Verifier } from '../core/byzantine/auth.js';
import type { Medium } from '../core/byzantine/fabric.js';
import { keyringFromSeed } from '../io/ed25519.js';
import { timeIt, type BenchSuite } from './harness.js';

const AXES = 6;

interface Mode {
  readonly name: string;
  readonly medium: Medium;
  readonly exchange: 'plain' | 'signed';
  readonly channelCount: number;
}

const MODES: readonly Mode[] = [
  { name: 'can broadcast 3ch', medium: 'can', exchange: 'plain', channelCount: 3 },
  { name: 'p2p plain 3ch', medium: 'p2p', exchange: 'plain', channelCount: 3 },
  { name: 'p2p OM(1) 4ch', medium: 'p2p', exchange: 'plain', channelCount: 4 },
  { name: 'p2p signed SM(1) 3ch', medium: 'p2p', exchange: 'signed', channelCount: 3 },
  { name: 'p2p signed SM(1) 4ch', medium: 'p2p', exchange: 'signed', channelCount: 4 },
];

/** Wraps a keyring to count operations. */
function counting(auth: AuthSet): { auth: AuthSet; counts: { signs: number; verifies: number } } {
  const counts = { signs: 0, verifies: 0 };
  const signers: Signer[] = auth.signers.map((s) => ({ node: s.node, sign: (m: Uint8Array) => { counts.signs++; return s.sign(m); } }));
  const verifier: Verifier = { verify: (n, m, sig) => { counts.verifies++; return auth.verifier.verify(n, m, sig); } };
  return { auth: { signers, verifier }, counts };
}

function cycleCase(mode: Mode, auth: AuthSet): () => void {
  const algorithm = resolveAlgorithm(mode.medium, mode.exchange, mode.channelCount);
  if (algorithm === undefined) throw new Error(`mode ${mode.name} not offered`);
  const ex = new AgreementExchange({ medium: mode.medium, algorithm, channelCount: mode.channelCount, axisCount: AXES }, auth);
  const readings = Array.from({ length: mode.channelCount }, (_, k) => Float64Array.from({ length: AXES }, (_, a) => Math.sin(a + k * 1e-3)));
  let cycle = 0;
  return () => {
    const vectors = ex.exchangeInputs(cycle, readings);
    ex.sendCommands(cycle, vectors.map((v) => v.subarray(0, AXES)));
    cycle++;
  };
}

export const suite: BenchSuite = {
  name: 'byzantine',
  run(report, options) {
    const keys = keyringFromSeed(1, 4);
    const message = new Uint8Array(1 + 6 + 8 * AXES);
    const signature = keys.signers[0]?.sign(message) ?? new Uint8Array(64);
    const ms = Math.max(30, Math.round(300 * options.scale));
    report({ name: 'ed25519 sign', impl: 'node:crypto', usPerOp: Math.round(timeIt(() => keys.signers[0]?.sign(message), ms) / 10) / 100 });
    report({ name: 'ed25519 verify', impl: 'node:crypto', usPerOp: Math.round(timeIt(() => keys.verifier.verify(0, message, signature), ms) / 10) / 100 });
    for (const mode of MODES) {
      const { auth, counts } = counting(keys);
      const step = cycleCase(mode, auth);
      step();
      const signs = counts.signs;
      const verifies = counts.verifies;
      const nsPerCycle = timeIt(step, ms);
      report({
        name: mode.name, impl: 'emulated fabric', signsPerCycle: signs, verifiesPerCycle: verifies,
        usPerCycle: Math.round(nsPerCycle / 100) / 10, cycleRateHzMax: Math.floor(1e9 / nsPerCycle),
      });
    }
  },
};
