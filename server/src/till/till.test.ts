import { createUuidV7Generator, generateCode, terminalApiPaths, tillApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../test-support/test-app.js';
import { openTestApp, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import {
  createTestClerk,
  createTestStore,
  enrollTestKiosk,
  kioskDeposit,
  signInTestClerk,
  signedPost,
  walletBalance,
} from '../test-kit/terminal-kit.js';
import type { TestClerk } from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

describe.each(testAdapters)('the till on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const authorize = (clerk: TestClerk, payload: Record<string, unknown>) =>
    t!.app.inject({ method: 'POST', url: tillApiPaths.authorizations, headers: clerk.headers, payload });
  const commit = (clerk: TestClerk, id: string) =>
    t!.app.inject({ method: 'POST', url: tillApiPaths.commit(id), headers: clerk.headers });
  const voidIt = (clerk: TestClerk, id: string, reason = 'customer changed their mind') =>
    t!.app.inject({
      method: 'POST',
      url: tillApiPaths.void(id),
      headers: clerk.headers,
      payload: { reason },
    });

  it('authorizes without moving money, commits once however often retried, and voids back', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const clerk = await signInTestClerk(t, storeId);
    const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
    const authorizationId = newId();
    const authorized = await authorize(clerk, {
      authorizationId,
      code: ana.depositCode,
      amountMinor: 2_000,
      currency: 'USD',
    });
    expect(authorized.statusCode).toBe(201);
    expect(authorized.json()).toMatchObject({
      status: 'authorized',
      maskedName: 'Ana R.',
      amountMinor: 2_000,
    });
    expect(await walletBalance(t, ana.headers)).toBe(0);
    const commits = [];
    for (let n = 0; n < 10; n += 1) commits.push(await commit(clerk, authorizationId));
    expect(commits.map((c) => c.statusCode)).toEqual(Array(10).fill(200));
    expect(commits[9]!.json()).toMatchObject({ status: 'committed' });
    expect(await walletBalance(t, ana.headers)).toBe(2_000);
    const concurrent = await Promise.all([1, 2, 3].map(() => commit(clerk, authorizationId)));
    expect(concurrent.map((c) => c.statusCode)).toEqual([200, 200, 200]);
    expect(await walletBalance(t, ana.headers)).toBe(2_000);

    const voided = await voidIt(clerk, authorizationId);
    expect(voided.json()).toMatchObject({ status: 'voided' });
    expect((await voidIt(clerk, authorizationId)).statusCode).toBe(200);
    expect(await walletBalance(t, ana.headers)).toBe(0);
    expect((await commit(clerk, authorizationId)).json().error.code).toBe('ALREADY_VOIDED');

    const shift = await t.app.inject({ method: 'GET', url: tillApiPaths.shift, headers: clerk.headers });
    expect(shift.json()).toMatchObject({
      deposits: { count: 1, totalMinor: 2_000 },
      voids: { count: 1, totalMinor: 2_000 },
      cashToHandOverMinor: 0,
    });
  });

  it('refuses after expiry, past the void window, over the limits and outside the till range', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const clerk = await signInTestClerk(t, storeId);
    const ana = await signUpAndIn(t);
    const late = newId();
    await authorize(clerk, {
      authorizationId: late,
      code: ana.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
    });
    t.clock.advance(t.config.limits.system.tillAuthorizationTtlMs);
    expect((await commit(clerk, late)).json().error.code).toBe('AUTHORIZATION_EXPIRED');
    expect(await walletBalance(t, ana.headers)).toBe(0);

    const done = newId();
    await authorize(clerk, {
      authorizationId: done,
      code: ana.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
    });
    await commit(clerk, done);
    t.clock.advance(t.config.limits.system.tillVoidWindowMs + 1);
    expect((await voidIt(clerk, done)).json().error.code).toBe('VOID_WINDOW_CLOSED');

    const code = ana.depositCode;
    const refuse = async (amountMinor: number) =>
      (await authorize(clerk, { authorizationId: newId(), code, amountMinor, currency: 'USD' })).json().error
        .code;
    expect(await refuse(499)).toBe('AMOUNT_BELOW_MINIMUM');
    expect(await refuse(50_001)).toBe('AMOUNT_ABOVE_MAXIMUM');
    for (let n = 0; n < 1; n += 1) {
      const id = newId();
      await authorize(clerk, { authorizationId: id, code, amountMinor: 50_000, currency: 'USD' });
      await commit(clerk, id);
    }
    // Tier 0 allows 1,000.00 a day: 10.00 + 500.00 are in, 500.00 more would pass it.
    expect(await refuse(50_000)).toBe('LIMIT_EXCEEDED');
    expect(
      (
        await authorize(clerk, {
          authorizationId: newId(),
          code: generateCode('deposit'),
          amountMinor: 1_000,
          currency: 'USD',
        })
      ).json().error.code,
    ).toBe('CODE_UNKNOWN');
    const reused = await authorize(clerk, {
      authorizationId: done,
      code,
      amountMinor: 2_000,
      currency: 'USD',
    });
    expect(reused.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('keeps a clerk of store A out of store B', async () => {
    t = await openTestApp(adapter);
    const storeA = await createTestStore(t);
    const storeB = await createTestStore(t);
    const clerkA = await signInTestClerk(t, storeA);
    const clerkB = await signInTestClerk(t, storeB);
    const ana = await signUpAndIn(t);
    const id = newId();
    await authorize(clerkB, {
      authorizationId: id,
      code: ana.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
    });
    expect((await commit(clerkA, id)).json().error.code).toBe('FORBIDDEN');
    await commit(clerkB, id);
    expect((await voidIt(clerkA, id)).json().error.code).toBe('FORBIDDEN');
    expect(await walletBalance(t, ana.headers)).toBe(1_000);
    // Signing in to another store with one's own clerk id and PIN fails like a wrong PIN.
    const wrongStore = await t.app.inject({
      method: 'POST',
      url: tillApiPaths.session,
      payload: { storeId: storeB, clerkId: clerkA.clerkId, pin: clerkA.pin },
    });
    expect(wrongStore.json().error.code).toBe('PIN_INVALID');
  });

  it("never takes another's money for the customer's when an authorization id already names a deposit", async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const clerk = await signInTestClerk(t, storeId);
    const kiosk = await enrollTestKiosk(t, storeId);
    const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
    const bea = await signUpAndIn(t, { name: 'Bea Soto' });
    const syncKioskDeposit = async (depositId: string) => {
      const deposit = {
        ...kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: bea.depositCode }),
        depositId,
      };
      const synced = await signedPost(t!, kiosk, terminalApiPaths.sync, { deposits: [deposit] });
      expect(synced.json().results[0]).toMatchObject({ status: 'created' });
    };

    // An id a kiosk deposit already holds is refused before the clerk takes the cash.
    const kioskHeld = newId();
    await syncKioskDeposit(kioskHeld);
    const refused = await authorize(clerk, {
      authorizationId: kioskHeld,
      code: ana.depositCode,
      amountMinor: 5_000,
      currency: 'USD',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('IDEMPOTENCY_CONFLICT');

    // The kiosk's deposit takes the id between authorize and commit: the commit must not answer
    // "committed" for money that never reached Ana, and the void must not undo Bea's deposit.
    const raced = newId();
    const authorized = await authorize(clerk, {
      authorizationId: raced,
      code: ana.depositCode,
      amountMinor: 5_000,
      currency: 'USD',
    });
    expect(authorized.statusCode).toBe(201);
    await syncKioskDeposit(raced);
    expect(await walletBalance(t, bea.headers)).toBe(400);
    const committed = await commit(clerk, raced);
    expect(committed.statusCode).toBe(409);
    expect(committed.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    const voided = await voidIt(clerk, raced);
    expect(voided.json()).toMatchObject({ status: 'voided' });
    expect(await walletBalance(t, ana.headers)).toBe(0);
    expect(await walletBalance(t, bea.headers)).toBe(400);
    const shift = await t.app.inject({ method: 'GET', url: tillApiPaths.shift, headers: clerk.headers });
    expect(shift.json()).toMatchObject({ deposits: { count: 0, totalMinor: 0 }, cashToHandOverMinor: 0 });
  });

  it("credits the wallet the authorization named though the code's rotation grace ended before the commit", async () => {
    const minuteMs = 60_000;
    // A grace shorter than an authorization's life, so a commit can come after it ends.
    t = await openTestApp(adapter, { limits: { system: { codeRotationGraceMs: minuteMs } } });
    const storeId = await createTestStore(t);
    const clerk = await signInTestClerk(t, storeId);
    const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
    expect(t.config.limits.system.tillAuthorizationTtlMs).toBeGreaterThan(2 * minuteMs);
    // The clerk authorizes; the shopper then rotates her code on her phone, before the clerk confirms.
    const authorizationId = newId();
    const authorized = await authorize(clerk, {
      authorizationId,
      code: ana.depositCode,
      amountMinor: 2_000,
      currency: 'USD',
    });
    expect(authorized.statusCode).toBe(201);
    expect(authorized.json()).toMatchObject({ status: 'authorized', maskedName: 'Ana R.' });
    t.clock.advance(minuteMs / 2);
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/v1/me/deposit-code/rotations',
      headers: ana.headers,
    });
    expect(rotated.statusCode).toBe(201);
    // The rotated code starts no new deposit, grace or not: its grace is for deposits already under way.
    const late = await authorize(clerk, {
      authorizationId: newId(),
      code: ana.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
    });
    expect(late.statusCode).toBe(410);
    expect(late.json().error.code).toBe('CODE_REVOKED');
    // The clerk confirms after the code's grace ended: the wallet the authorization named is credited.
    t.clock.advance(minuteMs + 1);
    const committed = await commit(clerk, authorizationId);
    expect(committed.statusCode).toBe(200);
    expect(committed.json()).toMatchObject({
      status: 'committed',
      maskedName: 'Ana R.',
      creditedTo: 'wallet',
      claimCode: null,
    });
    expect(committed.json().voidableUntilMs).not.toBeNull();
    expect(await walletBalance(t, ana.headers)).toBe(2_000);
    expect((await commit(clerk, authorizationId)).json()).toMatchObject({ creditedTo: 'wallet' });
    const voided = await voidIt(clerk, authorizationId);
    expect(voided.statusCode).toBe(200);
    expect(await walletBalance(t, ana.headers)).toBe(0);
  });

  it('answers a commit whose money went to suspense with the claim code, and offers no void', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const clerk = await signInTestClerk(t, storeId);
    const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
    const authorizationId = newId();
    await authorize(clerk, { authorizationId, code: ana.depositCode, amountMinor: 2_000, currency: 'USD' });
    // No path revokes a code behind an open authorization's back today (a rotation after it credits the
    // wallet, as above); the row is rewritten so the commit meets a code revoked long before.
    await t.db.transaction((tx) =>
      tx.run("UPDATE deposit_codes SET status = 'revoked', revoked_at_ms = ? WHERE code = ?", [
        t!.clock.nowMs() - 10 * t!.config.limits.system.codeRotationGraceMs,
        ana.depositCode,
      ]),
    );
    const answers = [await commit(clerk, authorizationId), await commit(clerk, authorizationId)];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({
        status: 'committed',
        creditedTo: 'suspense',
        voidableUntilMs: null,
      });
      expect(answer.json().claimCode).toMatch(/^\d{12,20}$/);
    }
    expect(answers[1]!.json().claimCode).toBe(answers[0]!.json().claimCode);
    expect(await walletBalance(t, ana.headers)).toBe(0);
    const shift = await t.app.inject({ method: 'GET', url: tillApiPaths.shift, headers: clerk.headers });
    expect(shift.json().recent[0]).toMatchObject({ creditedTo: 'suspense', claimCode: null });
  });

  it('counts the hand-over by who committed and who voided in the shift, never below zero', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const { clerkId, pin } = await createTestClerk(t, storeId, '1357');
    const signIn = async (id = clerkId, withPin = pin): Promise<TestClerk> => {
      const session = await t!.app.inject({
        method: 'POST',
        url: tillApiPaths.session,
        payload: { storeId, clerkId: id, pin: withPin },
      });
      expect(session.statusCode).toBe(201);
      const headers = { authorization: `Bearer ${session.json<{ token: string }>().token}` };
      return { clerkId: id, storeId, pin: withPin, headers };
    };
    const shiftOf = async (clerk: TestClerk) =>
      (await t!.app.inject({ method: 'GET', url: tillApiPaths.shift, headers: clerk.headers })).json();
    const ana = await signUpAndIn(t);
    const deposit = async (clerk: TestClerk, amountMinor: number) => {
      const id = newId();
      await authorize(clerk, { authorizationId: id, code: ana.depositCode, amountMinor, currency: 'USD' });
      expect((await commit(clerk, id)).statusCode).toBe(200);
      return id;
    };

    // Commits, signs in again (a second tab, a reopened browser) and voids: one shift, nothing to hand over.
    const first = await signIn();
    const taken = await deposit(first, 1_000);
    t.clock.advance(1_000);
    const again = await signIn();
    expect((await voidIt(again, taken)).statusCode).toBe(200);
    for (const session of [first, again])
      expect(await shiftOf(session)).toMatchObject({
        deposits: { count: 1, totalMinor: 1_000 },
        voids: { count: 1, totalMinor: 1_000 },
        otherVoids: { count: 0, totalMinor: 0 },
        cashToHandOverMinor: 0,
      });

    // Signed out, the shift ends; voiding the last shift's deposit in the next is paid back, not subtracted.
    const kept = await deposit(again, 2_000);
    for (const session of [first, again])
      await t.app.inject({ method: 'DELETE', url: tillApiPaths.session, headers: session.headers });
    t.clock.advance(1_000);
    const next = await signIn();
    expect((await voidIt(next, kept)).statusCode).toBe(200);
    expect(await shiftOf(next)).toMatchObject({
      deposits: { count: 0, totalMinor: 0 },
      voids: { count: 0, totalMinor: 0 },
      otherVoids: { count: 1, totalMinor: 2_000 },
      cashToHandOverMinor: 0,
    });

    // A colleague commits what this clerk authorized: the cash is in the colleague's hand-over.
    const colleague = await createTestClerk(t, storeId, '2468');
    const carla = await signIn(colleague.clerkId, colleague.pin);
    const handed = newId();
    await authorize(next, {
      authorizationId: handed,
      code: ana.depositCode,
      amountMinor: 3_000,
      currency: 'USD',
    });
    expect((await commit(carla, handed)).statusCode).toBe(200);
    expect(await shiftOf(carla)).toMatchObject({
      deposits: { count: 1, totalMinor: 3_000 },
      cashToHandOverMinor: 3_000,
    });
    expect(await shiftOf(next)).toMatchObject({
      deposits: { count: 0, totalMinor: 0 },
      cashToHandOverMinor: 0,
    });
  });

  it('throttles wrong PINs and locks the clerk out for a while', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const { clerkId, pin } = await createTestClerk(t, storeId, '2468');
    const signIn = (withPin: string) =>
      t!.app.inject({
        method: 'POST',
        url: tillApiPaths.session,
        payload: { storeId, clerkId, pin: withPin },
      });
    const max = t.config.limits.system.pinAttemptsMax;
    for (let n = 1; n < max; n += 1) expect((await signIn('0000')).json().error.code).toBe('PIN_INVALID');
    expect((await signIn('0000')).json().error.code).toBe('PIN_LOCKED');
    expect((await signIn(pin)).json().error.code).toBe('PIN_LOCKED');
    t.clock.advance(t.config.limits.system.pinLockoutMs);
    expect((await signIn(pin)).statusCode).toBe(201);
    const session = await signIn(pin);
    const token = session.json<{ token: string }>().token;
    t.clock.advance(t.config.limits.system.clerkSessionTtlMs);
    const expired = await t.app.inject({
      method: 'GET',
      url: tillApiPaths.shift,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(expired.json().error.code).toBe('SESSION_EXPIRED');
  });
});
