import {
  CashPositionSchema,
  createUuidV7Generator,
  generateCode,
  opsApiPaths,
  terminalApiPaths,
  tillApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../test-support/csv-reader.js';
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

async function position(t: TestApp) {
  const answer = await t.app.inject({ method: 'GET', url: opsApiPaths.cashPosition, headers: opsHeaders });
  expect(answer.statusCode, answer.body).toBe(200);
  return CashPositionSchema.parse(answer.json());
}

async function ops(t: TestApp, url: string, payload: object) {
  const answer = await t.app.inject({ method: 'POST', url, headers: opsHeaders, payload });
  expect(answer.statusCode, answer.body).toBe(201);
  return answer.json<{ collectionId?: string }>();
}

describe.each(testAdapters)('the cash position on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('follows the cash from till and kiosk to transit and the bank, against what is owed', async () => {
    t = await openTestApp(adapter);
    expect((await position(t)).currencies).toEqual([]);
    const storeId = await createTestStore(t);
    const kiosk = await enrollTestKiosk(t, storeId);
    const clerk = await signInTestClerk(t, storeId);
    const ana = await signUpAndIn(t);

    // $25.00 at the till; $2.00 at the kiosk for Ana and $1.00 for a code nobody holds (suspense).
    const authorizationId = newId();
    await t.app.inject({
      method: 'POST',
      url: tillApiPaths.authorizations,
      headers: clerk.headers,
      payload: { authorizationId, code: ana.depositCode, amountMinor: 2_500, currency: 'USD' },
    });
    const committed = await t.app.inject({
      method: 'POST',
      url: tillApiPaths.commit(authorizationId),
      headers: clerk.headers,
    });
    expect(committed.statusCode, committed.body).toBe(200);
    const synced = await signedPost(t, kiosk, terminalApiPaths.sync, {
      deposits: [
        kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 8 }),
        kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: generateCode('deposit'), coins: 4 }),
      ],
    });
    expect(synced.statusCode, synced.body).toBe(200);
    expect((await position(t)).currencies).toEqual([
      {
        currency: 'USD',
        kioskBagsMinor: 300,
        storeDrawersMinor: 2_500,
        cashInTransitMinor: 0,
        bankMinor: 0,
        cashMinor: 2_800,
        walletsMinor: 2_700,
        suspenseMinor: 100,
        feeIncomeMinor: 0,
        overShortMinor: 0,
        balanced: true,
      },
    ]);
    // The CSV says the same, a row per currency, as of the same moment.
    const csv = await t.app.inject({ method: 'GET', url: opsApiPaths.cashPositionCsv, headers: opsHeaders });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const asOf = new Date(t.clock.nowMs()).toISOString();
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="cash-position-${asOf.slice(0, 19).replaceAll(':', '-')}Z.csv"`,
    );
    expect(parseCsv(csv.body)).toEqual([
      [
        'as_of',
        'currency',
        'kiosk_bags_minor',
        'store_drawers_minor',
        'cash_in_transit_minor',
        'bank_minor',
        'cash_minor',
        'wallets_minor',
        'suspense_minor',
        'fee_income_minor',
        'over_short_minor',
        'balanced',
      ],
      [asOf, 'USD', '300', '2500', '0', '0', '2800', '2700', '100', '0', '0', 'true'],
    ]);

    // The bag is counted 10 cents short, then the bank credits 5 cents more than was counted.
    const { collectionId } = await ops(t, opsApiPaths.collections, {
      collectionId: newId(),
      terminalId: kiosk.terminalId,
      countedMinor: 290,
      currency: 'USD',
    });
    expect((await position(t)).currencies[0]).toMatchObject({
      kioskBagsMinor: 0,
      cashInTransitMinor: 290,
      cashMinor: 2_790,
      overShortMinor: -10,
      balanced: true,
    });
    await ops(t, opsApiPaths.bankDeposits, {
      bankDepositId: newId(),
      collectionIds: [collectionId],
      creditedMinor: 295,
      currency: 'USD',
      bankReference: 'STMT 14',
    });
    const banked = await position(t);
    expect(banked.asOfMs).toBe(t.clock.nowMs());
    expect(banked.currencies).toEqual([
      expect.objectContaining({
        cashInTransitMinor: 0,
        bankMinor: 295,
        cashMinor: 2_795,
        walletsMinor: 2_700,
        suspenseMinor: 100,
        overShortMinor: -5,
        balanced: true,
      }),
    ]);

    // A wallet row changed behind the ledger's back no longer matches the cash: the check says so.
    await t.db.transaction((tx) =>
      tx.run(
        "UPDATE accounts SET credits_posted = credits_posted + 1 WHERE kind = 'wallet' AND currency = 'USD'",
      ),
    );
    expect((await position(t)).currencies[0]).toMatchObject({ walletsMinor: 2_701, balanced: false });
  });

  it('keeps each currency apart', async () => {
    t = await openTestApp(adapter);
    for (const currency of ['USD', 'MXN'] as const) {
      const storeId = await createTestStore(t, currency, 'America/Mexico_City');
      const clerk = await signInTestClerk(t, storeId);
      const shopper = await signUpAndIn(t, { currency });
      const authorizationId = newId();
      const amountMinor = currency === 'USD' ? 1_000 : 20_000;
      await t.app.inject({
        method: 'POST',
        url: tillApiPaths.authorizations,
        headers: clerk.headers,
        payload: { authorizationId, code: shopper.depositCode, amountMinor, currency },
      });
      const committed = await t.app.inject({
        method: 'POST',
        url: tillApiPaths.commit(authorizationId),
        headers: clerk.headers,
      });
      expect(committed.statusCode, committed.body).toBe(200);
    }
    const { currencies } = await position(t);
    expect(
      currencies.map((one) => [one.currency, one.storeDrawersMinor, one.walletsMinor, one.balanced]),
    ).toEqual([
      ['MXN', 20_000, 20_000, true],
      ['USD', 1_000, 1_000, true],
    ]);
  });
});
