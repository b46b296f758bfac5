import type { KioskDeposit, SyncResult } from '@cashin/shared';
import { createUuidV7Generator, generateCode, terminalApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { creditDeposit } from '../deposits/credit-deposit.js';
import { ensureAccount } from '../ledger/accounts.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestApp } from '../test-support/test-app.js';
import {
  openCashAccount,
  openTestApp,
  opsHeaders,
  signUpAndIn,
  suspenseAuditChains,
} from '../test-support/test-app.js';
import type { Db } from '../storage/db.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import { seedShopper, testDeps } from '../test-support/test-deps.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { enrollTestKiosk, kioskDeposit, signedPost, walletBalance } from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

/** A deposit of `count` bills of 100.00, the kind that passes a tier 0 wallet's day in one go. */
function billDeposit(kiosk: TestKiosk, nowMs: number, code: string, count: number): KioskDeposit {
  const base = kioskDeposit(kiosk, newId, nowMs, { code });
  return {
    ...base,
    items: [{ kind: 'bill', ccTalkId: 'US100A', valueMinor: 10_000, count }],
    totalMinor: 10_000 * count,
  };
}

async function sync(t: TestApp, kiosk: TestKiosk, deposits: KioskDeposit[]): Promise<SyncResult[]> {
  const response = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits });
  expect(response.statusCode).toBe(200);
  return response.json<{ results: SyncResult[] }>().results;
}

async function depositRow(
  t: TestApp,
  id: string,
): Promise<{ status: string; review_reason: string | null; cash_report_flag: number } | undefined> {
  return t.db.transaction((tx) =>
    tx.get<{ status: string; review_reason: string | null; cash_report_flag: number }>(
      'SELECT status, review_reason, cash_report_flag FROM deposits WHERE transfer_id = ?',
      [id],
    ),
  );
}

/**
 * What crediting wrote for a wallet, without what differs between two databases by construction (the
 * code, the source account): deposit records and audit entries in order, and the balance.
 */
async function walletRecord(db: Db, walletAccountId: string): Promise<unknown> {
  return db.transaction(async (tx) => {
    const deposits = await tx.all(
      `SELECT transfer_id, amount_minor, status, review_reason, cash_report_flag, cash_already_taken, created_at_ms
         FROM deposits WHERE wallet_account_id = ? ORDER BY transfer_id`,
      [walletAccountId],
    );
    const audit = (
      await tx.all<{ seq: number; kind: string; data: string; at_ms: number }>(
        'SELECT seq, kind, data, at_ms FROM audit_log WHERE chain = ? ORDER BY seq',
        [walletAccountId],
      )
    ).map((row) => {
      const { code: _code, source: _source, ...data } = JSON.parse(row.data) as Record<string, unknown>;
      return { seq: Number(row.seq), kind: row.kind, atMs: Number(row.at_ms), data };
    });
    const account = await tx.get<{ credits_posted: number; debits_posted: number }>(
      'SELECT credits_posted, debits_posted FROM accounts WHERE id = ?',
      [walletAccountId],
    );
    return {
      deposits: deposits.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]),
        ),
      ),
      audit,
      account: { credits: Number(account?.credits_posted), debits: Number(account?.debits_posted) },
    };
  });
}

async function count(t: TestApp, table: string): Promise<number> {
  const row = await t.db.transaction((tx) =>
    tx.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`),
  );
  return Number(row?.n ?? 0);
}

/**
 * The batch ledger path (credit-taken-cash-in-bulk.ts) under a sync batch that mixes everything a kiosk can
 * send at once: new deposits, replays, changed fields, a reused sequence, an id the ledger already holds,
 * unknown codes, a voucher, deposits past the wallet's limits, kiosk review flags, and the same deposit
 * twice inside one batch. Each answer, each wallet, the ledger and every audit chain are checked, and the
 * whole batch sent again credits nothing.
 */
describe.each(testAdapters)('a mixed sync batch on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers every deposit as one at a time would, credits each once, and keeps the ledger and audit chains whole', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
    const ben = await signUpAndIn(t, { name: 'Ben Ode' });
    const cleo = await signUpAndIn(t, { name: 'Cleo Park' });
    const nowMs = t.clock.nowMs();

    // Already on the server before the batch: two synced deposits and a till deposit's id.
    const synced = kioskDeposit(kiosk, newId, nowMs, { code: ana.depositCode });
    const toChange = kioskDeposit(kiosk, newId, nowMs, { code: cleo.depositCode });
    expect((await sync(t, kiosk, [synced, toChange])).map((r) => r.status)).toEqual(['created', 'created']);
    const drawer = await openCashAccount(t);
    const tillId = newId();
    const till = await t.app.inject({
      method: 'POST',
      url: '/v1/deposits',
      headers: opsHeaders,
      payload: {
        id: tillId,
        code: ana.depositCode,
        amountMinor: 1_000,
        currency: 'USD',
        sourceAccountId: drawer,
      },
    });
    expect(till.statusCode).toBeLessThan(300);

    const anaOne = kioskDeposit(kiosk, newId, nowMs, { code: ana.depositCode, coins: 4 });
    const anaTwo = kioskDeposit(kiosk, newId, nowMs, { code: ana.depositCode, coins: 2 });
    // Ben: 11 bills pass his tier 0 day (1,000.00); the small one after it is past it too. Both credited.
    const benBig = billDeposit(kiosk, nowMs, ben.depositCode, 11);
    const benSmall = kioskDeposit(kiosk, newId, nowMs, { code: ben.depositCode, coins: 1 });
    const unknown = kioskDeposit(kiosk, newId, nowMs, { code: generateCode('deposit') });
    const voucherCode = generateCode('claim');
    const voucher = kioskDeposit(kiosk, newId, nowMs, { code: null, claimCode: voucherCode, coins: 3 });
    const lost = {
      ...kioskDeposit(kiosk, newId, nowMs, { code: cleo.depositCode, coins: 5 }),
      flags: { recovered: false, lostEvents: true, offline: true, deviceFault: false },
    };
    const changed = { ...toChange, items: [{ ...toChange.items[0]!, count: 9 }], totalMinor: 225 };
    const reusedSequence = kioskDeposit(kiosk, newId, nowMs, {
      code: ana.depositCode,
      sequence: synced.sequence,
    });
    const tillIdReused = {
      ...kioskDeposit(kiosk, newId, nowMs, { code: ana.depositCode }),
      depositId: tillId,
    };
    const twiceChanged = { ...anaTwo, items: [{ ...anaTwo.items[0]!, count: 3 }], totalMinor: 75 };
    const batch = [
      anaOne,
      synced,
      benBig,
      changed,
      unknown,
      anaTwo,
      voucher,
      reusedSequence,
      benSmall,
      lost,
      tillIdReused,
      anaOne,
      twiceChanged,
    ] as KioskDeposit[];
    const results = await sync(t, kiosk, batch);
    expect(results.map((r) => r.depositId)).toEqual(batch.map((d) => d.depositId));
    expect(
      results.map((r) => (r.status === 'created' ? `created:${r.creditedTo}:${r.inReview}` : r.status)),
    ).toEqual([
      'created:wallet:false',
      'exists',
      'created:wallet:true',
      'conflict',
      'created:suspense:false',
      'created:wallet:false',
      'created:claim:false',
      'conflict',
      'created:wallet:true',
      'created:wallet:true',
      'conflict',
      'exists',
      'conflict',
    ]);
    expect(results[3]).toMatchObject({ stored: { totalMinor: 200, sequence: toChange.sequence } });
    expect(results[7]).toMatchObject({ stored: { depositId: synced.depositId } });
    expect(results[10]).toMatchObject({ stored: { reason: 'IDEMPOTENCY_CONFLICT' } });
    expect(results[12]).toMatchObject({ stored: { totalMinor: 50, depositId: anaTwo.depositId } });

    expect(await depositRow(t, benBig.depositId)).toEqual({
      status: 'inReview',
      review_reason: 'limitExceeded',
      cash_report_flag: 0,
    });
    expect(await depositRow(t, benSmall.depositId)).toMatchObject({
      status: 'inReview',
      review_reason: 'limitExceeded',
    });
    // Held because the kiosk lost coin events, not because of a limit.
    expect(await depositRow(t, lost.depositId)).toEqual({
      status: 'inReview',
      review_reason: null,
      cash_report_flag: 0,
    });
    expect(await depositRow(t, unknown.depositId)).toMatchObject({
      status: 'suspense',
      review_reason: 'codeUnknown',
    });
    expect(await depositRow(t, anaOne.depositId)).toMatchObject({ status: 'credited', review_reason: null });

    expect(await walletBalance(t, ana.headers)).toBe(200 + 1_000 + 100 + 50);
    expect(await walletBalance(t, ben.headers)).toBe(110_000 + 25);
    expect(await walletBalance(t, cleo.headers)).toBe(200 + 125);
    const ledger = await verifyLedger(t.db);
    expect(ledger.ok).toBe(true);
    const audit = await verifyAudit(t.db);
    expect(audit.ok).toBe(true);
    const transfers = await count(t, 'transfers');
    // 2 synced before + the till deposit + 7 new in this batch (anaOne, benBig, unknown, anaTwo, voucher,
    // benSmall, lost, and nothing for the conflicts or the repeats).
    expect(transfers).toBe(3 + 7);
    expect(await count(t, 'kiosk_deposits')).toBe(2 + 7);

    const alerts = await t.app.inject({ method: 'GET', url: '/v1/ops/alerts', headers: opsHeaders });
    const kinds = alerts.json<{ alerts: { kind: string }[] }>().alerts.map((a) => a.kind);
    expect(kinds).toEqual(expect.arrayContaining(['syncConflict', 'lostCoinEvents']));
    expect(kinds).not.toContain('sequenceGap');

    // The kiosk lost the answer and sends the very same batch again: nothing moves.
    const again = await sync(t, kiosk, batch);
    expect(again.map((r) => r.status)).toEqual(
      results.map((r) => (r.status === 'created' ? 'exists' : r.status)),
    );
    expect(await count(t, 'transfers')).toBe(transfers);
    expect(await walletBalance(t, ben.headers)).toBe(110_000 + 25);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('credits a wallet through its rotated code in grace, and sends a code revoked past grace to suspense', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/v1/me/deposit-code/rotations',
      headers: ana.headers,
    });
    expect(rotated.statusCode).toBe(201);
    const inGrace = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 2 });
    expect((await sync(t, kiosk, [inGrace]))[0]).toMatchObject({ status: 'created', creditedTo: 'wallet' });
    t.clock.advance(t.config.limits.system.codeRotationGraceMs);
    const late = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 2 });
    expect((await sync(t, kiosk, [late]))[0]).toMatchObject({ status: 'created', creditedTo: 'suspense' });
    expect(await depositRow(t, late.depositId)).toMatchObject({
      status: 'suspense',
      review_reason: 'codeRevoked',
    });
    const audit = await suspenseAuditChains(t.db, late.depositId);
    expect(audit.claimId).toBeDefined();
    expect(audit.chains).toEqual([audit.claimId]);
    expect(await walletBalance(t, ana.headers)).toBe(50);
    expect((await verifyLedger(t.db)).ok).toBe(true);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('judges a rotated code as it stood when the kiosk took it with the cash, however late the sync', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    // Taken offline while the code was active; the shopper rotates it a minute later.
    const takenActive = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 2 });
    t.clock.advance(60_000);
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/v1/me/deposit-code/rotations',
      headers: ana.headers,
    });
    expect(rotated.statusCode).toBe(201);
    // Taken in the old code's grace, and then after its grace ended.
    t.clock.advance(60_000);
    const takenInGrace = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 3 });
    t.clock.advance(t.config.limits.system.codeRotationGraceMs);
    const takenRevoked = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 4 });
    // The kiosk comes back online a day later.
    t.clock.advance(24 * 60 * 60 * 1000);
    const results = await sync(t, kiosk, [takenActive, takenInGrace, takenRevoked]);
    expect(results.map((result) => result.status === 'created' && result.creditedTo)).toEqual([
      'wallet',
      'wallet',
      'suspense',
    ]);
    expect(await walletBalance(t, ana.headers)).toBe(takenActive.totalMinor + takenInGrace.totalMinor);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('counts the day of a wallet across batches and flags the deposit that passes its deposits per day', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const perDayMax = t.config.limits.money.USD!.tiers[0].walletDepositsPerDayMax;
    const first = Array.from({ length: perDayMax - 1 }, () =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode, coins: 1 }),
    );
    expect((await sync(t, kiosk, first)).every((r) => r.status === 'created' && !r.inReview)).toBe(true);
    const next = [1, 2].map(() =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode, coins: 1 }),
    );
    const results = await sync(t, kiosk, next);
    expect(results.map((r) => r.status === 'created' && r.inReview)).toEqual([false, true]);
    expect(await walletBalance(t, ana.headers)).toBe(25 * (perDayMax + 1));
  });

  it('writes for each deposit exactly what creditDeposit writes one at a time: records, limits, report flags, audit chain', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const nowMs = t.clock.nowMs();
    // Past the deposits per day (25 > 20) with small coin deposits, then past the day's amount and the
    // cash report threshold with one of 101 bills.
    const deposits = [
      ...Array.from({ length: 24 }, (_, n) =>
        kioskDeposit(kiosk, newId, nowMs, { code: ana.depositCode, coins: 1 + (n % 12) }),
      ),
      billDeposit(kiosk, nowMs, ana.depositCode, 101),
    ];
    const results = await sync(t, kiosk, deposits);
    expect(results.every((r) => r.status === 'created')).toBe(true);
    const wallet = await t.db.transaction((tx) =>
      tx.get<{ wallet_account_id: string }>('SELECT wallet_account_id FROM shoppers WHERE id = ?', [
        ana.shopperId,
      ]),
    );
    const bulk = await walletRecord(t.db, wallet!.wallet_account_id);

    const other = await openTestDb(adapter);
    try {
      const deps = testDeps(other.db);
      const shopper = await seedShopper(deps);
      const bag = await other.db.transaction((tx) =>
        ensureAccount(
          tx,
          { kind: 'kioskBag', ownerRef: 'K00001', currency: 'USD' },
          deps.newId,
          deps.clock.nowMs(),
        ),
      );
      for (const deposit of deposits) {
        const receipt = await creditDeposit(deps, {
          id: deposit.depositId,
          code: shopper.code,
          amountMinor: deposit.totalMinor,
          currency: 'USD',
          sourceAccountId: bag,
          cashAlreadyTaken: true,
        });
        expect(receipt.result).toBe('created');
      }
      const oneAtATime = await walletRecord(other.db, shopper.walletAccountId);
      expect(bulk).toEqual(oneAtATime);
      expect(JSON.stringify(bulk)).toContain('limitExceeded');
      expect(JSON.stringify(bulk)).toContain('"cash_report_flag":1');
    } finally {
      await other.dispose();
    }
  });
});
