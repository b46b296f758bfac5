import type { ReviewItem } from '@cashin/shared';
import {
  CashReportFiledSchema,
  ReviewCountSchema,
  ReviewItemSchema,
  ReviewListSchema,
  WalletResponseSchema,
  createUuidV7Generator,
  generateCode,
  terminalApiPaths,
  opsApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { quarterLimits } from '../test-support/quarter-limits.js';
import { testAdapters } from '../test-support/test-db.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { enrollTestKiosk, kioskDeposit, signedPost } from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

async function queue(t: TestApp): Promise<ReviewItem[]> {
  const response = await t.app.inject({ method: 'GET', url: opsApiPaths.reviews, headers: opsHeaders });
  expect(response.statusCode, response.body).toBe(200);
  return ReviewListSchema.parse(response.json()).deposits;
}

async function sync(t: TestApp, kiosk: TestKiosk, code: string, coins: number, lostEvents = false) {
  t.clock.advance(60_000);
  const deposit = {
    ...kioskDeposit(kiosk, newId, t.clock.nowMs(), { code, coins }),
    flags: { recovered: false, lostEvents, offline: false, deviceFault: false },
  };
  const response = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [deposit] });
  expect(response.statusCode, response.body).toBe(200);
  return deposit.depositId;
}

async function waiting(t: TestApp): Promise<number> {
  const response = await t.app.inject({ method: 'GET', url: opsApiPaths.reviewCount, headers: opsHeaders });
  return ReviewCountSchema.parse(response.json()).waiting;
}

function post(t: TestApp, url: string, payload: object) {
  return t.app.inject({ method: 'POST', url, headers: opsHeaders, payload });
}

describe.each(testAdapters)('the review queue on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('holds overruns and flagged deposits until an operator clears or reverses them, and records cash reports', async () => {
    t = await openTestApp(adapter, { limits: quarterLimits });
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const bo = await signUpAndIn(t);
    const withinLimit = await sync(t, kiosk, ana.depositCode, 20); // $5
    const overLimit = await sync(t, kiosk, ana.depositCode, 32); // $13 today: past $10
    const lost = await sync(t, kiosk, bo.depositCode, 4, true); // lost coin events
    const pastReport = await sync(t, kiosk, ana.depositCode, 12); // $16: past the $15 report threshold
    const again = await sync(t, kiosk, ana.depositCode, 4); // $17

    const held = await queue(t);
    expect(held.map((item) => [item.depositId, item.status, item.reasons, item.cashReport])).toEqual([
      [overLimit, 'inReview', ['limitExceeded'], null],
      [lost, 'inReview', ['lostEvents'], null],
      [pastReport, 'inReview', ['limitExceeded'], 'due'],
      [again, 'inReview', ['limitExceeded'], 'due'],
    ]);
    expect(held[0]).toMatchObject({
      amountMinor: 800,
      currency: 'USD',
      shopperId: ana.shopperId,
      source: { kind: 'kioskBag', ownerId: kiosk.terminalId },
    });
    expect(held[0]?.shopperName).toMatch(/^\S+ \S\.$|^\S+$/);
    expect(held.map((item) => item.depositId)).not.toContain(withinLimit);
    expect(await waiting(t)).toBe(4);

    // Cleared: the deposit stays credited, leaves the queue, and the shopper's history says credited.
    const note = 'Shopper showed ID at the store; limit raised the next day.';
    const cleared = await post(t, opsApiPaths.reviewClearance(overLimit), { note });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(ReviewItemSchema.parse(cleared.json())).toMatchObject({ status: 'credited', reasons: [] });
    const retried = await post(t, opsApiPaths.reviewClearance(overLimit), { note });
    expect(retried.json()).toEqual(cleared.json());
    const wallet = WalletResponseSchema.parse(
      (await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: ana.headers })).json(),
    );
    expect(wallet.history.find((entry) => entry.transferId === overLimit)?.status).toBe('credited');
    expect(wallet.balanceMinor).toBe(25 * (20 + 32 + 12 + 4));

    // Reversed instead: it leaves the queue, and a clearance afterwards is refused.
    const reversal = await post(t, '/v1/reversals', {
      id: newId(),
      depositId: lost,
      reason: 'coins counted at collection did not include these',
    });
    expect(reversal.statusCode, reversal.body).toBe(201);
    const refused = await post(t, opsApiPaths.reviewClearance(lost), { note });
    expect(errorCodeOf(refused)).toBe('CONFLICT');
    expect(refused.json()).toMatchObject({ error: { details: { status: 'reversed' } } });

    // One report covers the shopper's cash so far: both deposits past the threshold.
    const reference = 'CTR 2026-06-01 #0017';
    const filed = await post(t, opsApiPaths.reviewCashReport(again), { reference });
    expect(filed.statusCode, filed.body).toBe(200);
    expect(CashReportFiledSchema.parse(filed.json())).toEqual({
      reference,
      depositIds: [pastReport, again],
    });
    expect((await post(t, opsApiPaths.reviewCashReport(again), { reference })).json()).toEqual(filed.json());
    expect(
      errorCodeOf(await post(t, opsApiPaths.reviewCashReport(pastReport), { reference: 'another' })),
    ).toBe('CONFLICT');
    expect(errorCodeOf(await post(t, opsApiPaths.reviewCashReport(withinLimit), { reference }))).toBe(
      'CONFLICT',
    );
    expect((await queue(t)).map((item) => [item.depositId, item.cashReport])).toEqual([
      [pastReport, 'filed'],
      [again, 'filed'],
    ]);
    for (const depositId of [pastReport, again])
      expect((await post(t, opsApiPaths.reviewClearance(depositId), { note: 'seen' })).statusCode).toBe(200);
    expect(await queue(t)).toEqual([]);
    expect(await waiting(t)).toBe(0);

    // Bad input changes nothing.
    expect(errorCodeOf(await post(t, opsApiPaths.reviewClearance(newId()), { note }))).toBe('NOT_FOUND');
    expect(errorCodeOf(await post(t, opsApiPaths.reviewClearance(overLimit), { note: '  ' }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      errorCodeOf(await post(t, opsApiPaths.reviewCashReport(again), { reference: 'x'.repeat(81) })),
    ).toBe('VALIDATION_FAILED');

    const audit = await t.db.transaction((tx) =>
      tx.all<{ kind: string; data: string }>(
        "SELECT kind, data FROM audit_log WHERE kind IN ('deposit.reviewCleared', 'deposit.cashReportFiled') ORDER BY at_ms, seq",
      ),
    );
    expect(audit.map((row) => [row.kind, JSON.parse(row.data)])).toEqual([
      ['deposit.reviewCleared', { depositId: overLimit, note, by: 'ops-token' }],
      ['deposit.cashReportFiled', { depositId: again, reference, covered: 2, by: 'ops-token' }],
      ['deposit.reviewCleared', { depositId: pastReport, note: 'seen', by: 'ops-token' }],
      ['deposit.reviewCleared', { depositId: again, note: 'seen', by: 'ops-token' }],
    ]);
    expect((await verifyAudit(t.db)).ok).toBe(true);
    expect((await verifyLedger(t.db)).ok).toBe(true);

    // A voucher redeemed past the day's limit waits too, as a claim from suspense.
    const voucherCode = generateCode('claim');
    t.clock.advance(60_000);
    const voucher = kioskDeposit(kiosk, newId, t.clock.nowMs(), {
      code: null,
      claimCode: voucherCode,
      coins: 4,
    });
    expect((await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [voucher] })).statusCode).toBe(200);
    const redeemed = await t.app.inject({
      method: 'POST',
      url: '/v1/me/claims',
      headers: ana.headers,
      payload: { claimCode: voucherCode },
    });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    expect((await queue(t)).map((item) => [item.source, item.reasons, item.cashReport])).toEqual([
      [{ kind: 'suspense', ownerId: 'system' }, ['limitExceeded'], 'due'],
    ]);
  });

  // Two operators on one shopper at the same moment: on PostgreSQL the requests run on separate
  // connections and interleave, so a wrong lock order deadlocks (a 500) and a missing one files a deposit
  // twice. Each round's answers must partition the shopper's due deposits among the references that won.
  it('files each deposit under one report when operators file for one shopper at once', async () => {
    t = await openTestApp(adapter, { limits: quarterLimits });
    const kiosk = await enrollTestKiosk(t);
    for (let round = 0; round < 6; round += 1) {
      const shopper = await signUpAndIn(t);
      const due = [
        await sync(t, kiosk, shopper.depositCode, 64), // $16: past the $15 report threshold
        await sync(t, kiosk, shopper.depositCode, 4),
        await sync(t, kiosk, shopper.depositCode, 4),
      ];
      // Filings named so that later deposits cover earlier ones, plus one same-deposit contest.
      const filings = [
        { depositId: due[0]!, reference: `R${round}-a` },
        { depositId: due[2]!, reference: `R${round}-b` },
        { depositId: due[1]!, reference: `R${round}-c` },
        { depositId: due[2]!, reference: `R${round}-d` },
      ];
      const answers = await Promise.all(
        filings.map((filing) =>
          post(t!, opsApiPaths.reviewCashReport(filing.depositId), { reference: filing.reference }),
        ),
      );
      const coveredBy = new Map<string, string>();
      for (const [index, answer] of answers.entries()) {
        if (answer.statusCode === 200) {
          const filed = CashReportFiledSchema.parse(answer.json());
          expect(filed.reference).toBe(filings[index]?.reference);
          expect(filed.depositIds).toContain(filings[index]?.depositId);
          for (const depositId of filed.depositIds) {
            expect(coveredBy.get(depositId), `${depositId} filed twice`).toBeUndefined();
            coveredBy.set(depositId, filed.reference);
          }
        } else {
          expect(errorCodeOf(answer), answer.body).toBe('CONFLICT');
        }
      }
      expect([...coveredBy.keys()].sort()).toEqual([...due].sort());
      const stored = await t.db.transaction((tx) =>
        tx.all<{ transfer_id: string; cash_report_reference: string | null; wallet_account_id: string }>(
          'SELECT transfer_id, cash_report_reference, wallet_account_id FROM deposits WHERE shopper_id = ?',
          [shopper.shopperId],
        ),
      );
      expect(new Map(stored.map((row) => [row.transfer_id, row.cash_report_reference]))).toEqual(coveredBy);
      expect(stored.length).toBe(due.length);
      const audited = await t.db.transaction((tx) =>
        tx.all<{ data: string }>(
          "SELECT data FROM audit_log WHERE kind = 'deposit.cashReportFiled' AND chain = ?",
          [stored[0]?.wallet_account_id ?? null],
        ),
      );
      expect(audited.map((row) => (JSON.parse(row.data) as { covered: number }).covered).sort()).toEqual(
        answers
          .filter((answer) => answer.statusCode === 200)
          .map((answer) => CashReportFiledSchema.parse(answer.json()).depositIds.length)
          .sort(),
      );

      // Keeping and reversing one held deposit at once: whichever comes first, it ends reversed, once.
      const [kept, reversed] = await Promise.all([
        post(t, opsApiPaths.reviewClearance(due[1]!), { note: 'checked' }),
        post(t, '/v1/reversals', { id: newId(), depositId: due[1]!, reason: 'counted short' }),
      ]);
      expect([200, 409]).toContain(kept.statusCode);
      expect(reversed.statusCode, reversed.body).toBe(201);
      const wallet = WalletResponseSchema.parse(
        (await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: shopper.headers })).json(),
      );
      expect(wallet.balanceMinor).toBe(25 * (64 + 4));
    }
    expect((await verifyAudit(t.db)).ok).toBe(true);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});
