import type { SyncResult } from '@cashin/shared';
import { createUuidV7Generator, generateCode, moneyLimitsFor, terminalApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../test-support/test-app.js';
import { openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import {
  enrollTestKiosk,
  kioskDeposit,
  newKeyPair,
  signedPost,
  signedReceipt,
  walletBalance,
} from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

describe.each(testAdapters)('offline receipts on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const redeem = (headers: { authorization: string }, receipt: string) =>
    t!.app.inject({ method: 'POST', url: '/v1/me/receipts', headers, payload: { receipt } });

  it('credits a receipt redeemed then synced once, and refuses a second redemption', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const { deposit, qr } = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, offline: true }),
    );
    const first = await redeem(ana.headers, qr);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      result: 'created',
      amountMinor: 200,
      creditedTo: 'wallet',
      ownWallet: true,
      status: 'credited',
    });
    expect(await walletBalance(t, ana.headers)).toBe(200);
    // Ana's retry (her answer was lost) is told it is in; anyone else finds it redeemed.
    const retry = await redeem(ana.headers, qr);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toMatchObject({ result: 'exists', amountMinor: 200, ownWallet: true });
    const ben = await signUpAndIn(t, { name: 'Ben Ortiz' });
    expect((await redeem(ben.headers, qr)).json().error.code).toBe('CLAIM_ALREADY_REDEEMED');
    expect(await walletBalance(t, ana.headers)).toBe(200);
    const sync = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [deposit] });
    expect(sync.json<{ results: SyncResult[] }>().results).toEqual([
      { depositId: deposit.depositId, status: 'exists' },
    ]);
    expect(await walletBalance(t, ana.headers)).toBe(200);
    // The gap bookkeeping counted the deposit once: no gap, no alert.
    const alerts = await t.app.inject({ method: 'GET', url: '/v1/ops/alerts', headers: opsHeaders });
    expect(alerts.json<{ alerts: unknown[] }>().alerts).toEqual([]);
  });

  it('refuses a receipt synced first, a forged one, and conflicts a sync whose signed fields differ', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const synced = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode }),
    );
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [synced.deposit] });
    expect((await redeem(ana.headers, synced.qr)).json().error.code).toBe('CLAIM_ALREADY_REDEEMED');
    const forger = { ...kiosk, ...newKeyPair() };
    const forged = signedReceipt(
      forger,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode }),
    );
    expect((await redeem(ana.headers, forged.qr)).json().error.code).toBe('RECEIPT_SIGNATURE_INVALID');
    const honest = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode }),
    );
    expect((await redeem(ana.headers, honest.qr)).statusCode).toBe(201);
    const altered = {
      ...honest.deposit,
      items: [{ kind: 'coin' as const, ccTalkId: 'US025A', valueMinor: 25, count: 4 }],
      totalMinor: 100,
    };
    const sync = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [altered] });
    expect(sync.json<{ results: SyncResult[] }>().results[0]?.status).toBe('conflict');
    expect(await walletBalance(t, ana.headers)).toBe(400);
  });

  it('verifies a receipt signed before a key rotation with the retired key', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const { qr } = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode }),
    );
    const rotation = await t.app.inject({
      method: 'POST',
      url: `/v1/ops/terminals/${kiosk.terminalId}/key-rotations`,
      headers: opsHeaders,
      payload: { oldDevice: 'replaced' },
    });
    await t.app.inject({
      method: 'POST',
      url: terminalApiPaths.enroll,
      payload: {
        token: rotation.json<{ token: string }>().token,
        publicKey: newKeyPair().publicKey,
        softwareVersion: '1.1.0',
      },
    });
    expect((await redeem(ana.headers, qr)).statusCode).toBe(201);
    expect(await walletBalance(t, ana.headers)).toBe(200);
    // Past the kiosk offline window after its retirement, the old key moves no more money by itself.
    const late = signedReceipt(kiosk, kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode }));
    t.clock.advance(moneyLimitsFor(t.config.limits, 'USD').kioskOfflineOldestUnsyncedMs + 1_000);
    const refused = await redeem(ana.headers, late.qr);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'RECEIPT_NOT_REDEEMABLE',
      details: { reason: 'keyRetired' },
    });
    expect(await walletBalance(t, ana.headers)).toBe(200);
  });

  it("bounds what a kiosk's key alone can move: disabled kiosks, one receipt, and receipts awaiting sync", async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const usd = moneyLimitsFor(t.config.limits, 'USD');
    const reasonOf = async (qr: string) => {
      const response = await redeem(ana.headers, qr);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('RECEIPT_NOT_REDEEMABLE');
      return response.json().error.details.reason as string;
    };
    const receiptOf = (totalMinor: number) =>
      signedReceipt(
        kiosk,
        kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode, coins: totalMinor / 25 }),
      );

    const above = receiptOf(usd.kioskOfflineDepositMaxMinor + 25);
    expect(await reasonOf(above.qr)).toBe('aboveOfflineMaximum');
    // Once the kiosk synced it, its money is in the wallet; the receipt only answers that.
    const aboveSynced = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [above.deposit] });
    expect(aboveSynced.json<{ results: SyncResult[] }>().results[0]?.status).toBe('created');
    expect((await redeem(ana.headers, above.qr)).json().error.code).toBe('CLAIM_ALREADY_REDEEMED');

    const held = receiptOf(1_000);
    const setEnabled = (enabled: boolean) =>
      t!.app.inject({
        method: 'POST',
        url: `/v1/ops/terminals/${kiosk.terminalId}/${enabled ? 'enable' : 'disable'}`,
        headers: opsHeaders,
      });
    expect((await setEnabled(false)).statusCode).toBe(200);
    expect(await reasonOf(held.qr)).toBe('terminalDisabled');
    expect((await setEnabled(true)).statusCode).toBe(200);
    expect((await redeem(ana.headers, held.qr)).statusCode).toBe(201);

    // Receipts fill the terminal's offline unsynced maximum; the next waits until the kiosk syncs them.
    const filling: ReturnType<typeof receiptOf>[] = [held];
    let awaiting = 1_000;
    while (awaiting + usd.kioskOfflineDepositMaxMinor <= usd.kioskOfflineUnsyncedMaxMinor) {
      const next = receiptOf(usd.kioskOfflineDepositMaxMinor);
      expect((await redeem(ana.headers, next.qr)).statusCode).toBe(201);
      filling.push(next);
      awaiting += usd.kioskOfflineDepositMaxMinor;
    }
    const over = receiptOf(usd.kioskOfflineUnsyncedMaxMinor - awaiting + 25);
    expect(await reasonOf(over.qr)).toBe('unsyncedCapReached');
    expect(await walletBalance(t, ana.headers)).toBe(above.deposit.totalMinor + awaiting);
    const sync = await signedPost(t, kiosk, terminalApiPaths.sync, {
      deposits: filling.map((one) => one.deposit),
    });
    expect(sync.json<{ results: SyncResult[] }>().results.every((one) => one.status === 'exists')).toBe(true);
    expect((await redeem(ana.headers, over.qr)).statusCode).toBe(201);
    expect(await walletBalance(t, ana.headers)).toBe(
      above.deposit.totalMinor + awaiting + over.deposit.totalMinor,
    );
  });

  it('redeems a synced voucher above the offline maximum, or from a kiosk disabled since, by its receipt', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const usd = moneyLimitsFor(t.config.limits, 'USD');
    const voucher = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), {
        code: null,
        claimCode: generateCode('claim'),
        coins: usd.kioskOfflineDepositMaxMinor / 25 + 4,
      }),
    );
    const synced = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [voucher.deposit] });
    expect(synced.json<{ results: SyncResult[] }>().results[0]).toMatchObject({ creditedTo: 'claim' });
    const disabled = await t.app.inject({
      method: 'POST',
      url: `/v1/ops/terminals/${kiosk.terminalId}/disable`,
      headers: opsHeaders,
    });
    expect(disabled.statusCode).toBe(200);
    const redeemed = await redeem(ana.headers, voucher.qr);
    expect(redeemed.statusCode).toBe(201);
    expect(redeemed.json()).toMatchObject({ result: 'created', amountMinor: voucher.deposit.totalMinor });
    expect(await walletBalance(t, ana.headers)).toBe(voucher.deposit.totalMinor);
  });

  it('gives the money of a receipt whose code went to suspense to the redeemer, once', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const ben = await signUpAndIn(t, { name: 'Ben Ortiz' });
    // A code no wallet has (mistyped at the kiosk while offline): the cash went to suspense.
    const before = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: generateCode('deposit'), offline: true }),
    );
    const redeemed = await redeem(ana.headers, before.qr);
    expect(redeemed.statusCode).toBe(201);
    expect(redeemed.json()).toMatchObject({ result: 'created', creditedTo: 'wallet', ownWallet: true });
    expect(await walletBalance(t, ana.headers)).toBe(200);
    expect((await redeem(ana.headers, before.qr)).json()).toMatchObject({ result: 'exists' });
    expect((await redeem(ben.headers, before.qr)).json().error.code).toBe('CLAIM_ALREADY_REDEEMED');
    const synced = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [before.deposit] });
    expect(synced.json<{ results: SyncResult[] }>().results[0]?.status).toBe('exists');

    // Synced first: the suspense money waits for whoever holds the receipt.
    const after = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: generateCode('deposit'), offline: true }),
    );
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [after.deposit] });
    expect((await redeem(ben.headers, after.qr)).json()).toMatchObject({
      result: 'created',
      ownWallet: true,
    });
    expect((await redeem(ana.headers, after.qr)).json().error.code).toBe('CLAIM_ALREADY_REDEEMED');
    expect(await walletBalance(t, ana.headers)).toBe(200);
    expect(await walletBalance(t, ben.headers)).toBe(200);
  });

  it('does not tell a shopper a reversed deposit is in her wallet when she redeems its receipt again', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const { deposit, qr } = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, offline: true }),
    );
    expect((await redeem(ana.headers, qr)).statusCode).toBe(201);
    const reversal = await t.app.inject({
      method: 'POST',
      url: '/v1/reversals',
      headers: opsHeaders,
      payload: { id: newId(), depositId: deposit.depositId, reason: 'wrong wallet' },
    });
    expect(reversal.json()).toMatchObject({ result: 'created', heldIn: 'suspense' });
    const again = await redeem(ana.headers, qr);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'CONFLICT', details: { reason: 'depositReversed' } });
    expect(await walletBalance(t, ana.headers)).toBe(0);
  });

  it('credits the wallet of the code on the receipt, not the redeemer', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const ben = await signUpAndIn(t, { name: 'Ben Ortiz' });
    const { qr } = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode }),
    );
    const response = await redeem(ben.headers, qr);
    expect(response.json()).toMatchObject({ ownWallet: false, creditedTo: 'wallet' });
    expect(await walletBalance(t, ana.headers)).toBe(200);
    expect(await walletBalance(t, ben.headers)).toBe(0);
  });

  it('redeems a voucher receipt into the redeemer once, whether or not the kiosk synced it first', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const before = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: null, claimCode: generateCode('claim') }),
    );
    expect((await redeem(ana.headers, before.qr)).json()).toMatchObject({
      ownWallet: true,
      amountMinor: 200,
    });
    const sync = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [before.deposit] });
    expect(sync.json<{ results: SyncResult[] }>().results[0]?.status).toBe('exists');
    const after = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: null, claimCode: generateCode('claim') }),
    );
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [after.deposit] });
    expect((await redeem(ana.headers, after.qr)).json()).toMatchObject({
      result: 'created',
      ownWallet: true,
    });
    expect((await redeem(ana.headers, after.qr)).json()).toMatchObject({ result: 'exists', ownWallet: true });
    const ben = await signUpAndIn(t, { name: 'Ben Ortiz' });
    expect((await redeem(ben.headers, after.qr)).json().error.code).toBe('CLAIM_ALREADY_REDEEMED');
    expect(await walletBalance(t, ana.headers)).toBe(400);
  });
});
