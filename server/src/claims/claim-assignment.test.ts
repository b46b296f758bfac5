import {
  ClaimAssignmentSchema,
  SuspenseListSchema,
  WalletResponseSchema,
  createUuidV7Generator,
  generateCode,
  maskCode,
  terminalApiPaths,
  opsApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, nextPhone, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { enrollTestKiosk, kioskDeposit, signedPost, walletBalance } from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

async function suspenseClaimOf(t: TestApp, depositId: string) {
  // Claimed ones too: the default listing holds only the money still held.
  const response = await t.app.inject({
    method: 'GET',
    url: '/v1/ops/suspense?status=all',
    headers: opsHeaders,
  });
  const entry = SuspenseListSchema.parse(response.json()).entries.find((e) => e.depositId === depositId);
  if (entry === undefined) throw new Error(`no suspense entry for ${depositId}`);
  return entry;
}

describe.each(testAdapters)('an operator credits money in suspense to a shopper on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('credits the claim once to the shopper found by phone, and the claim code then redeems nothing', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const voucherCode = generateCode('claim');
    const mistyped = kioskDeposit(kiosk, newId, t.clock.nowMs(), {
      code: generateCode('deposit'),
      coins: 12,
    });
    const voucher = kioskDeposit(kiosk, newId, t.clock.nowMs(), {
      code: null,
      claimCode: voucherCode,
      coins: 4,
    });
    const synced = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [mistyped, voucher] });
    expect(synced.statusCode, synced.body).toBe(200);
    const held = await suspenseClaimOf(t, mistyped.depositId);
    expect(held).toMatchObject({ status: 'held', amountMinor: 300, reason: 'codeUnknown' });

    const assign = (claimId: string, body: object) =>
      t!.app.inject({
        method: 'POST',
        url: opsApiPaths.suspenseAssignment(claimId),
        headers: opsHeaders,
        payload: body,
      });
    const before = await walletBalance(t, ana.headers);
    const request = {
      assignmentId: newId(),
      phone: ana.phone,
      reason: 'Shopper showed the receipt photo; the code was typed wrong at the kiosk.',
    };
    const first = await assign(held.id, request);
    expect(first.statusCode, first.body).toBe(201);
    const assigned = ClaimAssignmentSchema.parse(first.json());
    expect(assigned).toEqual({
      result: 'created',
      claimId: held.id,
      transferId: request.assignmentId,
      shopperId: ana.shopperId,
      amountMinor: 300,
      currency: 'USD',
      status: 'credited',
    });
    // A retry of the same assignment answers it again and moves nothing.
    const retried = await assign(held.id, request);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual({ ...assigned, result: 'exists' });
    expect(await walletBalance(t, ana.headers)).toBe(before + 300);
    expect((await suspenseClaimOf(t, mistyped.depositId)).status).toBe('claimed');
    expect(errorCodeOf(await assign(held.id, { ...request, assignmentId: newId() }))).toBe(
      'CLAIM_ALREADY_REDEEMED',
    );

    // A voucher keeps its own code on the wallet's record, and the voucher redeems nothing afterwards.
    const voucherClaim = await suspenseClaimOf(t, voucher.depositId);
    const byVoucher = await assign(voucherClaim.id, { ...request, assignmentId: newId() });
    expect(byVoucher.statusCode, byVoucher.body).toBe(201);
    const wallet = WalletResponseSchema.parse(
      (await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: ana.headers })).json(),
    );
    const entry = wallet.history.find(
      (e) => e.transferId === ClaimAssignmentSchema.parse(byVoucher.json()).transferId,
    );
    expect(entry?.codeMasked).toBe(maskCode(voucherCode));
    const redeemed = await t.app.inject({
      method: 'POST',
      url: '/v1/me/claims',
      headers: ana.headers,
      payload: { claimCode: voucherCode },
    });
    // Ana typing the voucher's code afterwards is told its money is already hers; nothing moves again.
    expect(redeemed.statusCode).toBe(201);
    expect(redeemed.json()).toMatchObject({ result: 'exists', amountMinor: 100 });
    const ben = await signUpAndIn(t, { name: 'Ben Ortiz' });
    const byBen = await t.app.inject({
      method: 'POST',
      url: '/v1/me/claims',
      headers: ben.headers,
      payload: { claimCode: voucherCode },
    });
    expect(errorCodeOf(byBen)).toBe('CLAIM_ALREADY_REDEEMED');
    expect(await walletBalance(t, ana.headers)).toBe(before + 300 + 100);

    // Nobody with that phone, no such claim, bad input: refused, nothing moves.
    const unclaimed = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: generateCode('deposit') });
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [unclaimed] });
    const open = await suspenseClaimOf(t, unclaimed.depositId);
    const nobody = await assign(open.id, { ...request, assignmentId: newId(), phone: nextPhone() });
    expect(errorCodeOf(nobody)).toBe('NOT_FOUND');
    expect(errorCodeOf(await assign(newId(), { ...request, assignmentId: newId() }))).toBe('NOT_FOUND');
    for (const [bad, code] of [
      [{ ...request, assignmentId: 'not-a-uuid' }, 'VALIDATION_FAILED'],
      [{ ...request, phone: '5551234' }, 'PHONE_INVALID'],
      [{ ...request, reason: ' ' }, 'VALIDATION_FAILED'],
      [{ assignmentId: newId(), phone: ana.phone }, 'VALIDATION_FAILED'],
    ] as const)
      expect(errorCodeOf(await assign(open.id, bad)), JSON.stringify(bad)).toBe(code);
    // An id the ledger already holds for something else: refused whole, the claim stays held.
    const taken = await assign(open.id, { ...request, assignmentId: mistyped.depositId });
    expect(errorCodeOf(taken)).toBe('IDEMPOTENCY_CONFLICT');
    expect((await suspenseClaimOf(t, unclaimed.depositId)).status).toBe('held');
    expect(await walletBalance(t, ana.headers)).toBe(before + 400);

    const audit = await t.db.transaction((tx) =>
      tx.all<{ data: string }>(
        "SELECT data FROM audit_log WHERE kind = 'claim.assigned' ORDER BY at_ms, seq",
      ),
    );
    expect(audit.map((row) => JSON.parse(row.data))).toEqual([
      expect.objectContaining({
        claimId: held.id,
        amountMinor: 300,
        reason: request.reason,
        by: 'ops-token',
      }),
      expect.objectContaining({ claimId: voucherClaim.id, amountMinor: 100, by: 'ops-token' }),
    ]);
    expect((await verifyAudit(t.db)).ok).toBe(true);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});
