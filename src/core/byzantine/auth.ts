/**
 * Authentication ports of the signed exchange (SM(1)). The pure core only sees these two
 * interfaces; the Ed25519 implementation (node:crypto) lives in src/io/ed25519.ts and is
 * injected. Why Ed25519 and not per-pair HMAC keys: SM(1) needs *transferable* signatures —
 * a relayer must be able to prove to a third node what the origin said, which a MAC shared by
 * one pair cannot do (docs/BYZANTINE.md, "Why signatures, not MACs").
 */

/** Signs with one node's private key (each node holds only its own). */
export interface Signer {
  readonly node: number;
  sign(message: Uint8Array): Uint8Array;
}

/** Verifies any node's signature (holds every node's public key). */
export interface Verifier {
  verify(node: number, message: Uint8Array, signature: Uint8Array): boolean;
}
