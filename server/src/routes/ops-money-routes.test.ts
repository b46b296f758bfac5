import { createUuidV7Generator, generateCode, terminalApiPaths, tillApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestApp } from '../test-support/test-app.js';
import { openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import {
  createTestStore,
  enrollTestKiosk,
  kioskDeposit,
  signInTestClerk,
  signedPost,
} from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

describe.each(testAdapters)('ops money on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('books a collection against the ledger with the difference to over/short, once', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deposits = [1, 2].map(() =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode }),
    );
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits });
    const collect = (countedMinor: number, collectionId = newId()) =>
      t!.app.inject({
        method: 'POST',
        url: '/v1/ops/collections',
        headers: opsHeaders,
        payload: { collectionId, terminalId: kiosk.terminalId, countedMinor, currency: 'USD' },
      });
    const id = newId();
    const first = await collect(390, id);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ expectedMinor: 400, countedMinor: 390, overShortMinor: -10 });
    expect((await collect(390, id)).json()).toMatchObject({ expectedMinor: 400 });
    expect((await collect(391, id)).json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    // The bag was emptied: the next collection expects only what came in since.
    await signedPost(t, kiosk, terminalApiPaths.sync, {
      deposits: [kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 4 })],
    });
    expect((await collect(105)).json()).toMatchObject({ expectedMinor: 100, overShortMinor: 5 });
    const report = await verifyLedger(t.db);
    expect(report.ok).toBe(true);
  });

  it('reports a store day from the ledger, as JSON and CSV, and lists the suspense queue', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t, 'USD', 'America/New_York');
    const kiosk = await enrollTestKiosk(t, storeId);
    const clerk = await signInTestClerk(t, storeId);
    const ana = await signUpAndIn(t);
    for (const amountMinor of [1_000, 2_500]) {
      const authorizationId = newId();
      await t.app.inject({
        method: 'POST',
        url: tillApiPaths.authorizations,
        headers: clerk.headers,
        payload: { authorizationId, code: ana.depositCode, amountMinor, currency: 'USD' },
      });
      await t.app.inject({
        method: 'POST',
        url: tillApiPaths.commit(authorizationId),
        headers: clerk.headers,
      });
      if (amountMinor === 1_000) {
        await t.app.inject({
          method: 'POST',
          url: tillApiPaths.void(authorizationId),
          headers: clerk.headers,
          payload: { reason: 'wrong amount' },
        });
      }
    }
    const unknown = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: generateCode('deposit') });
    await signedPost(t, kiosk, terminalApiPaths.sync, {
      deposits: [kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode }), unknown],
    });
    const date = new Date(t.clock.nowMs() - 4 * 3_600_000).toISOString().slice(0, 10);
    const query = `storeId=${storeId}&date=${date}`;
    const json = await t.app.inject({
      method: 'GET',
      url: `/v1/ops/settlements?${query}`,
      headers: opsHeaders,
    });
    expect(json.json()).toMatchObject({
      tillDeposits: { count: 2, totalMinor: 3_500 },
      tillVoids: { count: 1, totalMinor: 1_000 },
      kioskDeposits: { count: 2, totalMinor: 400 },
      owedMinor: 2_500,
    });
    const csv = await t.app.inject({
      method: 'GET',
      url: `/v1/ops/settlements.csv?${query}`,
      headers: opsHeaders,
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, row] = csv.body.trim().split('\r\n');
    expect(header?.split(',').at(-1)).toBe('owed_minor');
    expect(row?.split(',').at(-1)).toBe('2500');
    const suspense = await t.app.inject({ method: 'GET', url: '/v1/ops/suspense', headers: opsHeaders });
    expect(suspense.json<{ entries: unknown[] }>().entries).toEqual([
      expect.objectContaining({
        depositId: unknown.depositId,
        reason: 'codeUnknown',
        status: 'held',
        amountMinor: 200,
      }),
    ]);
  });
  it('lands a void on the day it was made, so a day can owe below zero, alike in JSON and CSV', async () => {
    t = await openTestApp(adapter);
    // 2026-06-01 23:55 in New York (UTC-4); the void ten minutes later is on 2026-06-02.
    t.clock.advance(Date.UTC(2026, 5, 2, 3, 55) - t.clock.nowMs());
    const storeId = await createTestStore(t, 'USD', 'America/New_York');
    const clerk = await signInTestClerk(t, storeId);
    const ana = await signUpAndIn(t);
    const authorizationId = newId();
    const authorized = await t.app.inject({
      method: 'POST',
      url: tillApiPaths.authorizations,
      headers: clerk.headers,
      payload: { authorizationId, code: ana.depositCode, amountMinor: 2_000, currency: 'USD' },
    });
    expect(authorized.statusCode).toBeLessThan(300);
    const committed = await t.app.inject({
      method: 'POST',
      url: tillApiPaths.commit(authorizationId),
      headers: clerk.headers,
    });
    expect(committed.statusCode).toBeLessThan(300);
    t.clock.advance(10 * 60_000);
    const voided = await t.app.inject({
      method: 'POST',
      url: tillApiPaths.void(authorizationId),
      headers: clerk.headers,
      payload: { reason: 'wrong amount' },
    });
    expect(voided.statusCode).toBeLessThan(300);
    const report = async (date: string | undefined) => {
      const query = `storeId=${storeId}${date === undefined ? '' : `&date=${date}`}`;
      const json = await t!.app.inject({
        method: 'GET',
        url: `/v1/ops/settlements?${query}`,
        headers: opsHeaders,
      });
      expect(json.statusCode).toBe(200);
      const csv = await t!.app.inject({
        method: 'GET',
        url: `/v1/ops/settlements.csv?${query}`,
        headers: opsHeaders,
      });
      expect(csv.statusCode).toBe(200);
      const [header, row] = csv.body.trim().split('\r\n');
      const columns = Object.fromEntries(
        header!.split(',').map((name, index) => [name, row!.split(',')[index]]),
      );
      return { json: json.json<{ date: string; owedMinor: number }>(), columns };
    };
    const before = await report('2026-06-01');
    expect(before.json).toMatchObject({ tillDeposits: { count: 1, totalMinor: 2_000 }, owedMinor: 2_000 });
    expect(before.columns['owed_minor']).toBe('2000');
    const after = await report('2026-06-02');
    expect(after.json).toMatchObject({
      tillDeposits: { count: 0, totalMinor: 0 },
      tillVoids: { count: 1, totalMinor: 2_000 },
      owedMinor: -2_000,
    });
    expect(after.columns['owed_minor']).toBe(String(after.json.owedMinor));
    // Without a date: the day it is now at the store (UTC says 2026-06-02 too; see the next check).
    expect((await report(undefined)).json).toMatchObject({ date: '2026-06-02', owedMinor: -2_000 });
  });

  it('answers the store day it is now by default, not the UTC day', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t, 'USD', 'America/New_York');
    // 2026-06-02 01:00 UTC is still 2026-06-01 (21:00) in New York.
    t.clock.advance(Date.UTC(2026, 5, 2, 1) - t.clock.nowMs());
    const json = await t.app.inject({
      method: 'GET',
      url: `/v1/ops/settlements?storeId=${storeId}`,
      headers: opsHeaders,
    });
    expect(json.json()).toMatchObject({ date: '2026-06-01', timeZone: 'America/New_York' });
  });
});
