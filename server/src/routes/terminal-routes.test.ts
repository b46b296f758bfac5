import type { Alert, Code, SyncResult } from '@cashin/shared';
import {
  AlertCountSchema,
  AlertListSchema,
  AlertSchema,
  EnrollResponseSchema,
  ReviewListSchema,
  ServerKeyRolloverSchema,
  TerminalListSchema,
  createUuidV7Generator,
  generateCode,
  opsApiPaths,
  terminalApiPaths,
  terminalHeaders,
} from '@cashin/shared';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepTerminals } from '../alerts/terminal-sweep.js';
import type { TestApp } from '../test-support/test-app.js';
import { openCashAccount, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import type { SignOverrides, TestKiosk } from '../test-kit/terminal-kit.js';
import {
  answerSignedBy,
  createEnrollmentToken,
  createTestStore,
  enrollTestKiosk,
  kioskDeposit,
  newKeyPair,
  signedHeaders,
  signedPost,
  walletBalance,
} from '../test-kit/terminal-kit.js';
import type { Deps } from '../deps.js';
import { loadConfig } from '../config.js';
import { serverSigningKeyFromSeed } from '../terminals/answer-signing.js';

const newId = createUuidV7Generator();

const heartbeat = (coinCount = 10, devices: unknown[] = []) => ({
  softwareVersion: '1.0.0',
  uptimeMs: 1_000,
  devices,
  outbox: { depth: 0, unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, quarantined: 0, lastSequence: 0 },
  bag: { currency: 'USD', totalMinor: 250, coinCount, billCount: 0 },
  lastError: null,
});

async function openAlerts(t: TestApp): Promise<Alert[]> {
  const response = await t.app.inject({ method: 'GET', url: '/v1/ops/alerts', headers: opsHeaders });
  return AlertListSchema.parse(response.json()).alerts;
}

function sweepDeps(t: TestApp): Deps {
  return {
    db: t.db,
    clock: t.clock,
    limits: t.config.limits,
    newId,
    messageSender: t.sender,
    claimCodeSecret: t.config.claimCodeSecret,
    logger: t.app.log as never,
  };
}

describe.each(testAdapters)('the terminal channel on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('enrolls a terminal once per token with a short server-chosen id, and refuses a reused or expired token', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const { token, terminalId } = await createEnrollmentToken(t, storeId);
    expect(terminalId).toMatch(/^K\d{5}$/);
    const keys = newKeyPair();
    const enroll = (publicKey: string, withToken = token) =>
      t!.app.inject({
        method: 'POST',
        url: terminalApiPaths.enroll,
        payload: { token: withToken, publicKey, softwareVersion: '1.0.0' },
      });
    const first = await enroll(keys.publicKey);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ terminalId, storeId, currency: 'USD' });
    // The kiosk lost the answer and retried with the same key: the same answer.
    expect((await enroll(keys.publicKey)).statusCode).toBe(200);
    // Anyone else presenting the used token is refused.
    expect((await enroll(newKeyPair().publicKey)).json().error.code).toBe('ENROLLMENT_TOKEN_INVALID');
    const late = await createEnrollmentToken(t, storeId);
    t.clock.advance(t.config.limits.system.enrollmentTokenTtlMs);
    expect((await enroll(newKeyPair().publicKey, late.token)).json().error.code).toBe(
      'ENROLLMENT_TOKEN_INVALID',
    );
  });

  it('refuses forged, tampered, stale, replayed, unknown and disabled terminal requests with their codes', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const path = terminalApiPaths.heartbeat;
    const ok = await signedPost(t, kiosk, path, heartbeat());
    expect(ok.statusCode).toBe(200);
    expect(ok.json().disabled).toBe(false);

    const forged = await signedPost(t, kiosk, path, heartbeat(), { privateKey: newKeyPair().privateKey });
    expect(forged.json().error.code).toBe('SIGNATURE_INVALID');
    const tampered = await signedPost(t, kiosk, path, heartbeat(11), {
      signedBody: JSON.stringify(heartbeat(10)),
    });
    expect(tampered.json().error.code).toBe('SIGNATURE_INVALID');
    const skewMs = t.config.limits.system.signatureSkewMs;
    const stale = await signedPost(t, kiosk, path, heartbeat(), {
      timestampMs: t.clock.nowMs() - skewMs - 1,
    });
    expect(stale.json().error.code).toBe('SIGNATURE_STALE');
    const early = await signedPost(t, kiosk, path, heartbeat(), {
      timestampMs: t.clock.nowMs() + skewMs + 1,
    });
    expect(early.json().error.code).toBe('SIGNATURE_STALE');
    const nonce = 'nonce-used-only-once-0001';
    expect((await signedPost(t, kiosk, path, heartbeat(), { nonce })).statusCode).toBe(200);
    expect((await signedPost(t, kiosk, path, heartbeat(), { nonce })).json().error.code).toBe(
      'NONCE_REPLAYED',
    );
    const stranger = await signedPost(t, kiosk, path, heartbeat(), { terminalId: 'K99999' });
    expect(stranger.json().error.code).toBe('TERMINAL_UNKNOWN');
    const unsigned = await t.app.inject({ method: 'POST', url: path, payload: heartbeat() });
    expect(unsigned.json().error.code).toBe('UNAUTHENTICATED');

    await t.app.inject({
      method: 'POST',
      url: `/v1/ops/terminals/${kiosk.terminalId}/disable`,
      headers: opsHeaders,
    });
    const beat = await signedPost(t, kiosk, path, heartbeat());
    expect(beat.statusCode).toBe(200);
    expect(beat.json().disabled).toBe(true);
    const sync = await signedPost(t, kiosk, terminalApiPaths.sync, {
      deposits: [kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: generateCode('deposit') })],
    });
    expect(sync.json().error.code).toBe('TERMINAL_DISABLED');
  });

  it('signs every answer to a terminal with the key enrollment handed over, refusals too, bound to the request', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    expect(kiosk.serverPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const post = async (path: string, value: unknown, overrides: SignOverrides = {}) => {
      const body = JSON.stringify(value);
      const request = { url: path, headers: signedHeaders(kiosk, t!.clock.nowMs(), path, body, overrides) };
      const answer = await t!.app.inject({ method: 'POST', ...request, payload: body });
      return { request, answer };
    };
    const sync = await post(terminalApiPaths.sync, {
      deposits: [kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: generateCode('deposit') })],
    });
    expect(sync.answer.statusCode).toBe(200);
    expect(answerSignedBy(kiosk.serverPublicKey, sync.request, sync.answer)).toBe(true);
    // Refusals are signed as well, each with its own status.
    const forged = await post(terminalApiPaths.heartbeat, heartbeat(), {
      privateKey: newKeyPair().privateKey,
    });
    expect(forged.answer.statusCode).toBe(401);
    expect(answerSignedBy(kiosk.serverPublicKey, forged.request, forged.answer)).toBe(true);
    // The signature covers the status, the body and the request's nonce: change any one and it fails.
    const beat = await post(terminalApiPaths.heartbeat, heartbeat());
    expect(answerSignedBy(kiosk.serverPublicKey, beat.request, beat.answer)).toBe(true);
    expect(answerSignedBy(kiosk.serverPublicKey, beat.request, { ...beat.answer, statusCode: 201 })).toBe(
      false,
    );
    expect(
      answerSignedBy(kiosk.serverPublicKey, beat.request, {
        ...beat.answer,
        rawPayload: Buffer.from(beat.answer.body.replace('false', 'true ')),
      }),
    ).toBe(false);
    const otherNonce = { ...beat.request.headers, [terminalHeaders.nonce]: 'a-different-nonce-0001' };
    expect(answerSignedBy(kiosk.serverPublicKey, { ...beat.request, headers: otherNonce }, beat.answer)).toBe(
      false,
    );
    expect(answerSignedBy(newKeyPair().publicKey, beat.request, beat.answer)).toBe(false);
    // Every process configured with the same SERVER_SIGNING_KEY signs with the same key; another seed, another key.
    const seed = randomBytes(32).toString('base64url');
    const keyOf = (env: Record<string, string>) =>
      serverSigningKeyFromSeed(loadConfig({ NODE_ENV: 'test', ...env }).serverSigningSeed).publicKey;
    expect(keyOf({ SERVER_SIGNING_KEY: seed })).toBe(keyOf({ SERVER_SIGNING_KEY: seed }));
    expect(keyOf({ SERVER_SIGNING_KEY: seed })).not.toBe(kiosk.serverPublicKey);
    // Answers to other callers carry no terminal signature.
    const ops = await t.app.inject({ method: 'GET', url: '/v1/ops/terminals', headers: opsHeaders });
    expect(ops.headers[terminalHeaders.answerSignature]).toBeUndefined();
  });

  it('credits a batch sent twice once, answers conflict for a changed deposit or a reused sequence, and changes nothing for it', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
    const deposits = [1, 2, 3].map(() =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode }),
    );
    const first = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits });
    expect(first.statusCode).toBe(200);
    expect(first.json<{ results: SyncResult[] }>().results.map((r) => r.status)).toEqual([
      'created',
      'created',
      'created',
    ]);
    expect(await walletBalance(t, ana.headers)).toBe(600);

    const again = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits });
    expect(again.json<{ results: SyncResult[] }>().results.map((r) => r.status)).toEqual([
      'exists',
      'exists',
      'exists',
    ]);
    expect(await walletBalance(t, ana.headers)).toBe(600);

    const changed = {
      ...deposits[1]!,
      items: [{ kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: 9 }],
      totalMinor: 225,
    };
    const reused = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, sequence: 3 });
    const conflicted = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [changed, reused] });
    const results = conflicted.json<{ results: SyncResult[] }>().results;
    expect(results.map((r) => r.status)).toEqual(['conflict', 'conflict']);
    expect(results[0]).toMatchObject({ stored: { totalMinor: 200, sequence: 2 } });
    expect(results[1]).toMatchObject({ stored: { depositId: deposits[2]!.depositId } });
    expect(await walletBalance(t, ana.headers)).toBe(600);
    expect((await openAlerts(t)).map((a) => a.kind)).toContain('syncConflict');
  });

  it('raises a sequence gap alert and closes it when the gap fills', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const one = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, sequence: 1 });
    const two = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, sequence: 2 });
    const three = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, sequence: 3 });
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [one, three] });
    const gap = (await openAlerts(t)).filter((a) => a.kind === 'sequenceGap');
    expect(gap).toEqual([
      expect.objectContaining({
        terminalId: kiosk.terminalId,
        facts: { kind: 'sequenceGap', missing: 1, below: 3 },
        detail: '1 sequence number(s) below 3 not received',
      }),
    ]);
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [two] });
    expect((await openAlerts(t)).filter((a) => a.kind === 'sequenceGap')).toEqual([]);
  });

  it('sends unknown codes to suspense, vouchers to a claim under their printed code, and flags review', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const voucherCode = generateCode('claim');
    const unknown = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: generateCode('deposit') });
    const voucher = kioskDeposit(kiosk, newId, t.clock.nowMs(), {
      code: null,
      claimCode: voucherCode,
      coins: 4,
    });
    const lost = {
      ...kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode }),
      flags: { recovered: false, lostEvents: true, offline: false, deviceFault: false },
    };
    const response = await signedPost(t, kiosk, terminalApiPaths.sync, {
      deposits: [unknown, voucher, lost],
    });
    expect(response.json<{ results: SyncResult[] }>().results).toEqual([
      { depositId: unknown.depositId, status: 'created', creditedTo: 'suspense', inReview: false },
      { depositId: voucher.depositId, status: 'created', creditedTo: 'claim', inReview: false },
      { depositId: lost.depositId, status: 'created', creditedTo: 'wallet', inReview: true },
    ]);
    expect((await openAlerts(t)).map((a) => a.kind)).toContain('lostCoinEvents');
    const claim = await t.app.inject({
      method: 'POST',
      url: '/v1/me/claims',
      headers: ana.headers,
      payload: { claimCode: voucherCode },
    });
    expect(claim.statusCode).toBeLessThan(300);
    expect(await walletBalance(t, ana.headers)).toBe(200 + 100);
    // Ops see both, the claimed voucher only when they ask for claimed money too.
    const suspense = await t.app.inject({
      method: 'GET',
      url: '/v1/ops/suspense?status=all',
      headers: opsHeaders,
    });
    expect(suspense.statusCode).toBe(200);
    const entries = suspense.json<{ entries: { depositId: string; reason: string; status: string }[] }>()
      .entries;
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ depositId: unknown.depositId, reason: 'codeUnknown', status: 'held' }),
        expect.objectContaining({ depositId: voucher.depositId, reason: 'voucher', status: 'claimed' }),
      ]),
    );
  });

  it('answers conflict for a deposit id the ledger already holds, and still credits the rest of the batch', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const drawer = await openCashAccount(t);
    const taken = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode });
    await t.app.inject({
      method: 'POST',
      url: '/v1/deposits',
      headers: opsHeaders,
      payload: {
        id: taken.depositId,
        code: ana.depositCode,
        amountMinor: 1_000,
        currency: 'USD',
        sourceAccountId: drawer,
      },
    });
    const fine = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode });
    const response = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [taken, fine] });
    expect(response.json<{ results: SyncResult[] }>().results.map((r) => r.status)).toEqual([
      'conflict',
      'created',
    ]);
    expect(await walletBalance(t, ana.headers)).toBe(1_000 + 200);
  });

  it('refuses a batch over the limit with its own code', async () => {
    t = await openTestApp(adapter, { limits: { system: { syncBatchDepositsMax: 2 } } });
    const kiosk = await enrollTestKiosk(t);
    const code = generateCode('deposit');
    const deposits = [1, 2, 3].map(() => kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code }));
    const response = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits });
    expect(response.json().error.code).toBe('SYNC_BATCH_TOO_LARGE');
  });

  it('takes a batch as large as configured, past the default size', async () => {
    const depositsMax = 600;
    t = await openTestApp(adapter, {
      limits: { system: { syncBatchDepositsMax: depositsMax, httpBodyBytesMax: 8 * 1024 * 1024 } },
    });
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deposits = Array.from({ length: depositsMax }, () =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode, coins: 1 }),
    );
    const response = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits });
    expect(response.statusCode).toBe(200);
    const results = response.json<{ results: SyncResult[] }>().results;
    expect(results.filter((result) => result.status === 'created')).toHaveLength(depositsMax);
  });

  it('looks codes up with the masked name and what fits, and refuses unknown codes', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
    const found = await signedPost(t, kiosk, terminalApiPaths.lookup, { code: ana.depositCode });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual({
      maskedName: 'Ana R.',
      currency: 'USD',
      remainingMinor: 100_000,
      balanceMinor: 0,
      slipAmountMinor: null,
    });
    const missing = await signedPost(t, kiosk, terminalApiPaths.lookup, {
      code: generateCode('deposit') as Code,
    });
    expect(missing.json().error.code).toBe('CODE_UNKNOWN');
    // Rotated, the old code starts no deposit even in its grace (kept for deposits already under way),
    // and no longer shows whose it was; the new one does.
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/v1/me/deposit-code/rotations',
      headers: ana.headers,
    });
    expect(rotated.statusCode).toBe(201);
    const old = await signedPost(t, kiosk, terminalApiPaths.lookup, { code: ana.depositCode });
    expect(old.statusCode).toBe(410);
    expect(old.json().error.code).toBe('CODE_REVOKED');
    expect(old.body).not.toContain('Ana');
    const renewed = await signedPost(t, kiosk, terminalApiPaths.lookup, { code: rotated.json().code });
    expect(renewed.json()).toMatchObject({ maskedName: 'Ana R.' });
  });

  it('rotates a key: the old key works until the new one enrolls, then stops', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const rotation = await t.app.inject({
      method: 'POST',
      url: `/v1/ops/terminals/${kiosk.terminalId}/key-rotations`,
      headers: opsHeaders,
      payload: { oldDevice: 'replaced' },
    });
    expect(rotation.statusCode).toBe(201);
    expect((await signedPost(t, kiosk, terminalApiPaths.heartbeat, heartbeat())).statusCode).toBe(200);
    const fresh = newKeyPair();
    const enrolled = await t.app.inject({
      method: 'POST',
      url: terminalApiPaths.enroll,
      payload: {
        token: rotation.json<{ token: string }>().token,
        publicKey: fresh.publicKey,
        softwareVersion: '1.1.0',
      },
    });
    expect(enrolled.json().terminalId).toBe(kiosk.terminalId);
    expect((await signedPost(t, kiosk, terminalApiPaths.heartbeat, heartbeat())).json().error.code).toBe(
      'SIGNATURE_INVALID',
    );
    kiosk.privateKey = fresh.privateKey;
    expect((await signedPost(t, kiosk, terminalApiPaths.heartbeat, heartbeat())).statusCode).toBe(200);
  });

  it('tells an enrolling kiosk the highest sequence number held for its terminal, on a repeat too', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const { token, terminalId } = await createEnrollmentToken(t, storeId);
    const enroll = async (withToken: string, publicKey: string) => {
      const answer = await t!.app.inject({
        method: 'POST',
        url: terminalApiPaths.enroll,
        payload: { token: withToken, publicKey, softwareVersion: '1.0.0' },
      });
      expect(answer.statusCode).toBe(200);
      return EnrollResponseSchema.parse(answer.json());
    };
    const keys = newKeyPair();
    const enrolled = await enroll(token, keys.publicKey);
    expect(enrolled).toMatchObject({ terminalId, sequenceHigh: 0 });
    const kiosk: TestKiosk = {
      terminalId,
      storeId,
      ...keys,
      sequence: 0,
      serverPublicKey: enrolled.serverPublicKey,
    };
    const ana = await signUpAndIn(t);
    const deposit = (sequence?: number) =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), {
        code: ana.depositCode,
        ...(sequence === undefined ? {} : { sequence }),
      });
    // Deposits 1, 2 and 4 synced (3 is still on the kiosk): the highest the server holds is 4.
    const synced = await signedPost(t, kiosk, terminalApiPaths.sync, {
      deposits: [deposit(1), deposit(2), deposit(4)],
    });
    expect(synced.json<{ results: SyncResult[] }>().results.map((r) => r.status)).toEqual([
      'created',
      'created',
      'created',
    ]);

    // The old device last reported number 6 (5 and 6 never reached the server before it broke).
    const beat = heartbeat();
    const reported = { ...beat, outbox: { ...beat.outbox, depth: 2, lastSequence: 6 } };
    expect((await signedPost(t, kiosk, terminalApiPaths.heartbeat, reported)).statusCode).toBe(200);

    // The kiosk is replaced: ops rotate its key and the new device, with an empty journal, enrolls.
    const rotation = await t.app.inject({
      method: 'POST',
      url: opsApiPaths.terminalKeyRotation(terminalId),
      headers: opsHeaders,
      payload: { oldDevice: 'replaced' },
    });
    expect(rotation.statusCode).toBe(201);
    const rotationToken = rotation.json<{ token: string }>().token;
    const replacement = newKeyPair();
    expect(await enroll(rotationToken, replacement.publicKey)).toMatchObject({ terminalId, sequenceHigh: 6 });
    // It lost the answer and retried: the same answer, high included.
    expect(await enroll(rotationToken, replacement.publicKey)).toMatchObject({ terminalId, sequenceHigh: 6 });
    // Its first deposit, numbered after that high, is credited rather than answered as a conflict, and
    // the numbers the old device still holds (3, 5, 6) stay free for it.
    kiosk.privateKey = replacement.privateKey;
    kiosk.sequence = 6;
    const next = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [deposit()] });
    expect(next.json<{ results: SyncResult[] }>().results).toEqual([
      expect.objectContaining({ status: 'created', creditedTo: 'wallet' }),
    ]);
  });

  it('takes what a replaced device still holds under its retired key, for the offline window only, held for review', async () => {
    t = await openTestApp(adapter);
    const old = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deposit = (kiosk: TestKiosk) =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode });
    // The old device took three deposits it never synced before it was replaced.
    const stranded = [deposit(old), deposit(old), deposit(old)];
    const rotation = await t.app.inject({
      method: 'POST',
      url: opsApiPaths.terminalKeyRotation(old.terminalId),
      headers: opsHeaders,
      payload: { oldDevice: 'replaced' },
    });
    const replacementKeys = newKeyPair();
    const enrolled = await t.app.inject({
      method: 'POST',
      url: terminalApiPaths.enroll,
      payload: {
        token: rotation.json<{ token: string }>().token,
        publicKey: replacementKeys.publicKey,
        softwareVersion: '1.1.0',
      },
    });
    expect(enrolled.statusCode).toBe(200);
    const replacement: TestKiosk = { ...old, ...replacementKeys, sequence: 10 };
    expect(
      (await signedPost(t, replacement, terminalApiPaths.sync, { deposits: [deposit(replacement)] })).json<{
        results: SyncResult[];
      }>().results,
    ).toEqual([expect.objectContaining({ status: 'created', inReview: false })]);
    const balanceBefore = await walletBalance(t, ana.headers);

    // The old device is brought back up: its retired key may still sign a sync batch, and nothing else.
    t.clock.advance(60 * 60 * 1000);
    expect((await signedPost(t, old, terminalApiPaths.heartbeat, heartbeat())).json().error.code).toBe(
      'SIGNATURE_INVALID',
    );
    expect(
      (await signedPost(t, old, terminalApiPaths.lookup, { code: ana.depositCode })).json().error.code,
    ).toBe('SIGNATURE_INVALID');
    const handedOver = await signedPost(t, old, terminalApiPaths.sync, { deposits: stranded.slice(0, 2) });
    expect(handedOver.statusCode).toBe(200);
    expect(handedOver.json<{ results: SyncResult[] }>().results).toEqual([
      expect.objectContaining({ status: 'created', creditedTo: 'wallet', inReview: true }),
      expect.objectContaining({ status: 'created', creditedTo: 'wallet', inReview: true }),
    ]);
    // Every deposit it handed over waits for a person, who sees why.
    const queue = await t.app.inject({ method: 'GET', url: opsApiPaths.reviews, headers: opsHeaders });
    const held = ReviewListSchema.parse(queue.json()).deposits.filter((item) =>
      stranded.some((one) => one.depositId === item.depositId),
    );
    expect(held.map((item) => item.reasons)).toEqual([['retiredKey'], ['retiredKey']]);
    // A re-send of the same batch credits nothing twice.
    const again = await signedPost(t, old, terminalApiPaths.sync, { deposits: stranded.slice(0, 2) });
    expect(again.json<{ results: SyncResult[] }>().results.map((result) => result.status)).toEqual([
      'exists',
      'exists',
    ]);
    expect(await walletBalance(t, ana.headers)).toBe(balanceBefore + stranded[0]!.totalMinor * 2);

    // Past the kiosk offline window after the key's retirement, the old key signs nothing.
    t.clock.advance(t.config.limits.money.USD!.kioskOfflineOldestUnsyncedMs);
    const late = await signedPost(t, old, terminalApiPaths.sync, { deposits: stranded.slice(2) });
    expect(late.json().error.code).toBe('SIGNATURE_INVALID');
  });

  it('adds the deposits a later batch names to the open alert about them, and an operator closes it with a note', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const lostDeposit = () => ({
      ...kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode }),
      flags: { recovered: false, lostEvents: true, offline: false, deviceFault: false },
    });
    const lost = lostDeposit();
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [lost] });
    // A later batch naming another deposit adds it to the open alert: the first still needs a look.
    const lostAgain = lostDeposit();
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [lostAgain] });
    const lostAlerts = (await openAlerts(t)).filter((a) => a.kind === 'lostCoinEvents');
    expect(lostAlerts.map((a) => [a.facts, a.detail])).toEqual([
      [
        { kind: 'lostCoinEvents', sequences: [lost.sequence, lostAgain.sequence], truncated: false },
        `deposit sequence ${lost.sequence}, ${lostAgain.sequence} reported lost coin events`,
      ],
    ]);
    // A deposit that keeps conflicting is named once, however often the kiosk sends it.
    const changed = {
      ...lost,
      items: [{ kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: 9 }],
      totalMinor: 225,
    };
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [changed] });
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [changed] });
    const conflictAlerts = (await openAlerts(t)).filter((a) => a.kind === 'syncConflict');
    expect(conflictAlerts.map((a) => a.facts)).toEqual([
      { kind: 'syncConflict', sequences: [lost.sequence], truncated: false },
    ]);

    // No condition closes these: an operator does, once they have looked, saying what they found.
    const lostAlert = lostAlerts[0]!;
    const resolve = (alertId: string, payload: Record<string, string>) =>
      t!.app.inject({
        method: 'POST',
        url: opsApiPaths.alertResolution(alertId),
        headers: opsHeaders,
        payload,
      });
    const note = 'Bag counted: matches the ledger.';
    const resolved = await resolve(lostAlert.id, { note });
    expect(resolved.statusCode).toBe(200);
    const closed = AlertSchema.parse(resolved.json());
    expect(closed).toMatchObject({ id: lostAlert.id, resolvedBy: 'ops-token', resolutionNote: note });
    expect(closed.resolvedAtMs).toBe(t.clock.nowMs());
    expect((await openAlerts(t)).map((a) => a.kind)).toEqual(['syncConflict']);
    const count = await t.app.inject({ method: 'GET', url: opsApiPaths.alertCount, headers: opsHeaders });
    expect(AlertCountSchema.parse(count.json())).toEqual({ open: 1 });
    // A retry finds it closed and changes nothing.
    t.clock.advance(60_000);
    expect(AlertSchema.parse((await resolve(lostAlert.id, { note: 'again' })).json())).toEqual(closed);
    expect((await resolve(newId(), { note })).json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const badBodies: Record<string, string>[] = [
      { note: '  ' },
      { note: 'x'.repeat(501) },
      { reason: 'no note' },
    ];
    for (const bad of badBodies) {
      expect((await resolve(conflictAlerts[0]!.id, bad)).json()).toMatchObject({
        error: { code: 'VALIDATION_FAILED' },
      });
    }
    // The next deposit with lost coin events raises a new alert, about that deposit alone.
    const lostLater = lostDeposit();
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [lostLater] });
    expect(
      (await openAlerts(t))
        .filter((a) => a.kind === 'lostCoinEvents')
        .map((a) => [a.id === lostAlert.id, a.facts]),
    ).toEqual([[false, { kind: 'lostCoinEvents', sequences: [lostLater.sequence], truncated: false }]]);
  });

  it('derives terminal status, raises silent / fault / bag alerts, and a heartbeat clears them', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const fleet = async () =>
      (await t!.app.inject({ method: 'GET', url: '/v1/ops/terminals', headers: opsHeaders })).json<{
        terminals: { id: string; status: string; bagFill: number }[];
      }>().terminals[0];
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, heartbeat());
    expect((await fleet())?.status).toBe('online');
    t.clock.advance(t.config.limits.system.terminalSilentAlertMs);
    expect((await fleet())?.status).toBe('offline');
    // Several processes sweep at once: the alert is raised once.
    const sweeps = await Promise.all([1, 2, 3].map(() => sweepTerminals(sweepDeps(t!))));
    expect(sweeps.reduce((sum, sweep) => sum + sweep.raised, 0)).toBe(1);
    expect((await sweepTerminals(sweepDeps(t))).raised).toBe(0);
    expect((await openAlerts(t)).map((a) => [a.kind, a.facts])).toEqual([
      [
        'terminalSilent',
        { kind: 'terminalSilent', silentMinutes: t.config.limits.system.terminalSilentAlertMs / 60_000 },
      ],
    ]);
    const full = t.config.limits.system.kioskBagCoinsMax;
    const faulted = [{ device: 'coin', kind: 'coinAcceptor', state: 'faulted', faults: ['jam'] }];
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, heartbeat(full, faulted));
    expect(await fleet()).toMatchObject({ status: 'faulted', bagFill: 1 });
    expect(
      (await openAlerts(t))
        .map((a) => a.facts)
        .sort((a, b) => String(a?.kind).localeCompare(String(b?.kind))),
    ).toEqual([
      { kind: 'bagNearlyFull', coins: full, coinsMax: full },
      { kind: 'deviceFault', devices: [{ device: 'coin', faults: ['jam'] }] },
    ]);
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, heartbeat(0));
    expect(await openAlerts(t)).toEqual([]);
  });

  it('keeps an alert open while heartbeats report deposits the kiosk set aside, with what they hold', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const setAside = (quarantined: number, quarantinedTotalMinor?: number) => {
      const beat = heartbeat();
      return { ...beat, outbox: { ...beat.outbox, quarantined, quarantinedTotalMinor } };
    };
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, setAside(2, 1_750));
    const [raised] = await openAlerts(t);
    expect(raised).toMatchObject({
      kind: 'depositsSetAside',
      terminalId: kiosk.terminalId,
      facts: { kind: 'depositsSetAside', deposits: 2, totalMinor: 1_750, currency: 'USD' },
    });
    expect(raised?.detail).toContain('2 deposit(s) holding 1750 USD');
    // The fleet carries it too, for the bag's collection to warn of the cash no ledger entry has.
    const fleet = await t.app.inject({ method: 'GET', url: opsApiPaths.terminals, headers: opsHeaders });
    expect(TerminalListSchema.parse(fleet.json()).terminals).toMatchObject([
      { id: kiosk.terminalId, setAsideDeposits: 2, setAsideTotalMinor: 1_750 },
    ]);
    // A third one set aside updates the open alert; a terminal too old to say the total leaves it unknown.
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, setAside(3));
    expect((await openAlerts(t)).map((a) => [a.id === raised?.id, a.facts])).toEqual([
      [true, { kind: 'depositsSetAside', deposits: 3, totalMinor: null, currency: 'USD' }],
    ]);
    // An operator deals with them and closes it: the kiosk still reports the same three, asked no more.
    const closed = await t.app.inject({
      method: 'POST',
      url: opsApiPaths.alertResolution(raised?.id ?? ''),
      headers: opsHeaders,
      payload: { note: 'Three set-aside deposits checked against the bag count.' },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, setAside(3, 2_250));
    expect(await openAlerts(t)).toEqual([]);
    // A fourth is set aside: that raises it again.
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, setAside(4, 3_000));
    expect((await openAlerts(t)).map((a) => a.facts)).toEqual([
      { kind: 'depositsSetAside', deposits: 4, totalMinor: 3_000, currency: 'USD' },
    ]);
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, setAside(0, 0));
    expect(await openAlerts(t)).toEqual([]);
    // A kiosk replaced with an empty journal that sets one aside is asked about it.
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, setAside(1, 500));
    expect((await openAlerts(t)).map((a) => a.facts)).toEqual([
      { kind: 'depositsSetAside', deposits: 1, totalMinor: 500, currency: 'USD' },
    ]);
  });

  it('lets ops ask a kiosk to send its set-aside deposits again, named in every answer until it reports', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const beat = (quarantined: number, report?: Record<string, unknown>) => {
      const base = heartbeat();
      return {
        ...base,
        outbox: { ...base.outbox, quarantined, quarantinedTotalMinor: quarantined * 125 },
        ...(report === undefined ? {} : { setAsideRetried: report }),
      };
    };
    const ask = () =>
      t!.app.inject({
        method: 'POST',
        url: opsApiPaths.terminalSetAsideRetries(kiosk.terminalId),
        headers: opsHeaders,
      });
    const summary = async () =>
      TerminalListSchema.parse(
        (await t!.app.inject({ method: 'GET', url: opsApiPaths.terminals, headers: opsHeaders })).json(),
      ).terminals[0];
    // Nothing set aside yet: nothing to ask for.
    await signedPost(t, kiosk, terminalApiPaths.heartbeat, beat(0));
    const early = await ask();
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toMatchObject({ code: 'CONFLICT', details: { reason: 'nothingSetAside' } });
    const unknown = await t.app.inject({
      method: 'POST',
      url: opsApiPaths.terminalSetAsideRetries('K99999'),
      headers: opsHeaders,
    });
    expect(unknown.json().error.code).toBe('NOT_FOUND');

    // Two set aside: ops ask; the request waits on the terminal, and a second ask answers the same one.
    expect((await signedPost(t, kiosk, terminalApiPaths.heartbeat, beat(2))).json().retrySetAside).toBeNull();
    t.clock.advance(1_000);
    const asked = await ask();
    expect(asked.statusCode, asked.body).toBe(202);
    expect(asked.json()).toMatchObject({
      setAsideDeposits: 2,
      setAsideRetryPending: { requestedAtMs: t.clock.nowMs() },
      lastSetAsideRetry: null,
    });
    const askedAtMs = t.clock.nowMs();
    t.clock.advance(1_000);
    expect((await ask()).json().setAsideRetryPending).toEqual(asked.json().setAsideRetryPending);

    // Every heartbeat answer names the request until the kiosk reports on it.
    const named = await signedPost(t, kiosk, terminalApiPaths.heartbeat, beat(2));
    expect(named.statusCode, named.body).toBe(200);
    const requestId = named.json().retrySetAside.requestId as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await signedPost(t, kiosk, terminalApiPaths.heartbeat, beat(2))).json().retrySetAside).toEqual({
      requestId,
    });
    // A report of another request (one settled long ago) settles nothing.
    const stale = { requestId: newId(), requeued: 9, synced: 9, setAsideAgain: 0, errorCode: null };
    expect(
      (await signedPost(t, kiosk, terminalApiPaths.heartbeat, beat(2, stale))).json().retrySetAside,
    ).toEqual({ requestId });
    expect((await summary())?.lastSetAsideRetry).toBeNull();

    // The kiosk reports: one credited, one set aside again. The request is settled and kept as the last.
    t.clock.advance(5_000);
    const report = { requestId, requeued: 2, synced: 1, setAsideAgain: 1, errorCode: null };
    const settled = await signedPost(t, kiosk, terminalApiPaths.heartbeat, beat(1, report));
    expect(settled.json().retrySetAside).toBeNull();
    expect(await summary()).toMatchObject({
      setAsideDeposits: 1,
      setAsideRetryPending: null,
      lastSetAsideRetry: {
        requestedAtMs: askedAtMs,
        reportedAtMs: t.clock.nowMs(),
        requeued: 2,
        synced: 1,
        setAsideAgain: 1,
        errorCode: null,
      },
    });
    // The kiosk reports again before it heard the answer: nothing changes, and nothing is asked.
    expect(
      (await signedPost(t, kiosk, terminalApiPaths.heartbeat, beat(1, report))).json().retrySetAside,
    ).toBeNull();
    // Both acts are on the terminal's audit chain.
    const audit = await t.app.inject({
      method: 'GET',
      url: `${opsApiPaths.auditEntries}?subject=${kiosk.terminalId}`,
      headers: opsHeaders,
    });
    const kinds = (audit.json().entries as { kind: string; data: Record<string, unknown> }[]).filter((e) =>
      e.kind.startsWith('terminal.setAside'),
    );
    expect(kinds.map((e) => [e.kind, e.data['requestId']]).sort()).toEqual([
      ['terminal.setAsideRetried', requestId],
      ['terminal.setAsideRetryRequested', requestId],
    ]);
    // The one left can be asked for again: a new request.
    const again = await ask();
    expect(again.statusCode).toBe(202);
    const next = await signedPost(t, kiosk, terminalApiPaths.heartbeat, beat(1));
    expect(next.json().retrySetAside.requestId).not.toBe(requestId);
  });

  it('lets ops cancel a request the kiosk never answers: answers stop naming it and a late report settles nothing', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const beat = async (report?: Record<string, unknown>) => {
      const base = heartbeat();
      const answer = await signedPost(t!, kiosk, terminalApiPaths.heartbeat, {
        ...base,
        outbox: { ...base.outbox, quarantined: 2, quarantinedTotalMinor: 250 },
        ...(report === undefined ? {} : { setAsideRetried: report }),
      });
      expect(answer.statusCode, answer.body).toBe(200);
      return answer.json().retrySetAside as { requestId: string } | null;
    };
    const cancel = (terminalId: string, requestId: string) =>
      t!.app.inject({
        method: 'DELETE',
        url: opsApiPaths.terminalSetAsideRetry(terminalId, requestId),
        headers: opsHeaders,
      });
    await beat();
    const asked = await t.app.inject({
      method: 'POST',
      url: opsApiPaths.terminalSetAsideRetries(kiosk.terminalId),
      headers: opsHeaders,
    });
    const { requestId } = asked.json().setAsideRetryPending as { requestId: string };
    // The console names the request the kiosk hears of.
    expect(await beat()).toEqual({ requestId });

    // Another request's id, or an unknown kiosk, cancels nothing.
    const other = await cancel(kiosk.terminalId, newId());
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'setAsideRetryNotPending' },
    });
    expect((await cancel('K99999', requestId)).json().error.code).toBe('NOT_FOUND');
    expect((await cancel(kiosk.terminalId, 'not-a-request')).statusCode).toBe(400);

    t.clock.advance(60_000);
    const cancelled = await cancel(kiosk.terminalId, requestId);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({
      setAsideDeposits: 2,
      setAsideRetryPending: null,
      lastSetAsideRetry: null,
    });
    // Answers no longer name it; cancelling it again is refused as no longer waiting.
    expect(await beat()).toBeNull();
    expect((await cancel(kiosk.terminalId, requestId)).statusCode).toBe(409);
    // A kiosk that ran it before the cancel reports late: nothing is settled, nothing asked.
    expect(await beat({ requestId, requeued: 2, synced: 2, setAsideAgain: 0, errorCode: null })).toBeNull();
    const list = await t.app.inject({ method: 'GET', url: opsApiPaths.terminals, headers: opsHeaders });
    expect(TerminalListSchema.parse(list.json()).terminals[0]).toMatchObject({
      setAsideRetryPending: null,
      lastSetAsideRetry: null,
    });
    const audit = await t.app.inject({
      method: 'GET',
      url: `${opsApiPaths.auditEntries}?subject=${kiosk.terminalId}`,
      headers: opsHeaders,
    });
    const entries = (audit.json().entries as { kind: string; data: Record<string, unknown> }[]).filter((e) =>
      e.kind.startsWith('terminal.setAside'),
    );
    expect(entries.map((e) => e.kind).sort()).toEqual([
      'terminal.setAsideRetryCancelled',
      'terminal.setAsideRetryRequested',
    ]);
    expect(entries.find((e) => e.kind === 'terminal.setAsideRetryCancelled')?.data).toEqual({
      requestId,
      by: entries.find((e) => e.kind === 'terminal.setAsideRetryRequested')?.data['by'],
    });
    // Ops can ask again: a new request.
    await t.app.inject({
      method: 'POST',
      url: opsApiPaths.terminalSetAsideRetries(kiosk.terminalId),
      headers: opsHeaders,
    });
    const renewed = await beat();
    expect(renewed?.requestId).toBeDefined();
    expect(renewed?.requestId).not.toBe(requestId);
  });

  it('hands kiosks every server key to believe, and shows ops the kiosks that do not hold them all yet', async () => {
    const next = newKeyPair().publicKey;
    t = await openTestApp(adapter, { env: { SERVER_TRUSTED_KEYS: next } });
    const kiosk = await enrollTestKiosk(t);
    const signing = kiosk.serverPublicKey;
    const beat = async (serverKeys?: string[]) => {
      const answer = await signedPost(t!, kiosk, terminalApiPaths.heartbeat, {
        ...heartbeat(),
        ...(serverKeys === undefined ? {} : { serverKeys }),
      });
      expect(answer.statusCode, answer.body).toBe(200);
      return answer.json().serverKeys as string[];
    };
    const rollover = async () => {
      const answer = await t!.app.inject({ method: 'GET', url: opsApiPaths.serverKeys, headers: opsHeaders });
      expect(answer.statusCode, answer.body).toBe(200);
      return ServerKeyRolloverSchema.parse(answer.json());
    };
    // A kiosk too old to say what it believes is behind.
    expect(await beat()).toEqual([signing, next]);
    expect(await rollover()).toEqual({
      signingKey: signing,
      trustedKeys: [next],
      enrolledTerminals: 1,
      behind: [
        {
          id: kiosk.terminalId,
          name: 'Kiosk by the door',
          lastHeartbeatAtMs: t.clock.nowMs(),
          serverKeys: null,
        },
      ],
    });
    // One that holds only the signing key is behind; once it holds both, none is, and the switch is safe.
    await beat([signing]);
    expect((await rollover()).behind.map((terminal) => terminal.serverKeys)).toEqual([[signing]]);
    await beat([signing, next]);
    expect((await rollover()).behind).toEqual([]);
    const fleet = await t.app.inject({ method: 'GET', url: opsApiPaths.terminals, headers: opsHeaders });
    expect(TerminalListSchema.parse(fleet.json()).terminals[0]?.serverKeys).toEqual([signing, next]);
  });
});
