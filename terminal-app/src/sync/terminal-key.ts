import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The terminal's Ed25519 identity. The private key is made on the kiosk and never leaves it: only the
 * public half is registered with the server at enrollment. It lives in the data folder readable by the
 * agent's user alone; a key file that others could read is refused, because it may have been copied.
 */
export interface TerminalKey {
  /** The raw 32-byte public key, unpadded base64url, as the enrollment request carries it. */
  publicKey: string;
  sign(bytes: Uint8Array): Uint8Array;
  verify(bytes: Uint8Array, signature: Uint8Array): boolean;
}

export const terminalKeyFile = 'terminal-key.pem';

function fromPrivateKey(privateKey: KeyObject): TerminalKey {
  const publicKey = createPublicKey(privateKey);
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('an Ed25519 public key exports its x coordinate');
  return {
    publicKey: x,
    // A null algorithm is Ed25519's own (it hashes internally).
    sign: (bytes) => new Uint8Array(sign(null, bytes, privateKey)),
    verify: (bytes, signature) => verify(null, bytes, publicKey, signature),
  };
}

/** The key file exists but others could read it: the kiosk refuses to use a key that may have been copied. */
export class ExposedTerminalKeyError extends Error {
  override name = 'ExposedTerminalKeyError';

  constructor(
    readonly file: string,
    readonly mode: number,
  ) {
    super(`${file} is readable by other users (mode ${mode.toString(8)}); it may be compromised`);
  }
}

export interface TerminalKeyLoad {
  key: TerminalKey;
  created: boolean;
}

export function loadOrCreateTerminalKey(dataDir: string): TerminalKeyLoad {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, terminalKeyFile);
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ExposedTerminalKeyError(file, mode);
    }
    return { key: fromPrivateKey(createPrivateKey(readFileSync(file))), created: false };
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  // Write beside, then rename: a crash mid-write leaves no half key that would lock the kiosk out.
  const partial = `${file}.partial`;
  writeFileSync(partial, pem, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, file);
  return { key: fromPrivateKey(privateKey), created: true };
}

/** Verifies an Ed25519 signature with a raw base64url public key, as the server does. */
export function verifyWithRawPublicKey(publicKey: string, bytes: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return verify(null, bytes, key, signature);
}
