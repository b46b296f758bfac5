import { createUuidV7Generator, generateCode } from '@cashin/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestApp } from '../test-support/test-app.js';
import {
  openCashAccount,
  openTestApp,
  opsHeaders,
  signUpAndIn,
  suspenseAuditChains,
} from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';

const newId = createUuidV7Generator();
const hourMs = 60 * 60 * 1000;

describe.each(testAdapters)('deposits on %s', (adapter) => {
  let t: TestApp;
  let drawer: string;

  beforeEach(async () => {
    t = await openTestApp(adapter);
    drawer = await openCashAccount(t);
  });
  afterEach(async () => {
    await t.close();
  });

  async function deposit(payload: Record<string, unknown>) {
    return t.app.inject({ method: 'POST', url: '/v1/deposits', headers: opsHeaders, payload });
  }

  async function wallet(headers: { authorization: string }) {
    const response = await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers });
    expect(response.statusCode).toBe(200);
    return response.json<{
      balanceMinor: number;
      allowance: { remainingMinor: number };
      history: { kind: string; status: string; amountMinor: number }[];
    }>();
  }

  it('credits once however often the same deposit is sent, and refuses a changed replay', async () => {
    const shopper = await signUpAndIn(t);
    const body = {
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 2_000,
      currency: 'USD',
      sourceAccountId: drawer,
    };
    const first = await deposit(body);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ result: 'created', status: 'credited', maskedName: 'Maria G.' });
    for (let retry = 0; retry < 5; retry += 1) {
      const again = await deposit(body);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ result: 'exists', status: 'credited' });
    }
    const changed = await deposit({ ...body, amountMinor: 2_001 });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await wallet(shopper.headers)).balanceMinor).toBe(2_000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('credits once when the same id arrives concurrently', async () => {
    const shopper = await signUpAndIn(t);
    const body = {
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 700,
      currency: 'USD',
      sourceAccountId: drawer,
    };
    const responses = await Promise.all(Array.from({ length: 8 }, () => deposit(body)));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect((await wallet(shopper.headers)).balanceMinor).toBe(700);
  });

  it('refuses a deposit over the daily limit with what is still allowed, before any money moves', async () => {
    const shopper = await signUpAndIn(t);
    // Tier 0 USD: 1,000.00 per rolling day.
    expect(
      (
        await deposit({
          id: newId(),
          code: shopper.depositCode,
          amountMinor: 90_000,
          currency: 'USD',
          sourceAccountId: drawer,
        })
      ).statusCode,
    ).toBe(201);
    const over = await deposit({
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 20_000,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(over.statusCode).toBe(422);
    expect(over.json().error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { remainingMinor: 10_000 } });
    expect((await wallet(shopper.headers)).balanceMinor).toBe(90_000);
    // The rolling day moves on: 24 h later the allowance is back (the 30-day window still counts it).
    t.clock.advance(24 * hourMs + 1);
    expect((await wallet(shopper.headers)).allowance.remainingMinor).toBe(100_000);
  });

  it('credits cash already taken over the limit and flags it for review', async () => {
    const shopper = await signUpAndIn(t);
    await deposit({
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 95_000,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    const late = await deposit({
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 20_000,
      currency: 'USD',
      sourceAccountId: drawer,
      cashAlreadyTaken: true,
    });
    expect(late.statusCode).toBe(201);
    expect(late.json()).toMatchObject({ status: 'inReview', reviewReason: 'limitExceeded' });
    const view = await wallet(shopper.headers);
    expect(view.balanceMinor).toBe(115_000);
    expect(view.history[0]?.status).toBe('inReview');
  });

  it('counts deposits per day against the count limit', async () => {
    const shopper = await signUpAndIn(t);
    // Tier 0 allows 20 deposits per rolling day.
    for (let n = 0; n < 20; n += 1) {
      const ok = await deposit({
        id: newId(),
        code: shopper.depositCode,
        amountMinor: 100,
        currency: 'USD',
        sourceAccountId: drawer,
      });
      expect(ok.statusCode).toBe(201);
    }
    const twentyFirst = await deposit({
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 100,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(twentyFirst.json().error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { remainingDeposits: 0 },
    });
  });

  it('sends money for an unknown code to suspense with a claim code a shopper redeems exactly once', async () => {
    const unknown = generateCode('deposit');
    const refused = await deposit({
      id: newId(),
      code: unknown,
      amountMinor: 1_500,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(refused.json().error.code).toBe('CODE_UNKNOWN');
    const body = {
      id: newId(),
      code: unknown,
      amountMinor: 1_500,
      currency: 'USD',
      sourceAccountId: drawer,
      cashAlreadyTaken: true,
    };
    const taken = await deposit(body);
    expect(taken.statusCode).toBe(201);
    const receipt = taken.json<{ status: string; claimCode: string }>();
    expect(receipt.status).toBe('suspense');
    expect(receipt.claimCode).toMatch(/^52\d{18}$/);
    // A replay answers the same claim code (it is derived, never stored).
    expect((await deposit(body)).json().claimCode).toBe(receipt.claimCode);
    // Recorded once, on the claim's own chain: not on the one suspense account every unknown code reaches.
    const audit = await suspenseAuditChains(t.db, body.id);
    expect(audit.claimId).toBeDefined();
    expect(audit.chains).toEqual([audit.claimId]);

    const shopper = await signUpAndIn(t);
    const redeem = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/me/claims',
        headers: shopper.headers,
        payload: { claimCode: receipt.claimCode },
      });
    // A double tap: one redemption moves the money; the others answer it again as `exists`.
    const results = await Promise.all([redeem(), redeem(), redeem()]);
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(results.map((r) => r.json().result).sort()).toEqual(['created', 'exists', 'exists']);
    expect(new Set(results.map((r) => r.json().transferId)).size).toBe(1);
    expect((await wallet(shopper.headers)).balanceMinor).toBe(1_500);
    // Anyone else finds it taken.
    const other = await signUpAndIn(t, { name: 'Ola Nowak' });
    const late = await t.app.inject({
      method: 'POST',
      url: '/v1/me/claims',
      headers: other.headers,
      payload: { claimCode: receipt.claimCode },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('CLAIM_ALREADY_REDEEMED');
    expect((await wallet(other.headers)).balanceMinor).toBe(0);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('counts a redeemed claim against the wallet limits, crediting it for review when over them', async () => {
    const shopper = await signUpAndIn(t);
    const claimFor = async (amountMinor: number) =>
      (
        await deposit({
          id: newId(),
          code: generateCode('deposit'),
          amountMinor,
          currency: 'USD',
          sourceAccountId: drawer,
          cashAlreadyTaken: true,
        })
      ).json<{ claimCode: string }>().claimCode;
    const redeem = (claimCode: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/me/claims',
        headers: shopper.headers,
        payload: { claimCode },
      });
    // Tier 0 USD: 1,000.00 per rolling day.
    expect((await redeem(await claimFor(80_000))).json().status).toBe('credited');
    expect((await wallet(shopper.headers)).allowance.remainingMinor).toBe(20_000);
    const over = await redeem(await claimFor(30_000));
    expect(over.statusCode).toBe(201);
    expect(over.json().status).toBe('inReview');
    const view = await wallet(shopper.headers);
    expect(view.balanceMinor).toBe(110_000);
    expect(view.history.map((e) => e.status)).toEqual(['inReview', 'credited']);
    // A redeemed claim is not reversed back into suspense.
    const claimTransfer = over.json<{ transferId: string }>().transferId;
    const reversal = await t.app.inject({
      method: 'POST',
      url: '/v1/reversals',
      headers: opsHeaders,
      payload: { id: newId(), depositId: claimTransfer, reason: 'try' },
    });
    expect(reversal.json().error.code).toBe('CONFLICT');
  });

  it('rotates a code several times at once, one rotation after the other, leaving one active code', async () => {
    const shopper = await signUpAndIn(t);
    const rotations = await Promise.all(
      [1, 2, 3].map(() =>
        t.app.inject({ method: 'POST', url: '/v1/me/deposit-code/rotations', headers: shopper.headers }),
      ),
    );
    expect(rotations.map((rotation) => rotation.statusCode)).toEqual([201, 201, 201]);
    const codes = await t.db.transaction((tx) =>
      tx.all<{ code: string; status: string }>(
        'SELECT code, status FROM deposit_codes WHERE shopper_id = ?',
        [shopper.shopperId],
      ),
    );
    expect(codes.filter((code) => code.status === 'active')).toHaveLength(1);
    expect(codes.filter((code) => code.status === 'revoked')).toHaveLength(3);
    const current = await t.app.inject({
      method: 'GET',
      url: '/v1/me/deposit-code',
      headers: shopper.headers,
    });
    expect(rotations.map((rotation) => rotation.json<{ code: string }>().code)).toContain(
      current.json<{ code: string }>().code,
    );
  });

  it('keeps a rotated code working through the grace period, then refuses or suspends it', async () => {
    const shopper = await signUpAndIn(t);
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/v1/me/deposit-code/rotations',
      headers: shopper.headers,
    });
    expect(rotated.statusCode).toBe(201);
    const newCode = rotated.json<{ code: string }>().code;
    expect(newCode).not.toBe(shopper.depositCode);
    const inGrace = await deposit({
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(inGrace.statusCode).toBe(201);
    t.clock.advance(t.config.limits.system.codeRotationGraceMs);
    const late = await deposit({
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(late.json().error.code).toBe('CODE_REVOKED');
    const taken = await deposit({
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
      sourceAccountId: drawer,
      cashAlreadyTaken: true,
    });
    expect(taken.json()).toMatchObject({ status: 'suspense', reviewReason: 'codeRevoked' });
    const fresh = await deposit({
      id: newId(),
      code: newCode,
      amountMinor: 1_000,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(fresh.statusCode).toBe(201);
    expect((await wallet(shopper.headers)).balanceMinor).toBe(2_000);
  });

  it('issues payment slips only for amounts a till takes, and only so many open at once', async () => {
    const shopper = await signUpAndIn(t);
    const money = t.config.limits.money.USD!;
    const issue = (amountMinor: number) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/me/slips',
        headers: shopper.headers,
        payload: { amountMinor, ttlMs: hourMs },
      });
    const below = await issue(money.tillDepositMinMinor - 1);
    expect(below.json().error).toMatchObject({
      code: 'AMOUNT_BELOW_MINIMUM',
      details: { minimumMinor: money.tillDepositMinMinor },
    });
    const above = await issue(money.tillDepositMaxMinor + 1);
    expect(above.json().error).toMatchObject({
      code: 'AMOUNT_ABOVE_MAXIMUM',
      details: { maximumMinor: money.tillDepositMaxMinor },
    });
    const openMax = t.config.limits.system.slipsOpenPerShopperMax;
    for (let n = 0; n < openMax; n += 1)
      expect((await issue(money.tillDepositMinMinor)).statusCode).toBe(201);
    expect((await issue(money.tillDepositMinMinor)).json().error.code).toBe('SLIPS_OPEN_MAX');
    // One expiring makes room for another.
    t.clock.advance(hourMs);
    expect((await issue(money.tillDepositMaxMinor)).statusCode).toBe(201);
  });

  it('accepts a payment slip once, for its amount, until it expires', async () => {
    const shopper = await signUpAndIn(t);
    const issue = (ttlMs: number) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/me/slips',
        headers: shopper.headers,
        payload: { amountMinor: 2_500, ttlMs },
      });
    expect((await issue(60_000)).json().error.code).toBe('VALIDATION_FAILED');
    const slip = (await issue(hourMs)).json<{ code: string; status: string }>();
    expect(slip.status).toBe('open');
    const wrong = await deposit({
      id: newId(),
      code: slip.code,
      amountMinor: 2_000,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(wrong.json().error.code).toBe('AMOUNT_MISMATCH');
    const paid = await deposit({
      id: newId(),
      code: slip.code,
      amountMinor: 2_500,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(paid.statusCode).toBe(201);
    const twice = await deposit({
      id: newId(),
      code: slip.code,
      amountMinor: 2_500,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(twice.json().error.code).toBe('CODE_USED');
    const other = (await issue(hourMs)).json<{ code: string }>();
    t.clock.advance(hourMs);
    const expired = await deposit({
      id: newId(),
      code: other.code,
      amountMinor: 2_500,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect(expired.json().error.code).toBe('CODE_EXPIRED');
    const listed = await t.app.inject({ method: 'GET', url: '/v1/me/slips', headers: shopper.headers });
    expect(
      listed
        .json<{ slips: { status: string }[] }>()
        .slips.map((s) => s.status)
        .sort(),
    ).toEqual(['expired', 'used']);
  });

  it('reverses a deposit once with a reason, restoring the balance', async () => {
    const shopper = await signUpAndIn(t);
    const depositId = newId();
    await deposit({
      id: depositId,
      code: shopper.depositCode,
      amountMinor: 3_000,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    const reverse = (id: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/reversals',
        headers: opsHeaders,
        payload: { id, depositId, reason: 'clerk keyed 30 not 3' },
      });
    const reversalId = newId();
    expect((await reverse(reversalId)).statusCode).toBe(201);
    expect((await reverse(reversalId)).json().result).toBe('exists');
    expect((await reverse(newId())).json().error.code).toBe('ALREADY_VOIDED');
    const view = await wallet(shopper.headers);
    expect(view.balanceMinor).toBe(0);
    expect(view.history.map((e) => e.status)).toEqual(['reversed', 'reversed']);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('lists deposits, claims and reversals in one history, newest first', async () => {
    const shopper = await signUpAndIn(t);
    const credit = async (code: string, amountMinor: number, cashAlreadyTaken = false) => {
      const response = await deposit({
        id: newId(),
        code,
        amountMinor,
        currency: 'USD',
        sourceAccountId: drawer,
        cashAlreadyTaken,
      });
      t.clock.advance(1_000);
      return response.json<{ depositId: string; claimCode?: string }>();
    };
    const first = await credit(shopper.depositCode, 1_000);
    const claimCode = (await credit(generateCode('deposit'), 700, true)).claimCode;
    const redeemed = await t.app.inject({
      method: 'POST',
      url: '/v1/me/claims',
      headers: shopper.headers,
      payload: { claimCode },
    });
    expect(redeemed.statusCode).toBe(201);
    t.clock.advance(1_000);
    await credit(shopper.depositCode, 300);
    const reversed = await t.app.inject({
      method: 'POST',
      url: '/v1/reversals',
      headers: opsHeaders,
      payload: { id: newId(), depositId: first.depositId, reason: 'keyed twice' },
    });
    expect(reversed.statusCode).toBe(201);
    const view = await wallet(shopper.headers);
    expect(view.balanceMinor).toBe(1_000);
    // Deposits come from the deposit records, claims from the credit side's index, reversals from the
    // debit side: one list, in time order.
    expect(view.history.map((entry) => [entry.kind, entry.amountMinor, entry.status])).toEqual([
      ['reversal', -1_000, 'reversed'],
      ['deposit', 300, 'credited'],
      ['claim', 700, 'credited'],
      ['deposit', 1_000, 'reversed'],
    ]);
  });

  it('flags a cash day over the report threshold', async () => {
    const shopper = await signUpAndIn(t);
    await t.app.inject({
      method: 'PUT',
      url: `/v1/ops/shoppers/${shopper.shopperId}/kyc`,
      headers: opsHeaders,
      payload: { tier: 1 },
    });
    const late = (amountMinor: number) =>
      deposit({
        id: newId(),
        code: shopper.depositCode,
        amountMinor,
        currency: 'USD',
        sourceAccountId: drawer,
        cashAlreadyTaken: true,
      });
    expect((await late(500_000)).json().cashReportFlagged).toBe(false);
    expect((await late(500_001)).json().cashReportFlagged).toBe(true);
  });

  it('records every money and code change in an audit chain that verifies, and finds a tampered entry', async () => {
    const shopper = await signUpAndIn(t);
    await deposit({
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    await t.app.inject({ method: 'POST', url: '/v1/me/deposit-code/rotations', headers: shopper.headers });
    const report = await verifyAudit(t.db);
    expect(report.ok).toBe(true);
    expect(report.entries).toBeGreaterThanOrEqual(5);
    const target = await t.db.transaction((tx) =>
      tx.get<{ chain: string; seq: number }>(
        "SELECT chain, seq FROM audit_log WHERE kind = 'deposit.credited'",
      ),
    );
    await t.db.transaction((tx) =>
      tx.run("UPDATE audit_log SET data = REPLACE(data, '1000', '9000') WHERE kind = 'deposit.credited'"),
    );
    const tampered = await verifyAudit(t.db);
    expect(tampered.ok).toBe(false);
    expect(tampered.breaks).toContainEqual({
      chain: target?.chain,
      seq: target?.seq,
      problem: 'hashMismatch',
    });
  });

  it('finds audit entries deleted from the end of a chain or from its middle', async () => {
    const shopper = await signUpAndIn(t);
    for (const amountMinor of [100, 200, 300]) {
      await deposit({
        id: newId(),
        code: shopper.depositCode,
        amountMinor,
        currency: 'USD',
        sourceAccountId: drawer,
      });
    }
    const wallet = await t.db.transaction((tx) =>
      tx.get<{ chain: string; seq: number }>(
        "SELECT chain, MAX(seq) AS seq FROM audit_log WHERE kind = 'deposit.credited' GROUP BY chain",
      ),
    );
    await t.db.transaction((tx) =>
      tx.run('DELETE FROM audit_log WHERE chain = ? AND seq = ?', [wallet!.chain, wallet!.seq]),
    );
    expect((await verifyAudit(t.db)).breaks).toContainEqual({
      chain: wallet!.chain,
      seq: wallet!.seq,
      problem: 'headMismatch',
    });
    await t.db.transaction((tx) =>
      tx.run('DELETE FROM audit_log WHERE chain = ? AND seq = ?', [wallet!.chain, 1]),
    );
    expect((await verifyAudit(t.db)).breaks).toContainEqual({
      chain: wallet!.chain,
      seq: 1,
      problem: 'sequenceGap',
    });
  });

  it('ledger verification finds a running balance that no longer matches its transfers', async () => {
    const shopper = await signUpAndIn(t);
    await deposit({
      id: newId(),
      code: shopper.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
      sourceAccountId: drawer,
    });
    expect((await verifyLedger(t.db)).ok).toBe(true);
    await t.db.transaction((tx) =>
      tx.run("UPDATE accounts SET credits_posted = credits_posted + 1 WHERE kind = 'wallet'"),
    );
    const report = await verifyLedger(t.db);
    expect(report.ok).toBe(false);
    expect(report.discrepancies.map((d) => d.problem)).toEqual(['runningBalanceDiffers']);
  });
});
