import {
  AuditTrailSchema,
  CashPositionSchema,
  StoreListSchema,
  StoreRemittanceListSchema,
  StoreRemittanceSchema,
  createUuidV7Generator,
  opsApiPaths,
  tillApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import type { TestClerk } from '../test-kit/terminal-kit.js';
import { createTestStore, signInTestClerk } from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

/** A till deposit authorized and committed; voided too when asked. */
async function tillDeposit(t: TestApp, clerk: TestClerk, code: string, amountMinor: number, voidIt = false) {
  const authorizationId = newId();
  const call = (url: string, payload?: object) =>
    t.app.inject({ method: 'POST', url, headers: clerk.headers, ...(payload && { payload }) });
  const authorized = await call(tillApiPaths.authorizations, {
    authorizationId,
    code,
    amountMinor,
    currency: 'USD',
  });
  expect(authorized.statusCode, authorized.body).toBe(201);
  expect((await call(tillApiPaths.commit(authorizationId))).statusCode).toBe(200);
  if (voidIt)
    expect((await call(tillApiPaths.void(authorizationId), { reason: 'wrong amount' })).statusCode).toBe(200);
}

function pay(t: TestApp, storeId: string, payload: object) {
  return t.app.inject({
    method: 'POST',
    url: opsApiPaths.storeRemittances(storeId),
    headers: opsHeaders,
    payload,
  });
}

async function owed(t: TestApp, storeId: string) {
  const listed = await t.app.inject({
    method: 'GET',
    url: opsApiPaths.storeRemittances(storeId),
    headers: opsHeaders,
  });
  expect(listed.statusCode, listed.body).toBe(200);
  return StoreRemittanceListSchema.parse(listed.json());
}

/** What the ops list of stores says the store owes. */
async function listedOwing(t: TestApp, storeId: string) {
  const listed = await t.app.inject({ method: 'GET', url: opsApiPaths.stores, headers: opsHeaders });
  return StoreListSchema.parse(listed.json()).stores.find((store) => store.id === storeId)?.owedMinor;
}

async function usdPosition(t: TestApp) {
  const answer = await t.app.inject({ method: 'GET', url: opsApiPaths.cashPosition, headers: opsHeaders });
  return CashPositionSchema.parse(answer.json()).currencies.find((one) => one.currency === 'USD')!;
}

/** A store whose clerks took $25.00 (and a $10.00 deposit they voided). */
async function storeOwing2500(t: TestApp) {
  const storeId = await createTestStore(t);
  const clerk = await signInTestClerk(t, storeId);
  const ana = await signUpAndIn(t);
  await tillDeposit(t, clerk, ana.depositCode, 2_500);
  await tillDeposit(t, clerk, ana.depositCode, 1_000, true);
  return storeId;
}

describe.each(testAdapters)('store remittances on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('moves what a store paid from its drawer to the bank once, and never more than it owes', async () => {
    t = await openTestApp(adapter);
    const storeId = await storeOwing2500(t);
    expect(await owed(t, storeId)).toEqual({ storeId, currency: 'USD', owedMinor: 2_500, remittances: [] });
    expect(await listedOwing(t, storeId)).toBe(2_500);

    const request = { remittanceId: newId(), amountMinor: 2_000, currency: 'USD', reference: 'ACH 7781' };
    const paid = await pay(t, storeId, request);
    expect(paid.statusCode, paid.body).toBe(201);
    expect(StoreRemittanceSchema.parse(paid.json())).toMatchObject({
      remittanceId: request.remittanceId,
      storeId,
      amountMinor: 2_000,
      owedBeforeMinor: 2_500,
      owedAfterMinor: 500,
      recordedBy: 'ops-token',
    });
    expect(await usdPosition(t)).toMatchObject({ storeDrawersMinor: 500, bankMinor: 2_000, balanced: true });

    // A retry answers the first record and moves nothing; the same id with other facts is refused.
    const again = await pay(t, storeId, request);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(paid.json());
    expect(errorCodeOf(await pay(t, storeId, { ...request, amountMinor: 2_100 }))).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    expect((await usdPosition(t)).bankMinor).toBe(2_000);

    // More than is owed, another currency, an unknown store: refused, with what is owed.
    const tooMuch = await pay(t, storeId, { ...request, remittanceId: newId(), amountMinor: 501 });
    expect(errorCodeOf(tooMuch)).toBe('AMOUNT_ABOVE_MAXIMUM');
    expect(tooMuch.json()).toMatchObject({ error: { details: { owedMinor: 500 } } });
    expect(errorCodeOf(await pay(t, storeId, { ...request, remittanceId: newId(), currency: 'MXN' }))).toBe(
      'CURRENCY_MISMATCH',
    );
    expect(errorCodeOf(await pay(t, 'S99999', { ...request, remittanceId: newId() }))).toBe('NOT_FOUND');

    const rest = await pay(t, storeId, {
      ...request,
      remittanceId: newId(),
      amountMinor: 500,
      reference: 'cash',
    });
    expect(rest.json()).toMatchObject({ owedBeforeMinor: 500, owedAfterMinor: 0 });
    const listed = await owed(t, storeId);
    expect(listed.owedMinor).toBe(0);
    expect(await listedOwing(t, storeId)).toBe(0);
    expect(listed.remittances.map((one) => [one.reference, one.amountMinor])).toEqual([
      ['cash', 500],
      ['ACH 7781', 2_000],
    ]);

    // The store's history says who recorded each payment.
    const trail = await t.app.inject({
      method: 'GET',
      url: `${opsApiPaths.auditEntries}?subject=${storeId}`,
      headers: opsHeaders,
    });
    const payments = AuditTrailSchema.parse(trail.json()).entries.filter(
      (entry) => entry.kind === 'store.remittanceRecorded',
    );
    expect(
      payments.map((entry) => [entry.data['amountMinor'], entry.data['owedAfterMinor'], entry.data['by']]),
    ).toEqual([
      [500, 0, 'ops-token'],
      [2_000, 500, 'ops-token'],
    ]);
    expect((await verifyLedger(t.db)).ok).toBe(true);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('refuses malformed payments and changes nothing', async () => {
    t = await openTestApp(adapter);
    const storeId = await storeOwing2500(t);
    const base = { remittanceId: newId(), amountMinor: 100, currency: 'USD', reference: 'ACH 1' };
    const answers: (string | undefined)[] = [];
    for (const payload of [
      { ...base, amountMinor: 0 },
      { ...base, amountMinor: -100 },
      { ...base, amountMinor: 10.5 },
      { ...base, amountMinor: '100' },
      { ...base, currency: 'XXX' },
      { ...base, reference: '   ' },
      { ...base, reference: 'x'.repeat(81) },
      { ...base, remittanceId: 'not-an-id' },
      { amountMinor: 100, currency: 'USD', reference: 'ACH 1' },
    ]) {
      const answer = await pay(t, storeId, payload);
      expect(answer.statusCode, JSON.stringify(payload)).toBe(400);
      answers.push(errorCodeOf(answer));
    }
    // Each answered with the catalogue's code for what is wrong with it.
    expect(answers).toEqual([
      ...Array<string>(4).fill('AMOUNT_INVALID'),
      'CURRENCY_UNKNOWN',
      ...Array<string>(4).fill('VALIDATION_FAILED'),
    ]);
    expect((await owed(t, storeId)).owedMinor).toBe(2_500);
    expect((await owed(t, storeId)).remittances).toEqual([]);
  });

  it('lets only one of two operators pay off the same debt at once, and a retried payment counts once', async () => {
    t = await openTestApp(adapter);
    const storeId = await storeOwing2500(t);
    for (let round = 0; round < 4; round += 1) {
      const before = await owed(t, storeId);
      if (before.owedMinor < 400) break;
      const share = Math.floor(before.owedMinor / 2) + 100; // two shares pass what is owed
      const retried = { remittanceId: newId(), amountMinor: share, currency: 'USD', reference: `A${round}` };
      const other = { remittanceId: newId(), amountMinor: share, currency: 'USD', reference: `B${round}` };
      const answers = await Promise.all([
        pay(t, storeId, retried),
        pay(t, storeId, retried),
        pay(t, storeId, other),
        pay(t, storeId, retried),
      ]);
      const created = answers.filter((answer) => answer.statusCode === 201);
      const ids = new Set(created.map((answer) => answer.json<{ remittanceId: string }>().remittanceId));
      expect(ids.size, `round ${round}`).toBe(1);
      for (const answer of answers.filter((one) => one.statusCode !== 201))
        expect(errorCodeOf(answer)).toBe('AMOUNT_ABOVE_MAXIMUM');
      const after = await owed(t, storeId);
      expect(after.owedMinor).toBe(before.owedMinor - share);
      expect(after.remittances.filter((one) => ids.has(one.remittanceId))).toHaveLength(1);
    }
    expect(await usdPosition(t)).toMatchObject({ balanced: true });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});
