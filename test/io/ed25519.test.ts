import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Ed25519Signer, Ed25519Verifier, keyringFromSeed, loadKeyring, privateKeyFromSeed } from '../../src/io/ed25519.js';
import { createPublicKey } from 'node:crypto';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

describe('Ed25519 signer and verifier', () => {
  test('RFC 8032 section 7.1 test 1: the known signature of the empty message', () => {
    const key = privateKeyFromSeed(hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
    const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
    expect(Buffer.from(spki.subarray(-32)).toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = new Ed25519Signer(0, key).sign(new Uint8Array(0));
    expect(Buffer.from(sig).toString('hex')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
  });

  test('verifies its own signatures and rejects any change, another signer, or a bad length', () => {
    const { signers, verifier } = keyringFromSeed(7, 3);
    const msg = Uint8Array.of(1, 2, 3);
    const sig = signers[1]!.sign(msg);
    expect(verifier.verify(1, msg, sig)).toBe(true);
    expect(verifier.verify(0, msg, sig)).toBe(false);
    expect(verifier.verify(1, Uint8Array.of(1, 2, 4), sig)).toBe(false);
    const flipped = Uint8Array.from(sig); flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(verifier.verify(1, msg, flipped)).toBe(false);
    expect(verifier.verify(1, msg, sig.subarray(0, 63))).toBe(false);
    expect(verifier.verify(9, msg, sig)).toBe(false);
  });

  test('test keyrings are a pure function of the seed', () => {
    const msg = Uint8Array.of(9);
    expect(keyringFromSeed(3, 2).signers[0]!.sign(msg)).toEqual(keyringFromSeed(3, 2).signers[0]!.sign(msg));
    expect(keyringFromSeed(3, 2).signers[0]!.sign(msg)).not.toEqual(keyringFromSeed(4, 2).signers[0]!.sign(msg));
  });
});

describe('loadKeyring (provisioned PEM files)', () => {
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  async function provision(count: number): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'triplex-keys-'));
    dirs.push(dir);
    for (let k = 0; k < count; k++) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const letter = 'ABCD'[k] ?? 'X';
      await writeFile(path.join(dir, `channel-${letter}.key`), privateKey.export({ format: 'pem', type: 'pkcs8' }));
      await writeFile(path.join(dir, `channel-${letter}.pub`), publicKey.export({ format: 'pem', type: 'spki' }));
    }
    return dir;
  }

  test('loads signers and a verifier that accepts their signatures', async () => {
    const dir = await provision(3);
    const r = await loadKeyring(dir, 3);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const sig = r.value.signers[2]!.sign(Uint8Array.of(5));
    expect(r.value.verifier.verify(2, Uint8Array.of(5), sig)).toBe(true);
    const pub = await loadKeyring(dir, 3, true);
    expect(pub.ok && pub.value.signers.length === 0 && pub.value.verifier.verify(2, Uint8Array.of(5), sig)).toBe(true);
  });

  test('names the missing or mismatched file', async () => {
    const dir = await provision(2);
    expect(await loadKeyring(dir, 3)).toMatchObject({ ok: false, error: { code: 'key_unreadable', file: path.join(dir, 'channel-C.pub') } });
    const other = generateKeyPairSync('ed25519');
    await writeFile(path.join(dir, 'channel-B.pub'), other.publicKey.export({ format: 'pem', type: 'spki' }));
    const r = await loadKeyring(dir, 2);
    expect(r).toMatchObject({ ok: false, error: { code: 'key_unreadable', file: path.join(dir, 'channel-B.key') } });
    expect(new Ed25519Verifier([]).verify(0, new Uint8Array(1), new Uint8Array(64))).toBe(false);
  });
});
