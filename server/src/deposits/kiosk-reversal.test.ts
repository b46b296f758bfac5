import {
  CashPositionSchema,
  ClaimAssignmentSchema,
  CollectionSchema,
  ReversalResponseSchema,
  SuspenseListSchema,
  WalletResponseSchema,
  createUuidV7Generator,
  opsApiPaths,
  terminalApiPaths,
  tillApiPaths,
} from '@cashin/shared';
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
  walletBalance,
} from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

async function reverse(t: TestApp, body: { id: string; depositId: string; reason: string }) {
  return t.app.inject({ method: 'POST', url: '/v1/reversals', headers: opsHeaders, payload: body });
}

async function cashPositionUsd(t: TestApp) {
  const response = await t.app.inject({ method: 'GET', url: opsApiPaths.cashPosition, headers: opsHeaders });
  const usd = CashPositionSchema.parse(response.json()).currencies.find((one) => one.currency === 'USD');
  if (usd === undefined) throw new Error('no USD position');
  return usd;
}

describe.each(testAdapters)('an ops reversal of a deposit on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('holds a kiosk deposit in suspense under a claim (its cash stays in the bag), which ops assign to its owner', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const ben = await signUpAndIn(t, { name: 'Benito Juarez' });
    // Ben fed the kiosk with Ana's code: 8 quarters into Ana's wallet, and one deposit of her own.
    const mistaken = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 8 });
    const hers = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 4 });
    const synced = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [mistaken, hers] });
    expect(synced.statusCode, synced.body).toBe(200);
    expect(await walletBalance(t, ana.headers)).toBe(300);

    const request = { id: newId(), depositId: mistaken.depositId, reason: 'Wrong code typed at the kiosk' };
    const first = await reverse(t, request);
    expect(first.statusCode, first.body).toBe(201);
    const reversal = ReversalResponseSchema.parse(first.json());
    expect(reversal).toMatchObject({
      result: 'created',
      reversalId: request.id,
      depositId: mistaken.depositId,
      amountMinor: 200,
      heldIn: 'suspense',
    });
    const claimId = reversal.claimId;
    if (claimId === null) throw new Error('a kiosk reversal answered no claim');
    // A retry answers the same reversal and claim, and moves nothing.
    const again = await reverse(t, request);
    expect(again.statusCode).toBe(200);
    expect(ReversalResponseSchema.parse(again.json())).toMatchObject({ result: 'exists', claimId });

    // Ana's wallet gave the money up, and her history says the deposit was reversed.
    expect(await walletBalance(t, ana.headers)).toBe(100);
    const wallet = await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: ana.headers });
    const history = WalletResponseSchema.parse(wallet.json()).history;
    expect(history.find((entry) => entry.transferId === request.id)).toMatchObject({
      amountMinor: -200,
      status: 'reversed',
    });
    expect(history.find((entry) => entry.transferId === mistaken.depositId)?.status).toBe('reversed');

    // The money waits in suspense; the cash is still in the bag, and the position still balances.
    const queue = await t.app.inject({ method: 'GET', url: opsApiPaths.suspense, headers: opsHeaders });
    expect(SuspenseListSchema.parse(queue.json()).entries).toEqual([
      expect.objectContaining({
        id: claimId,
        depositId: mistaken.depositId,
        amountMinor: 200,
        reason: 'reversal',
        status: 'held',
      }),
    ]);
    expect(await cashPositionUsd(t)).toMatchObject({
      kioskBagsMinor: 300,
      walletsMinor: 100,
      suspenseMinor: 200,
      balanced: true,
    });

    // Ops credit the claim to Ben, found by his phone.
    const assigned = await t.app.inject({
      method: 'POST',
      url: opsApiPaths.suspenseAssignment(claimId),
      headers: opsHeaders,
      payload: { assignmentId: newId(), phone: ben.phone, reason: 'Ben showed the kiosk receipt' },
    });
    expect(assigned.statusCode, assigned.body).toBe(201);
    expect(ClaimAssignmentSchema.parse(assigned.json())).toMatchObject({
      claimId,
      shopperId: ben.shopperId,
      amountMinor: 200,
      status: 'credited',
    });
    expect(await walletBalance(t, ben.headers)).toBe(200);

    // The tech empties the bag and counts all the cash in it: nothing over, nothing short.
    const collected = await t.app.inject({
      method: 'POST',
      url: opsApiPaths.collections,
      headers: opsHeaders,
      payload: { collectionId: newId(), terminalId: kiosk.terminalId, countedMinor: 300, currency: 'USD' },
    });
    expect(collected.statusCode, collected.body).toBe(201);
    expect(CollectionSchema.parse(collected.json())).toMatchObject({
      expectedMinor: 300,
      countedMinor: 300,
      overShortMinor: 0,
    });
    expect(await cashPositionUsd(t)).toMatchObject({
      kioskBagsMinor: 0,
      cashInTransitMinor: 300,
      walletsMinor: 300,
      suspenseMinor: 0,
      overShortMinor: 0,
      balanced: true,
    });
    const report = await verifyLedger(t.db);
    expect(report.discrepancies).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('still returns a store deposit to the drawer, by a till void and by ops', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const clerk = await signInTestClerk(t, storeId);
    const ana = await signUpAndIn(t);
    const take = async (amountMinor: number): Promise<string> => {
      const authorizationId = newId();
      const authorized = await t!.app.inject({
        method: 'POST',
        url: tillApiPaths.authorizations,
        headers: clerk.headers,
        payload: { authorizationId, code: ana.depositCode, amountMinor, currency: 'USD' },
      });
      expect(authorized.statusCode, authorized.body).toBe(201);
      const committed = await t!.app.inject({
        method: 'POST',
        url: tillApiPaths.commit(authorizationId),
        headers: clerk.headers,
      });
      expect(committed.statusCode, committed.body).toBe(200);
      return authorizationId;
    };
    const voided = await take(1_000);
    const reversedByOps = await take(2_500);
    await take(700);
    const voidResponse = await t.app.inject({
      method: 'POST',
      url: tillApiPaths.void(voided),
      headers: clerk.headers,
      payload: { reason: 'Customer changed their mind' },
    });
    expect(voidResponse.statusCode, voidResponse.body).toBe(200);
    const byOps = await reverse(t, { id: newId(), depositId: reversedByOps, reason: 'Keyed wrong amount' });
    expect(byOps.statusCode, byOps.body).toBe(201);
    expect(ReversalResponseSchema.parse(byOps.json())).toMatchObject({ heldIn: 'source', claimId: null });
    // The clerk handed both back: the drawer holds only the deposit that stands, and nothing is in suspense.
    expect(await walletBalance(t, ana.headers)).toBe(700);
    expect(await cashPositionUsd(t)).toMatchObject({
      storeDrawersMinor: 700,
      walletsMinor: 700,
      suspenseMinor: 0,
      balanced: true,
    });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});
