import type { KeyObject } from 'node:crypto';
import { createPublicKey, verify } from 'node:crypto';

/**
 * Public keys parsed once and kept: building a KeyObject from its JWK costs about as much as a verify.
 * The cache holds immutable facts (a key string always means the same key), so several processes each
 * keeping their own is harmless; it is bounded, and cleared whole when full (rare, and cheap to refill).
 */
export const publicKeyCacheEntriesMax = 10_000;

const cache = new Map<string, KeyObject>();

function publicKeyObject(publicKey: string): KeyObject {
  let key = cache.get(publicKey);
  if (key === undefined) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    if (cache.size >= publicKeyCacheEntriesMax) cache.clear();
    cache.set(publicKey, key);
  }
  return key;
}

/** Ed25519 over `bytes` with a raw base64url public key; a key that does not parse verifies nothing. */
export function verifyEd25519(publicKey: string, bytes: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, bytes, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}
