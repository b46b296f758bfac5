import type { KeyObject } from 'node:crypto';
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  answerSignatureBase,
  contentDigestHeader,
  noncePattern,
  terminalHeaders,
  terminalIdPattern,
} from '@cashin/shared';

/**
 * The server's answer-signing key: Ed25519 from a 32-byte seed (SERVER_SIGNING_KEY), so every server
 * process configured alike signs with the same key. Kiosks pin its public half at enrollment.
 */
export interface ServerSigningKey {
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key, unpadded base64url, as the enrollment answer carries it. */
  readonly publicKey: string;
}

/**
 * Every server key kiosks are to believe, as enrollment and heartbeat answers list them (signed): the
 * signing key's first, then those of SERVER_TRUSTED_KEYS (a rollover), each once.
 */
export type ServerKeyList = readonly [signing: string, ...trusted: string[]];

export function serverKeyList(signingKey: ServerSigningKey, trusted: readonly string[]): ServerKeyList {
  return [signingKey.publicKey, ...trusted.filter((key) => key !== signingKey.publicKey)];
}

/** PKCS #8 DER of an Ed25519 private key holds its seed after this fixed prefix (RFC 8410). */
const ed25519Pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

export function serverSigningKeyFromSeed(seed: Buffer): ServerSigningKey {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({
    key: Buffer.concat([ed25519Pkcs8Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('an Ed25519 public key exports its x coordinate');
  return { privateKey, publicKey: x };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

function bodyBytes(payload: unknown): Buffer | undefined {
  if (payload === null || payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (Buffer.isBuffer(payload)) return payload;
  // A stream (no terminal route answers with one) cannot be digested here: left unsigned, the kiosk
  // believes it not.
  return undefined;
}

/**
 * Signs every answer to a request that came as a terminal's (it carries a well-formed terminal id and
 * nonce), refusals included: a kiosk told it is disabled or revoked can then trust that too. The hook runs
 * last among onSend hooks, after serialization, so it signs the bytes that are sent.
 *
 * Only the true answer to a request is ever signed: a machine in between that forwards a forged request
 * gets a signed refusal, never a signed `created` for money the server did not take.
 */
export function installAnswerSigning(app: FastifyInstance, key: ServerSigningKey): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const terminalId = single(request.headers[terminalHeaders.terminalId]);
    const nonce = single(request.headers[terminalHeaders.nonce]);
    if (terminalId === undefined || nonce === undefined) return done(null, payload);
    if (!terminalIdPattern.test(terminalId) || !noncePattern.test(nonce)) return done(null, payload);
    const body = bodyBytes(payload);
    if (body === undefined) return done(null, payload);
    const base = answerSignatureBase({
      path: request.url,
      terminalId,
      nonce,
      status: reply.statusCode,
      contentDigest: contentDigestHeader(createHash('sha256').update(body).digest('base64')),
    });
    const signature = sign(null, Buffer.from(base, 'utf8'), key.privateKey).toString('base64url');
    void reply.header(terminalHeaders.answerSignature, signature);
    done(null, payload);
  });
}
