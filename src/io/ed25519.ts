/**
 * Ed25519 signatures (RFC 8032, node:crypto) for the signed exchange: the Signer/Verifier
 * ports of src/core/byzantine/auth.ts. Each channel holds its own private key; every channel
 * and the voter hold all public keys. Key provisioning: docs/BYZANTINE.md, "Keys".
 *
 * - `keyringFromSeed(seed, count)`: deterministic keys for emulated runs and tests only (the
 *   private keys follow from the run seed, which is printed — never use them on hardware).
 * - `loadKeyring(dir, count)`: keys provisioned as PEM files `channel-A.key` (PKCS#8, private)
 *   and `channel-A.pub` (SPKI, public) … as `openssl genpkey -algorithm ed25519` writes them;
 *   a node that must not sign (the voter) needs only the `.pub` files (`publicOnly`).
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Signer, Verifier } from '../core/byzantine/auth.js';
import type { AuthSet } from '../core/byzantine/exchange.js';
import { err, ok, type Result } from '../core/result.js';

export const ED25519_SIGNATURE_BYTES = 64;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const CHANNEL_LETTERS = ['A', 'B', 'C', 'D'] as const;

export class Ed25519Signer implements Signer {
  constructor(readonly node: number, private readonly privateKey: KeyObject) {}

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.privateKey));
  }
}

export class Ed25519Verifier implements Verifier {
  constructor(private readonly publicKeys: readonly KeyObject[]) {}

  verify(node: number, message: Uint8Array, signature: Uint8Array): boolean {
    const key = this.publicKeys[node];
    if (key === undefined || signature.length !== ED25519_SIGNATURE_BYTES) return false;
    return verify(null, message, key, signature);
  }
}

/** The Ed25519 private key whose 32-byte RFC 8032 seed is `seed32`. */
export function privateKeyFromSeed(seed32: Uint8Array): KeyObject {
  if (seed32.length !== 32) throw new RangeError('Ed25519 seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed32]), format: 'der', type: 'pkcs8' });
}

/** Deterministic test keyring: channel k's seed is SHA-256("triplex-ed25519-test" ‖ seed ‖ k). */
export function keyringFromSeed(seed: number, count: number): AuthSet {
  const privateKeys = Array.from({ length: count }, (_, k) =>
    privateKeyFromSeed(createHash('sha256').update(`triplex-ed25519-test:${seed}:${k}`).digest()));
  return {
    signers: privateKeys.map((key, k) => new Ed25519Signer(k, key)),
    verifier: new Ed25519Verifier(privateKeys.map((key) => createPublicKey(key))),
  };
}

export type KeyringError = { readonly code: 'key_unreadable'; readonly file: string; readonly reason: string };

async function readKey(file: string, kind: 'private' | 'public'): Promise<Result<KeyObject, KeyringError>> {
  try {
    const pem = await readFile(file, 'utf8');
    const key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') return err({ code: 'key_unreadable', file, reason: `not an Ed25519 key (${String(key.asymmetricKeyType)})` });
    return ok(key);
  } catch (e) {
    return err({ code: 'key_unreadable', file, reason: e instanceof Error ? e.message.split('\n')[0] ?? 'error' : 'error' });
  }
}

/**
 * Loads `count` channels' keys from `dir`. With `publicOnly` the signers list is empty (the
 * voter's and the Pi's view). Returns an error naming the first bad file.
 */
export async function loadKeyring(dir: string, count: number, publicOnly = false): Promise<Result<AuthSet, KeyringError>> {
  const publicKeys: KeyObject[] = [];
  const signers: Signer[] = [];
  for (let k = 0; k < count; k++) {
    const letter = CHANNEL_LETTERS[k] ?? 'X';
    const pub = await readKey(path.join(dir, `channel-${letter}.pub`), 'public');
    if (!pub.ok) return pub;
    publicKeys.push(pub.value);
    if (publicOnly) continue;
    const priv = await readKey(path.join(dir, `channel-${letter}.key`), 'private');
    if (!priv.ok) return priv;
    const derived = createPublicKey(priv.value).export({ format: 'der', type: 'spki' });
    if (!derived.equals(pub.value.export({ format: 'der', type: 'spki' }))) {
      return err({ code: 'key_unreadable', file: path.join(dir, `channel-${letter}.key`), reason: 'private key does not match the .pub file' });
    }
    signers.push(new Ed25519Signer(k, priv.value));
  }
  return ok({ signers, verifier: new Ed25519Verifier(publicKeys) });
}
