import type { Code, KioskDeposit, OldDeviceFate, SyncResult } from '@cashin/shared';
import {
  AlertListSchema,
  AuditTrailSchema,
  EnrollResponseSchema,
  KeyRotationSchema,
  TerminalKeyListSchema,
  TerminalListSchema,
  createUuidV7Generator,
  moneyLimitsFor,
  opsApiPaths,
  terminalApiPaths,
} from '@cashin/shared';
import { pino } from 'pino';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import type { Deps } from '../deps.js';
import { syncBatch } from '../sync/sync-batch.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import {
  enrollTestKiosk,
  kioskDeposit,
  newKeyPair,
  signedHeaders,
  signedPost,
  signedReceipt,
  walletBalance,
} from '../test-kit/terminal-kit.js';
import type { SharedDbTestApp, SignedUpShopper, TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { publicKeyFingerprint } from './key-records.js';
import { identifyTerminal, verifyTerminalBody } from './request-verification.js';

// A kiosk key rotation says what became of the old device. Replaced (terminal-routes.test.ts): the old key
// works until the new device enrolls, then hands over its deposits for the offline window. Lost or
// stolen (here): the old key is refused at once for every request, in every server process, and so is a
// replaced device's key that ops revoke later.

const newId = createUuidV7Generator();

const heartbeat = {
  softwareVersion: '1.0.0',
  uptimeMs: 1_000,
  devices: [],
  outbox: { depth: 0, unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, quarantined: 0, lastSequence: 0 },
  bag: { currency: 'USD', totalMinor: 250, coinCount: 10, billCount: 0 },
  lastError: null,
};

async function rotate(t: TestApp, terminalId: string, oldDevice: OldDeviceFate) {
  const response = await t.app.inject({
    method: 'POST',
    url: opsApiPaths.terminalKeyRotation(terminalId),
    headers: opsHeaders,
    payload: { oldDevice },
  });
  expect(response.statusCode, response.body).toBe(201);
  return KeyRotationSchema.parse(response.json());
}

async function enroll(t: TestApp, token: string, publicKey: string) {
  return t.app.inject({
    method: 'POST',
    url: terminalApiPaths.enroll,
    payload: { token, publicKey, softwareVersion: '1.1.0' },
  });
}

async function revoke(t: TestApp, terminalId: string, keyFingerprint: string) {
  return t.app.inject({
    method: 'POST',
    url: opsApiPaths.terminalKeyRevocations(terminalId),
    headers: opsHeaders,
    payload: { keyFingerprint },
  });
}

async function keysOf(t: TestApp, terminalId: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: opsApiPaths.terminalKeys(terminalId),
    headers: opsHeaders,
  });
  expect(response.statusCode, response.body).toBe(200);
  return TerminalKeyListSchema.parse(response.json());
}

async function terminalChain(t: TestApp, terminalId: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: opsApiPaths.auditEntries,
    query: { subject: terminalId },
    headers: opsHeaders,
  });
  return AuditTrailSchema.parse(response.json()).entries;
}

async function keyRevokedAlerts(t: TestApp, terminalId: string) {
  const response = await t.app.inject({ method: 'GET', url: opsApiPaths.alerts, headers: opsHeaders });
  return AlertListSchema.parse(response.json()).alerts.filter(
    (alert) => alert.terminalId === terminalId && alert.kind === 'keyRevoked',
  );
}

/** How many deposits the server holds for the terminal, by sync or receipt. */
async function depositsHeld(t: TestApp, terminalId: string): Promise<number> {
  const row = await t.db.transaction((tx) =>
    tx.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM kiosk_deposits WHERE terminal_id = ?', [
      terminalId,
    ]),
  );
  return Number(row?.n ?? 0);
}

/** The old device's every kind of request, each refused with the revoked key's code. */
async function expectEveryRequestRefused(
  t: TestApp,
  kiosk: TestKiosk,
  ana: SignedUpShopper,
  deposits: KioskDeposit[],
) {
  const answers = [
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits }),
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, heartbeat),
    await signedPost(t, kiosk, terminalApiPaths.lookup, { code: ana.depositCode as Code }),
  ];
  expect(answers.map((answer) => [answer.statusCode, errorCodeOf(answer)])).toEqual([
    [401, 'TERMINAL_KEY_REVOKED'],
    [401, 'TERMINAL_KEY_REVOKED'],
    [401, 'TERMINAL_KEY_REVOKED'],
  ]);
}

function depsOf(t: TestApp): Deps {
  return {
    db: t.db,
    clock: t.clock,
    limits: t.config.limits,
    newId,
    messageSender: t.sender,
    claimCodeSecret: t.config.claimCodeSecret,
    logger: pino({ level: 'silent' }),
  };
}

describe.each(testAdapters)('revoking a lost kiosk key on %s', (adapter) => {
  let t: SharedDbTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('refuses the old key at once after a lost rotation: sync, heartbeat and lookup, crediting nothing', async () => {
    t = await openTestApp(adapter);
    const old = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deposit = (kiosk: TestKiosk) =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode });
    const first = await signedPost(t, old, terminalApiPaths.sync, { deposits: [deposit(old)] });
    expect(first.statusCode).toBe(200);
    const balanceBefore = await walletBalance(t, ana.headers);
    const heldBefore = await depositsHeld(t, old.terminalId);
    // What the thief would hand over: deposits the stolen kiosk holds (or makes up) and a receipt.
    const stranded = [deposit(old), deposit(old)];
    const receipt = signedReceipt(old, deposit(old));

    t.clock.advance(1_000);
    const rotation = await rotate(t, old.terminalId, 'lost');
    const oldFingerprint = publicKeyFingerprint(old.publicKey);
    expect(rotation).toMatchObject({
      terminalId: old.terminalId,
      oldDevice: 'lost',
      revokedKeyFingerprint: oldFingerprint,
    });

    await expectEveryRequestRefused(t, old, ana, stranded);
    // Someone without the key is told only that the signature is wrong.
    const forged = await signedPost(t, old, terminalApiPaths.heartbeat, heartbeat, {
      privateKey: newKeyPair().privateKey,
    });
    expect(errorCodeOf(forged)).toBe('SIGNATURE_INVALID');
    // Its receipts redeem nothing either.
    const redeemed = await t.app.inject({
      method: 'POST',
      url: '/v1/me/receipts',
      headers: ana.headers,
      payload: { receipt: receipt.qr },
    });
    expect(redeemed.json().error).toMatchObject({
      code: 'RECEIPT_NOT_REDEEMABLE',
      details: { reason: 'keyRevoked' },
    });
    expect(await walletBalance(t, ana.headers)).toBe(balanceBefore);
    expect(await depositsHeld(t, old.terminalId)).toBe(heldBefore);

    // The audit log has the rotation with the choice, and the key it revoked.
    const chain = await terminalChain(t, old.terminalId);
    expect(chain.slice(0, 2).map((entry) => [entry.kind, entry.data])).toEqual([
      ['terminal.keyRevoked', { keyFingerprint: oldFingerprint, wasCurrent: true, by: 'ops-token' }],
      ['terminal.keyRotationStarted', { oldDevice: 'lost', by: 'ops-token' }],
    ]);
    // An open alert says so, and counts the three requests the lost device made since.
    const [alert, ...moreAlerts] = await keyRevokedAlerts(t, old.terminalId);
    expect(moreAlerts).toEqual([]);
    expect(alert).toMatchObject({
      resolvedAtMs: null,
      facts: {
        kind: 'keyRevoked',
        keyFingerprints: [oldFingerprint],
        refusedRequests: 3,
        lastRefusedAtMs: t.clock.nowMs(),
      },
    });
    // The terminal's ops view: no key signs for it until the new device enrolls with the token.
    expect(await keysOf(t, old.terminalId)).toEqual({
      terminalId: old.terminalId,
      keys: [
        expect.objectContaining({
          fingerprint: oldFingerprint,
          status: 'revoked',
          revokedAtMs: t.clock.nowMs(),
          revokedBy: 'ops-token',
          handOverUntilMs: null,
        }),
      ],
      enrollmentOpenUntilMs: rotation.expiresAtMs,
    });
    const fleet = await t.app.inject({ method: 'GET', url: opsApiPaths.terminals, headers: opsHeaders });
    expect(
      TerminalListSchema.parse(fleet.json()).terminals.find((one) => one.id === old.terminalId)?.status,
    ).toBe('notEnrolled');

    // The revoked key cannot come back with the rotation's token, which stays good for the new device.
    expect(errorCodeOf(await enroll(t, rotation.token, old.publicKey))).toBe('TERMINAL_KEY_REVOKED');
    const replacementKeys = newKeyPair();
    const enrolled = await enroll(t, rotation.token, replacementKeys.publicKey);
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    const replacement: TestKiosk = {
      ...old,
      ...replacementKeys,
      sequence: EnrollResponseSchema.parse(enrolled.json()).sequenceHigh,
    };
    const fresh = await signedPost(t, replacement, terminalApiPaths.sync, {
      deposits: [deposit(replacement)],
    });
    expect(fresh.json<{ results: SyncResult[] }>().results).toEqual([
      expect.objectContaining({ status: 'created', creditedTo: 'wallet', inReview: false }),
    ]);
    // With a current key again the terminal's requests go on to the signature, and the old key is still
    // refused, however long after (a replaced device's window does not apply to a lost one).
    t.clock.advance(moneyLimitsFor(t.config.limits, 'USD').kioskOfflineOldestUnsyncedMs + 1_000);
    await expectEveryRequestRefused(t, old, ana, stranded);
    expect(await walletBalance(t, ana.headers)).toBe(balanceBefore + 200);
    expect((await keyRevokedAlerts(t, old.terminalId))[0]?.facts).toMatchObject({ refusedRequests: 6 });
  });

  it('lets a replaced device hand over its deposits until ops revoke its key, then refuses it at once', async () => {
    t = await openTestApp(adapter);
    const old = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deposit = (kiosk: TestKiosk) =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode });
    const stranded = [deposit(old), deposit(old)];
    const rotation = await rotate(t, old.terminalId, 'replaced');
    expect(rotation).toMatchObject({ oldDevice: 'replaced', revokedKeyFingerprint: null });
    const replacementKeys = newKeyPair();
    expect((await enroll(t, rotation.token, replacementKeys.publicKey)).statusCode).toBe(200);
    const replacement: TestKiosk = { ...old, ...replacementKeys, sequence: 10 };

    // The old device hands over one deposit, held for review, as a replaced device does.
    t.clock.advance(60_000);
    const handedOver = await signedPost(t, old, terminalApiPaths.sync, { deposits: stranded.slice(0, 1) });
    expect(handedOver.json<{ results: SyncResult[] }>().results).toEqual([
      expect.objectContaining({ status: 'created', inReview: true }),
    ]);
    const oldFingerprint = publicKeyFingerprint(old.publicKey);
    const before = await keysOf(t, old.terminalId);
    expect(before.keys.map((key) => [key.fingerprint, key.status])).toEqual([
      [publicKeyFingerprint(replacementKeys.publicKey), 'current'],
      [oldFingerprint, 'handingOver'],
    ]);
    const windowMs = moneyLimitsFor(t.config.limits, 'USD').kioskOfflineOldestUnsyncedMs;
    expect(before.keys[1]?.handOverUntilMs).toBe((before.keys[1]?.retiredAtMs ?? 0) + windowMs);
    const balanceBefore = await walletBalance(t, ana.headers);
    const heldBefore = await depositsHeld(t, old.terminalId);

    // Ops learn the old device was stolen: its key is revoked, and its next batch is refused.
    t.clock.advance(1_000);
    const revoked = await revoke(t, old.terminalId, oldFingerprint);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(
      TerminalKeyListSchema.parse(revoked.json()).keys.map((key) => [key.fingerprint, key.status]),
    ).toEqual([
      [publicKeyFingerprint(replacementKeys.publicKey), 'current'],
      [oldFingerprint, 'revoked'],
    ]);
    await expectEveryRequestRefused(t, old, ana, stranded.slice(1));
    expect(await walletBalance(t, ana.headers)).toBe(balanceBefore);
    expect(await depositsHeld(t, old.terminalId)).toBe(heldBefore);
    // The new device is untouched.
    expect((await signedPost(t, replacement, terminalApiPaths.heartbeat, heartbeat)).statusCode).toBe(200);

    // Revoking it again records nothing more; a key the terminal never had is not found.
    expect((await revoke(t, old.terminalId, oldFingerprint)).statusCode).toBe(200);
    expect(errorCodeOf(await revoke(t, old.terminalId, '0123456789abcdef'))).toBe('NOT_FOUND');
    const chain = await terminalChain(t, old.terminalId);
    expect(chain.filter((entry) => entry.kind === 'terminal.keyRevoked').map((entry) => entry.data)).toEqual([
      { keyFingerprint: oldFingerprint, wasCurrent: false, by: 'ops-token' },
    ]);
    expect(chain.find((entry) => entry.kind === 'terminal.keyRotationStarted')?.data).toEqual({
      oldDevice: 'replaced',
      by: 'ops-token',
    });
    expect((await keyRevokedAlerts(t, old.terminalId)).map((alert) => alert.facts)).toEqual([
      {
        kind: 'keyRevoked',
        keyFingerprints: [oldFingerprint],
        refusedRequests: 3,
        lastRefusedAtMs: t.clock.nowMs(),
      },
    ]);
  });

  it('revokes a key still current when the new device has not enrolled yet; its token still enrolls it', async () => {
    t = await openTestApp(adapter);
    const old = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const rotation = await rotate(t, old.terminalId, 'replaced');
    // Until the new device enrolls, a replaced device's key is its terminal's current key.
    expect((await signedPost(t, old, terminalApiPaths.heartbeat, heartbeat)).statusCode).toBe(200);
    const [current] = (await keysOf(t, old.terminalId)).keys;
    expect(current?.status).toBe('current');
    expect((await revoke(t, old.terminalId, current!.fingerprint)).statusCode).toBe(200);
    await expectEveryRequestRefused(t, old, ana, [
      kioskDeposit(old, newId, t.clock.nowMs(), { code: ana.depositCode }),
    ]);
    const replacementKeys = newKeyPair();
    expect((await enroll(t, rotation.token, replacementKeys.publicKey)).statusCode).toBe(200);
    const replacement: TestKiosk = { ...old, ...replacementKeys };
    expect((await signedPost(t, replacement, terminalApiPaths.heartbeat, heartbeat)).statusCode).toBe(200);
    expect((await terminalChain(t, old.terminalId))[1]).toMatchObject({
      kind: 'terminal.keyRevoked',
      data: { keyFingerprint: current!.fingerprint, wasCurrent: true },
    });
  });

  it('holds in every server process from the commit, and stops a batch verified just before it', async () => {
    t = await openTestApp(adapter);
    const old = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deps = depsOf(t);
    // A batch whose signature is verified, as the request hooks do, just before ops revoke the key.
    const deposits = [kioskDeposit(old, newId, t.clock.nowMs(), { code: ana.depositCode })];
    const body = JSON.stringify({ deposits });
    const headers = signedHeaders(old, t.clock.nowMs(), terminalApiPaths.sync, body);
    const identified = await identifyTerminal(deps, headers, false);
    const { caller } = await verifyTerminalBody(
      deps,
      identified,
      { method: 'POST', url: terminalApiPaths.sync },
      Readable.from([Buffer.from(body)]),
      { nonceConsumedByHandler: true, retiredKeyMaySign: true },
    );

    // A second server process on the same database takes the lost rotation.
    const secondDb = await t.openAnotherDb();
    const second = await buildApp(t.config, {
      db: secondDb,
      clock: t.clock,
      newId,
      messageSender: t.sender,
      logger: pino({ level: 'silent' }),
    });
    try {
      const rotated = await second.inject({
        method: 'POST',
        url: opsApiPaths.terminalKeyRotation(old.terminalId),
        headers: opsHeaders,
        payload: { oldDevice: 'lost' },
      });
      expect(rotated.statusCode, rotated.body).toBe(201);
      // The first process refuses the old key from then on, sync included.
      await expectEveryRequestRefused(t, old, ana, [
        kioskDeposit(old, newId, t.clock.nowMs(), { code: ana.depositCode }),
      ]);
      // The batch verified before the revocation reaches its transaction after it: it moves nothing.
      await expect(syncBatch(deps, caller, deposits)).rejects.toMatchObject({ code: 'TERMINAL_KEY_REVOKED' });
      expect(await walletBalance(t, ana.headers)).toBe(0);
      expect(await depositsHeld(t, old.terminalId)).toBe(0);
    } finally {
      await second.close();
      await secondDb.close();
    }
  });
});
