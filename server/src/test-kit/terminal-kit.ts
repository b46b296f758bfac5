import type { KioskDeposit } from '@cashin/shared';
import {
  answerSignatureBase,
  contentDigestHeader,
  receiptQrData,
  receiptSigningPayload,
  signatureBase,
  terminalHeaders,
} from '@cashin/shared';
import type { KeyObject } from 'node:crypto';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import type { TestApp } from '../test-support/test-app.js';
import { opsHeaders } from '../test-support/test-app.js';

/**
 * Test helpers for the channels of issue 4: a store, an enrolled kiosk with a real Ed25519 key that signs
 * its requests exactly as terminal-app/src/sync/signed-client.ts does, clerks, and kiosk deposits.
 */
export interface TestKiosk {
  readonly terminalId: string;
  readonly storeId: string;
  privateKey: KeyObject;
  publicKey: string;
  sequence: number;
  /** The server's answer-signing key, as enrollment answered it. */
  readonly serverPublicKey: string;
}

export function newKeyPair(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('no x');
  return { privateKey, publicKey: x };
}

export async function createTestStore(
  t: TestApp,
  currency = 'USD',
  timeZone = 'America/New_York',
): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/ops/stores',
    headers: opsHeaders,
    payload: { name: 'Corner Store', currency, timeZone },
  });
  if (response.statusCode !== 201) throw new Error(`store failed: ${response.body}`);
  return response.json<{ id: string }>().id;
}

export async function createEnrollmentToken(
  t: TestApp,
  storeId: string,
): Promise<{ terminalId: string; token: string }> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/ops/terminals',
    headers: opsHeaders,
    payload: { storeId, name: 'Kiosk by the door' },
  });
  if (response.statusCode !== 201) throw new Error(`terminal failed: ${response.body}`);
  return response.json();
}

export async function enrollTestKiosk(t: TestApp, storeId?: string): Promise<TestKiosk> {
  const store = storeId ?? (await createTestStore(t));
  const { token } = await createEnrollmentToken(t, store);
  const keys = newKeyPair();
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/terminal/enroll',
    payload: { token, publicKey: keys.publicKey, softwareVersion: '1.0.0' },
  });
  if (response.statusCode !== 200) throw new Error(`enroll failed: ${response.body}`);
  const { terminalId, serverPublicKey } = response.json<{ terminalId: string; serverPublicKey: string }>();
  return { terminalId, storeId: store, ...keys, sequence: 0, serverPublicKey };
}

export interface SignOverrides {
  timestampMs?: number;
  nonce?: string;
  /** Sign this body but send `body`: a tampered request. */
  signedBody?: string;
  terminalId?: string;
  privateKey?: KeyObject;
  method?: string;
}

export function signedHeaders(
  kiosk: TestKiosk,
  nowMs: number,
  path: string,
  body: string,
  overrides: SignOverrides = {},
): Record<string, string> {
  const signedBody = overrides.signedBody ?? body;
  const contentDigest = contentDigestHeader(createHash('sha256').update(signedBody).digest('base64'));
  const parts = {
    method: overrides.method ?? 'POST',
    path,
    terminalId: overrides.terminalId ?? kiosk.terminalId,
    timestampMs: overrides.timestampMs ?? nowMs,
    nonce: overrides.nonce ?? randomBytes(18).toString('base64url'),
    contentDigest,
  };
  const signature = sign(
    null,
    Buffer.from(signatureBase(parts)),
    overrides.privateKey ?? kiosk.privateKey,
  ).toString('base64url');
  return {
    'content-type': 'application/json',
    [terminalHeaders.terminalId]: parts.terminalId,
    [terminalHeaders.timestamp]: String(parts.timestampMs),
    [terminalHeaders.nonce]: parts.nonce,
    [terminalHeaders.contentDigest]: contentDigest,
    [terminalHeaders.signature]: signature,
  };
}

/**
 * Whether an answer to `request` carries the server's valid signature by `serverPublicKey`, checked as the
 * kiosk's signed client checks it.
 */
export function answerSignedBy(
  serverPublicKey: string,
  request: { url: string; headers: Record<string, string> },
  answer: { statusCode: number; headers: Record<string, unknown>; rawPayload: Buffer },
): boolean {
  const signature = answer.headers[terminalHeaders.answerSignature];
  if (typeof signature !== 'string') return false;
  const base = answerSignatureBase({
    path: request.url,
    terminalId: request.headers[terminalHeaders.terminalId] ?? '',
    nonce: request.headers[terminalHeaders.nonce] ?? '',
    status: answer.statusCode,
    contentDigest: contentDigestHeader(createHash('sha256').update(answer.rawPayload).digest('base64')),
  });
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: serverPublicKey }, format: 'jwk' });
  return verify(null, Buffer.from(base), key, Buffer.from(signature, 'base64url'));
}

/** Posts a body signed by the kiosk, as the kiosk's signed client does. */
export async function signedPost(
  t: TestApp,
  kiosk: TestKiosk,
  path: string,
  value: unknown,
  overrides: SignOverrides = {},
) {
  const body = JSON.stringify(value);
  return t.app.inject({
    method: 'POST',
    url: path,
    headers: signedHeaders(kiosk, t.clock.nowMs(), path, body, overrides),
    payload: body,
  });
}

/** A kiosk deposit of `coins` quarters with the next sequence number. */
export function kioskDeposit(
  kiosk: TestKiosk,
  newId: () => string,
  nowMs: number,
  input: {
    code: string | null;
    claimCode?: string | null;
    coins?: number;
    sequence?: number;
    offline?: boolean;
  },
): KioskDeposit {
  const coins = input.coins ?? 8;
  const sequence = input.sequence ?? (kiosk.sequence += 1);
  const at = new Date(nowMs).toISOString();
  return {
    depositId: newId(),
    sequence,
    code: input.code,
    claimCode: input.claimCode ?? null,
    currency: 'USD',
    items: [{ kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: coins }],
    rejectedCount: 0,
    totalMinor: 25 * coins,
    startedAt: at,
    committedAt: at,
    flags: { recovered: false, lostEvents: false, offline: input.offline ?? false, deviceFault: false },
    receiptSignature: null,
  } as KioskDeposit;
}

/** A deposit with the kiosk's receipt signature, and the text of its receipt's QR code, as the kiosk prints. */
export function signedReceipt(
  kiosk: TestKiosk,
  deposit: KioskDeposit,
): { deposit: KioskDeposit; qr: string } {
  const signature = sign(
    null,
    Buffer.from(receiptSigningPayload(kiosk.terminalId, deposit)),
    kiosk.privateKey,
  );
  const signedDeposit = { ...deposit, receiptSignature: signature.toString('base64url') };
  return { deposit: signedDeposit, qr: receiptQrData(kiosk.terminalId, signedDeposit) };
}

export async function walletBalance(t: TestApp, headers: { authorization: string }): Promise<number> {
  const response = await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers });
  if (response.statusCode !== 200) throw new Error(`wallet failed: ${response.body}`);
  return response.json<{ balanceMinor: number }>().balanceMinor;
}

export interface TestClerk {
  readonly clerkId: string;
  readonly storeId: string;
  readonly pin: string;
  readonly headers: { authorization: string };
}

export async function createTestClerk(
  t: TestApp,
  storeId: string,
  pin = '4321',
): Promise<{ clerkId: string; pin: string }> {
  const response = await t.app.inject({
    method: 'POST',
    url: `/v1/ops/stores/${storeId}/clerks`,
    headers: opsHeaders,
    payload: { name: 'Carla Mendez', pin },
  });
  if (response.statusCode !== 201) throw new Error(`clerk failed: ${response.body}`);
  return { clerkId: response.json<{ id: string }>().id, pin };
}

export async function signInTestClerk(t: TestApp, storeId: string): Promise<TestClerk> {
  const { clerkId, pin } = await createTestClerk(t, storeId);
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/till/session',
    payload: { storeId, clerkId, pin },
  });
  if (response.statusCode !== 201) throw new Error(`clerk sign-in failed: ${response.body}`);
  return {
    clerkId,
    storeId,
    pin,
    headers: { authorization: `Bearer ${response.json<{ token: string }>().token}` },
  };
}
