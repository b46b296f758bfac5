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
import { businessDayRange } from '../settlements/business-day.js';

const newId = createUuidV7Generator();

describe('business days', () => {
  it('cuts days in the store time zone, daylight saving included', () => {
    expect(businessDayRange('2026-06-01', 'America/Mexico_City')).toEqual({
      startMs: Date.UTC(2026, 5, 1, 6),
      endMs: Date.UTC(2026, 5, 2, 6),
    });
    const spring = businessDayRange('2026-03-08', 'America/New_York');
    expect(spring.endMs - spring.startMs).toBe(23 * 3_600_000);
    expect(spring.startMs).toBe(Date.UTC(2026, 2, 8, 5));
  });
});

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
});
