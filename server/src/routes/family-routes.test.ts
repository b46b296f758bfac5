import type { Code, SyncResult } from '@cashin/shared';
import {
  ChildWalletSchema,
  createUuidV7Generator,
  familyApiPaths,
  locationsApiPath,
  terminalApiPaths,
  tillApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../test-support/test-app.js';
import { openCashAccount, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import {
  createTestStore,
  enrollTestKiosk,
  kioskDeposit,
  signInTestClerk,
  signedPost,
} from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

describe.each(testAdapters)('family accounts on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, headers: object, payload?: object) =>
    t!.app.inject({
      method,
      url,
      headers: headers as Record<string, string>,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  async function addChild(headers: object, name = 'Lucia Gonzalez') {
    const response = await call('POST', familyApiPaths.children, headers, { name });
    expect(response.statusCode, response.body).toBe(201);
    return ChildWalletSchema.parse(response.json());
  }

  const childWallet = async (headers: object, childId: string) =>
    ChildWalletSchema.parse((await call('GET', familyApiPaths.child(childId), headers)).json());

  it('gives a child its own code, shows it to the parent alone, and validates caps', async () => {
    t = await openTestApp(adapter);
    const parent = await signUpAndIn(t);
    const stranger = await signUpAndIn(t);
    const added = await addChild(parent.headers);
    expect(added.child).toMatchObject({ name: 'Lucia Gonzalez', currency: 'USD', balanceMinor: 0 });
    expect(added.child.caps).toEqual({ depositMaxMinor: null, dailyMaxMinor: null });
    expect(added.depositCode.code).not.toBe(parent.depositCode);
    expect(added.depositCode.barcodes.code128Svg).toBe(`/v1/barcodes/code128/${added.depositCode.code}.svg`);
    const list = await call('GET', familyApiPaths.children, parent.headers);
    expect(list.json<{ children: { id: string }[] }>().children.map((child) => child.id)).toEqual([
      added.child.id,
    ]);

    // Someone else's child does not exist for them, whatever they try.
    expect(
      (await call('GET', familyApiPaths.child(added.child.id), stranger.headers)).json().error.code,
    ).toBe('NOT_FOUND');
    const strangerCaps = await call('PUT', familyApiPaths.caps(added.child.id), stranger.headers, {
      depositMaxMinor: 100,
      dailyMaxMinor: null,
    });
    expect(strangerCaps.json().error.code).toBe('NOT_FOUND');
    expect((await call('GET', familyApiPaths.children, stranger.headers)).json()).toEqual({ children: [] });

    for (const bad of [
      { depositMaxMinor: 0, dailyMaxMinor: null },
      { depositMaxMinor: 10.5, dailyMaxMinor: null },
      { depositMaxMinor: null, dailyMaxMinor: -1 },
      { depositMaxMinor: 2_000, dailyMaxMinor: 1_000 },
      { depositMaxMinor: '1000', dailyMaxMinor: null },
      { depositMaxMinor: null },
    ]) {
      const refused = await call('PUT', familyApiPaths.caps(added.child.id), parent.headers, bad);
      expect(refused.json().error.code, JSON.stringify(bad)).toBe('VALIDATION_FAILED');
    }
    const set = await call('PUT', familyApiPaths.caps(added.child.id), parent.headers, {
      depositMaxMinor: 1_000,
      dailyMaxMinor: 1_500,
    });
    expect(set.json().caps).toEqual({ depositMaxMinor: 1_000, dailyMaxMinor: 1_500 });
    expect((await childWallet(parent.headers, added.child.id)).allowance.remainingMinor).toBe(1_000);
    const cleared = await call('PUT', familyApiPaths.caps(added.child.id), parent.headers, {
      depositMaxMinor: null,
      dailyMaxMinor: null,
    });
    expect(cleared.json().caps).toEqual({ depositMaxMinor: null, dailyMaxMinor: null });
  });

  it("a parent sets a child's cap and a till deposit over it is refused before cash is taken", async () => {
    t = await openTestApp(adapter);
    const parent = await signUpAndIn(t);
    const added = await addChild(parent.headers);
    const childId = added.child.id;
    await call('PUT', familyApiPaths.caps(childId), parent.headers, {
      depositMaxMinor: 1_000,
      dailyMaxMinor: 1_500,
    });
    const storeId = await createTestStore(t);
    const clerk = await signInTestClerk(t, storeId);
    const authorize = (amountMinor: number) =>
      call('POST', tillApiPaths.authorizations, clerk.headers, {
        authorizationId: newId(),
        code: added.depositCode.code,
        amountMinor,
        currency: 'USD',
      });

    const over = await authorize(2_000);
    expect(over.statusCode).toBe(422);
    expect(over.json().error).toMatchObject({
      code: 'FAMILY_CAP_EXCEEDED',
      details: { remainingMinor: 1_000 },
    });
    // Refused at authorize: no authorization, no money, nothing pending in the child's wallet.
    const refused = await childWallet(parent.headers, childId);
    expect([refused.child.balanceMinor, refused.history]).toEqual([0, []]);
    const ok = await authorize(1_000);
    expect(ok.statusCode, ok.body).toBe(201);
    const authorization = ok.json<{
      authorizationId: string;
      maskedName: string;
      remainingAfterMinor: number;
    }>();
    expect(authorization.maskedName).toBe('Lucia G.');
    expect(authorization.remainingAfterMinor).toBe(0);
    // Authorized, not yet committed: the parent sees it pending in the child's history.
    expect((await childWallet(parent.headers, childId)).history.map((entry) => entry.status)).toEqual([
      'pending',
    ]);
    const commit = await call('POST', tillApiPaths.commit(authorization.authorizationId), clerk.headers, {});
    expect(commit.statusCode, commit.body).toBe(200);
    const after = await childWallet(parent.headers, childId);
    expect(after.child.balanceMinor).toBe(1_000);
    expect(after.history.map((entry) => [entry.status, entry.amountMinor])).toEqual([['credited', 1_000]]);
    // The daily cap now leaves 5.00: the refusal says so, and 5.00 itself goes in.
    expect((await authorize(600)).json().error).toMatchObject({
      code: 'FAMILY_CAP_EXCEEDED',
      details: { remainingMinor: 500 },
    });
    expect((await authorize(500)).statusCode).toBe(201);
    // The parent's own wallet is not capped.
    const parentAuth = await call('POST', tillApiPaths.authorizations, clerk.headers, {
      authorizationId: newId(),
      code: parent.depositCode,
      amountMinor: 20_000,
      currency: 'USD',
    });
    expect(parentAuth.statusCode).toBe(201);
  });

  it('holds the caps on the deposit route (the PostgreSQL batch and the SQLite fast path too)', async () => {
    t = await openTestApp(adapter);
    const parent = await signUpAndIn(t);
    const added = await addChild(parent.headers);
    await call('PUT', familyApiPaths.caps(added.child.id), parent.headers, {
      depositMaxMinor: 1_000,
      dailyMaxMinor: 1_500,
    });
    const drawer = await openCashAccount(t);
    const deposit = (amountMinor: number, cashAlreadyTaken = false) =>
      call('POST', '/v1/deposits', opsHeaders, {
        id: newId(),
        code: added.depositCode.code,
        amountMinor,
        currency: 'USD',
        sourceAccountId: drawer,
        cashAlreadyTaken,
      });
    expect((await deposit(1_001)).json().error).toMatchObject({
      code: 'FAMILY_CAP_EXCEEDED',
      details: { remainingMinor: 1_000 },
    });
    expect((await deposit(900)).json()).toMatchObject({ status: 'credited', maskedName: 'Lucia G.' });
    expect((await deposit(700)).json().error).toMatchObject({
      code: 'FAMILY_CAP_EXCEEDED',
      details: { remainingMinor: 600 },
    });
    // Cash already taken is never refused: credited and held for review.
    expect((await deposit(700, true)).json()).toMatchObject({
      status: 'inReview',
      reviewReason: 'familyCapExceeded',
    });
    const wallet = await childWallet(parent.headers, added.child.id);
    expect(wallet.child.balanceMinor).toBe(1_600);
    expect(wallet.history.map((entry) => entry.status)).toEqual(['inReview', 'credited']);
    expect(wallet.allowance.remainingMinor).toBe(0);
  });

  it('never lets concurrent deposits into a capped wallet pass its daily cap, and refuses the rest with the code', async () => {
    t = await openTestApp(adapter);
    const parent = await signUpAndIn(t);
    const added = await addChild(parent.headers);
    await call('PUT', familyApiPaths.caps(added.child.id), parent.headers, {
      depositMaxMinor: null,
      dailyMaxMinor: 1_500,
    });
    const drawer = await openCashAccount(t);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call('POST', '/v1/deposits', opsHeaders, {
          id: newId(),
          code: added.depositCode.code,
          amountMinor: 400,
          currency: 'USD',
          sourceAccountId: drawer,
        }),
      ),
    );
    const outcomes = answers.map((answer) =>
      answer.statusCode === 201 || answer.statusCode === 200
        ? answer.json<{ status: string }>().status
        : answer.json<{ error: { code: string } }>().error.code,
    );
    expect(outcomes.filter((outcome) => outcome === 'credited')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === 'FAMILY_CAP_EXCEEDED')).toHaveLength(7);
    expect((await childWallet(parent.headers, added.child.id)).child.balanceMinor).toBe(1_200);
  });

  it('has a kiosk see the smaller remaining amount and credit a late cash deposit over the cap for review', async () => {
    t = await openTestApp(adapter);
    const parent = await signUpAndIn(t);
    const added = await addChild(parent.headers);
    await call('PUT', familyApiPaths.caps(added.child.id), parent.headers, {
      depositMaxMinor: null,
      dailyMaxMinor: 300,
    });
    const kiosk = await enrollTestKiosk(t);
    const lookup = await signedPost(t, kiosk, terminalApiPaths.lookup, { code: added.depositCode.code });
    expect(lookup.json()).toMatchObject({ maskedName: 'Lucia G.', remainingMinor: 300, balanceMinor: 0 });
    // 16 quarters = 4.00, counted offline and synced late.
    const late = kioskDeposit(kiosk, newId, t.clock.nowMs(), {
      code: added.depositCode.code as Code,
      coins: 16,
      offline: true,
    });
    const sync = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [late] });
    expect(sync.json<{ results: SyncResult[] }>().results).toEqual([
      { depositId: late.depositId, status: 'created', creditedTo: 'wallet', inReview: true },
    ]);
    const wallet = await childWallet(parent.headers, added.child.id);
    expect(wallet.child.balanceMinor).toBe(400);
    expect(wallet.history.map((entry) => entry.status)).toEqual(['inReview']);
    const after = await signedPost(t, kiosk, terminalApiPaths.lookup, { code: added.depositCode.code });
    expect(after.json()).toMatchObject({ remainingMinor: 0 });
  });

  it('lists where a shopper can deposit, with kiosk status and without fleet internals', async () => {
    t = await openTestApp(adapter);
    const shopper = await signUpAndIn(t);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/ops/stores',
      headers: opsHeaders,
      payload: {
        name: 'Abarrotes Lupita',
        currency: 'USD',
        timeZone: 'America/New_York',
        address: '12 Main St',
      },
    });
    const storeId = created.json<{ id: string; address: string }>().id;
    expect(created.json<{ address: string }>().address).toBe('12 Main St');
    await signInTestClerk(t, storeId);
    const online = await enrollTestKiosk(t, storeId);
    const silent = await enrollTestKiosk(t, storeId);
    await createTestStore(t, 'MXN', 'America/Mexico_City');
    const heartbeat = {
      softwareVersion: '1.0.0',
      uptimeMs: 1_000,
      devices: [],
      outbox: { depth: 0, unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, quarantined: 0, lastSequence: 0 },
      bag: { currency: 'USD', totalMinor: 0, coinCount: 0, billCount: 0 },
      lastError: null,
    };
    expect((await signedPost(t, online, terminalApiPaths.heartbeat, heartbeat)).statusCode).toBe(200);
    const response = await call('GET', locationsApiPath, shopper.headers);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      locations: [
        {
          storeName: 'Abarrotes Lupita',
          address: '12 Main St',
          till: true,
          kiosks: [
            { name: 'Kiosk by the door', status: 'online' },
            { name: 'Kiosk by the door', status: 'offline' },
          ],
        },
      ],
    });
    for (const internal of [storeId, online.terminalId, silent.terminalId])
      expect(response.body).not.toContain(internal);
    await t.app.inject({
      method: 'POST',
      url: `/v1/ops/terminals/${online.terminalId}/disable`,
      headers: opsHeaders,
    });
    const disabled = await call('GET', locationsApiPath, shopper.headers);
    expect(
      disabled
        .json()
        .locations[0].kiosks.map((kiosk: { status: string }) => kiosk.status)
        .sort(),
    ).toEqual(['offline', 'outOfService']);
  });

  it('verifies the audit chains for ops and names the first broken link', async () => {
    t = await openTestApp(adapter);
    const parent = await signUpAndIn(t);
    await addChild(parent.headers);
    const verified = await call('GET', '/v1/ops/audit/verification', opsHeaders);
    expect(verified.statusCode).toBe(200);
    const report = verified.json<{ ok: boolean; entries: number; chains: number; breaks: unknown[] }>();
    expect(report).toMatchObject({ ok: true, breaks: [] });
    expect(report.entries).toBeGreaterThanOrEqual(5);
    await t.db.transaction((tx) =>
      tx.run("UPDATE audit_log SET data = '{}' WHERE chain = ? AND seq = 1", [parent.shopperId]),
    );
    const broken = (await call('GET', '/v1/ops/audit/verification', opsHeaders)).json();
    expect(broken).toMatchObject({
      ok: false,
      brokenChains: 1,
      breaks: [{ chain: parent.shopperId, seq: 1, problem: 'hashMismatch' }],
    });
  });
});
