import type { Code } from '@cashin/shared';
import { createUuidV7Generator, generateCode, terminalApiPaths, tillApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestApp } from '../test-support/test-app.js';
import { openCashAccount, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { createClerk } from '../clerks/clerks.js';
import type { Db, Tx } from '../storage/db.js';
import { createStore } from '../stores/stores.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import { seedShopper, testDeps } from '../test-support/test-deps.js';
import { authorizeDeposit } from '../till/authorizations.js';
import * as slips from './slips.js';
import {
  createTestStore,
  enrollTestKiosk,
  kioskDeposit,
  signInTestClerk,
  signedPost,
} from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();
const hourMs = 60 * 60 * 1000;

describe.each(testAdapters)(
  'payment slips cancelled by their shopper, and till lookups, on %s',
  (adapter) => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    const issueSlip = async (headers: { authorization: string }, amountMinor = 2_500, ttlMs = hourMs) => {
      const response = await t!.app.inject({
        method: 'POST',
        url: '/v1/me/slips',
        headers,
        payload: { amountMinor, ttlMs },
      });
      expect(response.statusCode).toBe(201);
      return response.json<{ code: Code; amountMinor: number }>();
    };
    const cancelSlip = (headers: { authorization: string }, code: string) =>
      t!.app.inject({ method: 'DELETE', url: `/v1/me/slips/${code}`, headers });
    const listedStatuses = async (headers: { authorization: string }) =>
      (await t!.app.inject({ method: 'GET', url: '/v1/me/slips', headers }))
        .json<{ slips: { code: string; status: string }[] }>()
        .slips.map((slip) => [slip.code, slip.status] as const);
    const depositRow = (id: string) =>
      t!.db.transaction((tx) =>
        tx.get<{ status: string; review_reason: string | null }>(
          'SELECT status, review_reason FROM deposits WHERE transfer_id = ?',
          [id],
        ),
      );

    it('a cancelled slip starts no deposit anywhere, and cash already taken for it is held for review', async () => {
      t = await openTestApp(adapter);
      const drawer = await openCashAccount(t);
      const storeId = await createTestStore(t);
      const clerk = await signInTestClerk(t, storeId);
      const kiosk = await enrollTestKiosk(t, storeId);
      const maria = await signUpAndIn(t);
      const slip = await issueSlip(maria.headers, 1_000);

      const cancelled = await cancelSlip(maria.headers, slip.code);
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json()).toMatchObject({ code: slip.code, amountMinor: 1_000, status: 'cancelled' });
      // Again: the same answer, and still one audit entry for it.
      expect((await cancelSlip(maria.headers, slip.code)).json()).toMatchObject({ status: 'cancelled' });
      expect(await listedStatuses(maria.headers)).toEqual([[slip.code, 'cancelled']]);

      const lookup = await t.app.inject({
        method: 'POST',
        url: tillApiPaths.lookups,
        headers: clerk.headers,
        payload: { code: slip.code },
      });
      expect(lookup.statusCode).toBe(410);
      expect(lookup.json().error.code).toBe('CODE_CANCELLED');
      const authorized = await t.app.inject({
        method: 'POST',
        url: tillApiPaths.authorizations,
        headers: clerk.headers,
        payload: { authorizationId: newId(), code: slip.code, amountMinor: 1_000, currency: 'USD' },
      });
      expect(authorized.json().error.code).toBe('CODE_CANCELLED');
      const kioskLookup = await signedPost(t, kiosk, terminalApiPaths.lookup, { code: slip.code });
      expect(kioskLookup.json().error.code).toBe('CODE_CANCELLED');
      const notTaken = await t.app.inject({
        method: 'POST',
        url: '/v1/deposits',
        headers: opsHeaders,
        payload: {
          id: newId(),
          code: slip.code,
          amountMinor: 1_000,
          currency: 'USD',
          sourceAccountId: drawer,
        },
      });
      expect(notTaken.json().error.code).toBe('CODE_CANCELLED');

      // Cash taken against the slip by a kiosk of older software (today's kiosks send slips to a till),
      // 40 quarters, the slip's 10.00: credited to the slip's wallet, held for a person to look at.
      const late = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: slip.code, coins: 40, offline: true });
      const synced = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [late] });
      expect(synced.json().results).toEqual([
        { depositId: late.depositId, status: 'created', creditedTo: 'wallet', inReview: true },
      ]);
      expect(await depositRow(late.depositId)).toEqual({
        status: 'inReview',
        review_reason: 'slipCancelled',
      });

      const audit = await t.db.transaction((tx) =>
        tx.all<{ kind: string }>("SELECT kind FROM audit_log WHERE kind = 'slip.cancelled'"),
      );
      expect(audit).toHaveLength(1);
      expect((await verifyAudit(t.db)).ok).toBe(true);
      expect((await verifyLedger(t.db)).ok).toBe(true);
    });

    it('a cancelled slip no longer counts among the open ones', async () => {
      t = await openTestApp(adapter);
      const maria = await signUpAndIn(t);
      const openMax = t.config.limits.system.slipsOpenPerShopperMax;
      const slips = [];
      for (let n = 0; n < openMax; n += 1) slips.push(await issueSlip(maria.headers));
      const full = await t.app.inject({
        method: 'POST',
        url: '/v1/me/slips',
        headers: maria.headers,
        payload: { amountMinor: 2_500, ttlMs: hourMs },
      });
      expect(full.json().error.code).toBe('SLIPS_OPEN_MAX');
      expect((await cancelSlip(maria.headers, slips[0]!.code)).statusCode).toBe(200);
      await issueSlip(maria.headers);
    });

    it('refuses to cancel a used, expired, held or other shopper’s slip, each with its code', async () => {
      t = await openTestApp(adapter);
      const drawer = await openCashAccount(t);
      const storeId = await createTestStore(t);
      const clerk = await signInTestClerk(t, storeId);
      const maria = await signUpAndIn(t);
      const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });

      const used = await issueSlip(maria.headers);
      const paid = await t.app.inject({
        method: 'POST',
        url: '/v1/deposits',
        headers: opsHeaders,
        payload: {
          id: newId(),
          code: used.code,
          amountMinor: 2_500,
          currency: 'USD',
          sourceAccountId: drawer,
        },
      });
      expect(paid.statusCode).toBe(201);
      const usedCancel = await cancelSlip(maria.headers, used.code);
      expect(usedCancel.statusCode).toBe(409);
      expect(usedCancel.json().error.code).toBe('CODE_USED');

      // Another shopper's slip, and a slip code nobody issued, are the same answer: no such slip of yours.
      const hers = await issueSlip(ana.headers);
      for (const code of [hers.code, generateCode('slip')]) {
        const foreign = await cancelSlip(maria.headers, code);
        expect(foreign.statusCode).toBe(404);
        expect(foreign.json().error.code).toBe('CODE_UNKNOWN');
      }
      expect(await listedStatuses(ana.headers)).toEqual([[hers.code, 'open']]);
      // Not a slip code at all: refused by its shape, before any lookup.
      for (const code of [maria.depositCode, '12345', `${hers.code.slice(0, -1)}x`]) {
        const malformed = await cancelSlip(maria.headers, code);
        expect(malformed.statusCode).toBe(400);
      }
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/me/slips/${hers.code}` })).statusCode).toBe(
        401,
      );

      // A clerk holds a live authorization for the slip: the cash may be changing hands right now.
      const held = await issueSlip(maria.headers, 3_000);
      const authorizationId = newId();
      const authorized = await t.app.inject({
        method: 'POST',
        url: tillApiPaths.authorizations,
        headers: clerk.headers,
        payload: { authorizationId, code: held.code, amountMinor: 3_000, currency: 'USD' },
      });
      expect(authorized.statusCode).toBe(201);
      const expiresAtMs = authorized.json<{ expiresAtMs: number }>().expiresAtMs;
      const heldCancel = await cancelSlip(maria.headers, held.code);
      expect(heldCancel.statusCode).toBe(409);
      expect(heldCancel.json().error).toMatchObject({
        code: 'CONFLICT',
        details: { reason: 'slipAuthorized', untilMs: expiresAtMs },
      });
      // The clerk cancels at the check: the slip is the shopper's to cancel again.
      const voided = await t.app.inject({
        method: 'POST',
        url: tillApiPaths.void(authorizationId),
        headers: clerk.headers,
        payload: { reason: 'customer left' },
      });
      expect(voided.statusCode).toBe(200);
      expect((await cancelSlip(maria.headers, held.code)).json()).toMatchObject({ status: 'cancelled' });

      // An authorization left to run out holds the slip only until then.
      const lapsing = await issueSlip(maria.headers, 4_000);
      const lapsingAuthorization = await t.app.inject({
        method: 'POST',
        url: tillApiPaths.authorizations,
        headers: clerk.headers,
        payload: { authorizationId: newId(), code: lapsing.code, amountMinor: 4_000, currency: 'USD' },
      });
      expect(lapsingAuthorization.statusCode).toBe(201);
      expect((await cancelSlip(maria.headers, lapsing.code)).statusCode).toBe(409);
      t.clock.advance(t.config.limits.system.tillAuthorizationTtlMs);
      expect((await cancelSlip(maria.headers, lapsing.code)).statusCode).toBe(200);

      const expiring = await issueSlip(maria.headers);
      t.clock.advance(hourMs);
      const expiredCancel = await cancelSlip(maria.headers, expiring.code);
      expect(expiredCancel.statusCode).toBe(410);
      expect(expiredCancel.json().error.code).toBe('CODE_EXPIRED');
      expect(
        new Map(await listedStatuses(maria.headers)).get(used.code),
        'a refused cancel changes nothing',
      ).toBe('used');
    });

    it('a cancel racing cash taken for the slip: the slip is either paid or cancelled, never both', async () => {
      t = await openTestApp(adapter);
      const drawer = await openCashAccount(t);
      const maria = await signUpAndIn(t);
      for (let round = 0; round < 6; round += 1) {
        const slip = await issueSlip(maria.headers, 1_000);
        const depositId = newId();
        const [cancel, paid] = await Promise.all([
          cancelSlip(maria.headers, slip.code),
          t.app.inject({
            method: 'POST',
            url: '/v1/deposits',
            headers: opsHeaders,
            payload: {
              id: depositId,
              code: slip.code,
              amountMinor: 1_000,
              currency: 'USD',
              sourceAccountId: drawer,
              cashAlreadyTaken: true,
            },
          }),
        ]);
        expect(paid.statusCode).toBe(201);
        const row = await depositRow(depositId);
        if (cancel.statusCode === 200) {
          // Cancelled first: the cash is the slip's wallet's, held for review.
          expect(row).toEqual({ status: 'inReview', review_reason: 'slipCancelled' });
        } else {
          expect(cancel.json().error.code).toBe('CODE_USED');
          expect(row).toEqual({ status: 'credited', review_reason: null });
        }
      }
      expect((await verifyLedger(t.db)).ok).toBe(true);
    });

    it('a cancel landing between a till’s check of the slip and its authorization: the authorization is refused', async () => {
      const testDb = await openTestDb(adapter);
      try {
        const base = testDeps(testDb.db);
        const store = await createStore(
          base,
          { name: 'Corner Store', currency: 'USD', timeZone: 'America/New_York' },
          'test',
        );
        const clerk = await createClerk(base, store.id, { name: 'Carla', pin: '482916' }, 'test');
        const shopper = await seedShopper(base);
        const slip = await slips.issueSlip(base, shopper.shopperId, 2_500, hourMs);
        // The till's lookup commits (its count of tries is how it is told apart), then the shopper's cancel
        // commits, then the till's authorization runs: the order PostgreSQL allows two processes.
        let cancelled: slips.Slip | undefined;
        const db = testDb.db;
        const interleaved: Db = {
          dialect: db.dialect,
          single: (sql, params) => db.single(sql, params),
          ping: () => db.ping(),
          close: () => db.close(),
          transaction: async (body, options) => {
            let lookup = false;
            const watch = (sql: string) => {
              if (sql.includes('code_lookup_windows')) lookup = true;
            };
            const result = await db.transaction((tx) => {
              const watched: Tx = {
                dialect: tx.dialect,
                all: (sql, params) => (watch(sql), tx.all(sql, params)),
                get: (sql, params) => (watch(sql), tx.get(sql, params)),
                run: (sql, params) => (watch(sql), tx.run(sql, params)),
                savepoint: (inner) => tx.savepoint(inner),
              };
              return body(watched);
            }, options);
            if (lookup && cancelled === undefined)
              cancelled = await slips.cancelSlip(base, shopper.shopperId, slip.code);
            return result;
          },
        };
        const refused = authorizeDeposit(
          { ...base, db: interleaved },
          { clerkId: clerk.id, storeId: store.id },
          { authorizationId: base.newId(), code: slip.code, amountMinor: 2_500, currency: 'USD' },
        );
        await expect(refused).rejects.toMatchObject({ code: 'CODE_CANCELLED' });
        expect(cancelled?.status).toBe('cancelled');
        const held = await testDb.db.transaction((tx) =>
          tx.all('SELECT id FROM till_authorizations WHERE code = ?', [slip.code]),
        );
        expect(held).toEqual([]);
      } finally {
        await testDb.dispose();
      }
    });

    it('a till looks a code up before the amount: name, allowance and a slip’s amount, counted per clerk', async () => {
      t = await openTestApp(adapter);
      const storeId = await createTestStore(t);
      const pesos = await createTestStore(t, 'MXN', 'America/Mexico_City');
      const clerk = await signInTestClerk(t, storeId);
      const pesoClerk = await signInTestClerk(t, pesos);
      const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
      const slip = await issueSlip(ana.headers, 4_500);
      const lookUp = (headers: { authorization: string }, code: string) =>
        t!.app.inject({ method: 'POST', url: tillApiPaths.lookups, headers, payload: { code } });

      const forCode = await lookUp(clerk.headers, ana.depositCode);
      expect(forCode.statusCode).toBe(200);
      const daily = t.config.limits.money.USD!.tiers[0].walletDailyMaxMinor;
      expect(forCode.json()).toMatchObject({
        maskedName: 'Ana R.',
        currency: 'USD',
        allowance: { remainingMinor: daily },
        slipAmountMinor: null,
      });
      expect((await lookUp(clerk.headers, slip.code)).json()).toMatchObject({
        maskedName: 'Ana R.',
        slipAmountMinor: 4_500,
      });
      // A lookup moves nothing and holds nothing: the wallet shows no pending deposit.
      const wallet = await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: ana.headers });
      expect(wallet.json()).toMatchObject({ balanceMinor: 0, history: [] });

      const otherCurrency = await lookUp(pesoClerk.headers, ana.depositCode);
      expect(otherCurrency.statusCode).toBe(422);
      expect(otherCurrency.json().error).toMatchObject({
        code: 'CURRENCY_MISMATCH',
        details: { field: 'code' },
      });
      expect((await lookUp(clerk.headers, generateCode('deposit'))).json().error.code).toBe('CODE_UNKNOWN');
      expect((await lookUp(clerk.headers, '1234')).statusCode).toBe(400);
      expect((await lookUp(ana.headers, ana.depositCode)).statusCode).toBe(403);

      // Every lookup counts against the clerk's enumeration limit, found or not, with authorizing's.
      const perMinute = t.config.limits.system.codeLookupsPerMinuteMax;
      const counted = 3; // the clerk's three lookups above that reached the count
      for (let n = counted; n < perMinute; n += 1)
        expect((await lookUp(clerk.headers, generateCode('deposit'))).json().error.code).toBe('CODE_UNKNOWN');
      expect((await lookUp(clerk.headers, ana.depositCode)).json().error.code).toBe('RATE_LIMITED');
      const authorized = await t.app.inject({
        method: 'POST',
        url: tillApiPaths.authorizations,
        headers: clerk.headers,
        payload: { authorizationId: newId(), code: ana.depositCode, amountMinor: 1_000, currency: 'USD' },
      });
      expect(authorized.json().error.code).toBe('RATE_LIMITED');
    });
  },
);
