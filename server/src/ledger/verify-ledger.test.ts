import { createUuidV7Generator, generateCode, opsApiPaths, terminalApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db, Row, SqlValue, Tx } from '../storage/db.js';
import type { TestApp } from '../test-support/test-app.js';
import { openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import type { TestDb } from '../test-support/test-db.js';
import { enrollTestKiosk, kioskDeposit, signedPost } from '../test-kit/terminal-kit.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import { insertDeposit } from '../deposits/deposit-record.js';
import { ensureAccount } from './accounts.js';
import { createTransfers } from './ledger.js';
import { formatLedgerReport, verifyLedger } from './verify-ledger.js';

const newId = createUuidV7Generator();
const nowMs = Date.UTC(2026, 5, 1);

/** The database as verifyLedger sees it, with `between` run right after its first statement. */
function writingAfterFirstStatement(db: Db, between: () => Promise<void>): Db {
  let statements = 0;
  const after = async <T>(value: T): Promise<T> => {
    statements += 1;
    if (statements === 1) await between();
    return value;
  };
  return {
    dialect: db.dialect,
    transaction: (body, options) =>
      db.transaction((tx) => {
        const watched: Tx = {
          dialect: tx.dialect,
          all: async <R extends Row>(sql: string, params?: readonly SqlValue[]) =>
            after(await tx.all<R>(sql, params)),
          get: async <R extends Row>(sql: string, params?: readonly SqlValue[]) =>
            after(await tx.get<R>(sql, params)),
          run: async (sql, params) => after(await tx.run(sql, params)),
          savepoint: (inner) => tx.savepoint(inner),
        };
        return body(watched);
      }, options),
    single: (sql, params) => db.single(sql, params),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}

describe.each(testAdapters)('ledger verification on %s', (adapter) => {
  let testDb: TestDb | undefined;
  const others: Db[] = [];
  afterEach(async () => {
    for (const other of others.splice(0)) await other.close();
    await testDb?.dispose();
    testDb = undefined;
  });

  // PostgreSQL: another server process commits a deposit between verification's statements; at READ
  // COMMITTED the transfer sums then include it and the wallet's running balance read before does not.
  // SQLite: the deposit queues behind verification's unit, which must see none of it either.
  it('reads one snapshot while deposits commit beside it', async () => {
    testDb = await openTestDb(adapter);
    const { db } = testDb;
    const [drawer, wallet] = await db.transaction(async (tx) => [
      await ensureAccount(tx, { kind: 'storeDrawer', ownerRef: 's1', currency: 'USD' }, newId, nowMs),
      await ensureAccount(tx, { kind: 'wallet', ownerRef: 'shopper-1', currency: 'USD' }, newId, nowMs),
    ]);
    // A deposit as the product writes one: its transfer and its deposit row, in one transaction.
    const deposit = (into: Db) =>
      into.transaction(async (tx) => {
        const id = newId();
        const results = await createTransfers(
          tx,
          [
            {
              id,
              debitAccountId: drawer,
              creditAccountId: wallet,
              amountMinor: 500,
              currency: 'USD',
              code: 'deposit',
            },
          ],
          nowMs,
        );
        await insertDeposit(tx, {
          transferId: id,
          shopperId: null,
          walletAccountId: wallet,
          codeHash: `hash-${id}`,
          codeMasked: '**** 0000',
          amountMinor: 500,
          currency: 'USD',
          sourceAccountId: drawer,
          cashAlreadyTaken: false,
          status: 'credited',
          reviewReason: null,
          cashReportFlag: false,
          claimId: null,
          createdAtMs: nowMs,
        });
        return results;
      });
    expect(await deposit(db)).toEqual(['created']);
    const other = adapter === 'postgres' ? await testDb.openAnother() : db;
    if (other !== db) others.push(other);
    let queued: Promise<unknown> | undefined;
    const report = await verifyLedger(
      writingAfterFirstStatement(db, async () => {
        queued = deposit(other);
        if (adapter === 'postgres') expect(await queued).toEqual(['created']);
      }),
    );
    expect(report.discrepancies).toEqual([]);
    expect(report).toMatchObject({ ok: true, transfers: 1 });
    await queued;
    expect(await verifyLedger(db)).toMatchObject({ ok: true, transfers: 2 });
  });

  // Bags, cash in transit, the bank and over/short keep no running balance: their balances are sums of
  // their own transfers, so a transfer changed or deleted there leaves every sum consistent. Only the
  // business rows beside the transfers can tell.
  it('finds transfers that no longer agree with their collections, bank deposits and deposits', async () => {
    const app: TestApp = await openTestApp(adapter);
    try {
      const kiosk = await enrollTestKiosk(app);
      const ana = await signUpAndIn(app);
      const deposit = kioskDeposit(kiosk, newId, app.clock.nowMs(), { code: ana.depositCode, coins: 8 });
      await signedPost(app, kiosk, terminalApiPaths.sync, { deposits: [deposit] });
      const post = (url: string, payload: object) =>
        app.app.inject({ method: 'POST', url, headers: opsHeaders, payload });
      const collectionId = newId();
      const collected = await post(opsApiPaths.collections, {
        collectionId,
        terminalId: kiosk.terminalId,
        countedMinor: 190,
        currency: 'USD',
      });
      expect(collected.statusCode, collected.body).toBe(201);
      const bankDepositId = newId();
      const banked = await post(opsApiPaths.bankDeposits, {
        bankDepositId,
        collectionIds: [collectionId],
        creditedMinor: 200,
        currency: 'USD',
        bankReference: 'SLIP-1',
      });
      expect(banked.statusCode, banked.body).toBe(201);
      expect(await verifyLedger(app.db)).toMatchObject({ ok: true, recordDiscrepancies: [] });

      const overShortOf = await app.db.transaction((tx) =>
        tx.get<{ collection: string; bank: string }>(
          `SELECT c.over_short_transfer_id AS collection, b.difference_transfer_id AS bank
             FROM collections c JOIN bank_deposits b ON b.id = c.bank_deposit_id WHERE c.id = ?`,
          [collectionId],
        ),
      );
      await app.db.transaction(async (tx) => {
        // The bag's collection changed, the bank's difference deleted, the deposit's amount changed.
        await tx.run('UPDATE transfers SET amount_minor = amount_minor + 100 WHERE id = ?', [collectionId]);
        await tx.run('DELETE FROM transfers WHERE id = ?', [overShortOf!.bank]);
        await tx.run('UPDATE deposits SET amount_minor = amount_minor + 1 WHERE transfer_id = ?', [
          deposit.depositId,
        ]);
      });
      const tampered = await verifyLedger(app.db);
      expect(tampered.ok).toBe(false);
      expect(tampered.recordDiscrepancies).toEqual(
        expect.arrayContaining([
          {
            record: 'collection',
            problem: 'transferDiffers',
            recordId: collectionId,
            transferId: collectionId,
          },
          {
            record: 'bankDepositDifference',
            problem: 'transferMissing',
            recordId: bankDepositId,
            transferId: null,
          },
          {
            record: 'deposit',
            problem: 'transferDiffers',
            recordId: deposit.depositId,
            transferId: deposit.depositId,
          },
        ]),
      );
      expect(tampered.recordDiscrepancies).toHaveLength(3);
      // A collection's row deleted: its transfers into cash in transit are accounted for by nothing.
      await app.db.transaction((tx) => tx.run('DELETE FROM collections WHERE id = ?', [collectionId]));
      expect((await verifyLedger(app.db)).recordDiscrepancies).toEqual(
        expect.arrayContaining([
          { record: 'none', problem: 'recordMissing', recordId: null, transferId: collectionId },
          { record: 'none', problem: 'recordMissing', recordId: null, transferId: overShortOf!.collection },
        ]),
      );
    } finally {
      await app.close();
    }
  });

  // A deposit moves a wallet through its transfer, but the wallet's limits, its history, the review
  // queue and settlements find deposits through their rows: a transfer whose row is gone is named.
  it('names a deposit transfer that has no deposit row', async () => {
    const app: TestApp = await openTestApp(adapter);
    try {
      const kiosk = await enrollTestKiosk(app);
      const ana = await signUpAndIn(app);
      const deposits = [
        kioskDeposit(kiosk, newId, app.clock.nowMs(), { code: ana.depositCode, coins: 8 }),
        kioskDeposit(kiosk, newId, app.clock.nowMs(), { code: ana.depositCode, coins: 4 }),
      ];
      const synced = await signedPost(app, kiosk, terminalApiPaths.sync, { deposits });
      expect(synced.statusCode, synced.body).toBe(200);
      expect(await verifyLedger(app.db)).toMatchObject({ ok: true, recordDiscrepancies: [] });

      const gone = deposits[1]!.depositId;
      await app.db.transaction((tx) => tx.run('DELETE FROM deposits WHERE transfer_id = ?', [gone]));
      const report = await verifyLedger(app.db);
      expect(report.ok).toBe(false);
      expect(report.discrepancies).toEqual([]);
      expect(report.recordDiscrepancies).toEqual([
        { record: 'deposit', problem: 'recordMissing', recordId: null, transferId: gone },
      ]);
      expect(formatLedgerReport(report)).toContain(`DISCREPANCY recordMissing deposit -: transfer ${gone}`);
    } finally {
      await app.close();
    }
  });

  // Money in suspense leaves only through its claim: a deposit there without one would stay for ever, and
  // a claim that disagrees with its transfer would pay out another amount than came in.
  it('names a suspense deposit with no claim, and a claim that differs from its transfer', async () => {
    const app: TestApp = await openTestApp(adapter);
    try {
      const kiosk = await enrollTestKiosk(app);
      // Codes no shopper holds (mistyped at the kiosk while it was offline): the cash goes to suspense.
      const deposits = [
        kioskDeposit(kiosk, newId, app.clock.nowMs(), { code: generateCode('deposit'), coins: 8 }),
        kioskDeposit(kiosk, newId, app.clock.nowMs(), { code: generateCode('deposit'), coins: 4 }),
      ];
      const synced = await signedPost(app, kiosk, terminalApiPaths.sync, { deposits });
      expect(synced.statusCode, synced.body).toBe(200);
      expect(await verifyLedger(app.db)).toMatchObject({ ok: true, recordDiscrepancies: [] });

      const [changed, gone] = deposits.map((deposit) => deposit.depositId);
      const claimOf = async (transferId: string | undefined) =>
        (
          await app.db.transaction((tx) =>
            tx.get<{ id: string }>('SELECT id FROM claims WHERE deposit_transfer_id = ?', [transferId ?? '']),
          )
        )?.id;
      const changedClaim = await claimOf(changed);
      await app.db.transaction(async (tx) => {
        await tx.run('UPDATE claims SET amount_minor = amount_minor + 1 WHERE id = ?', [changedClaim ?? '']);
        await tx.run('DELETE FROM claims WHERE deposit_transfer_id = ?', [gone ?? '']);
      });
      const report = await verifyLedger(app.db);
      expect(report.ok).toBe(false);
      expect(report.discrepancies).toEqual([]);
      expect(report.recordDiscrepancies).toEqual([
        { record: 'claim', problem: 'transferDiffers', recordId: changedClaim, transferId: changed },
        { record: 'claim', problem: 'recordMissing', recordId: null, transferId: gone },
      ]);
    } finally {
      await app.close();
    }
  });
});
