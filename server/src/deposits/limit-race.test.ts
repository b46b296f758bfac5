import type { Code } from '@cashin/shared';
import { CodedError, defaultLimits, moneyLimitsFor } from '@cashin/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { issueSlip } from '../codes/slips.js';
import type { Deps } from '../deps.js';
import { findAccount } from '../ledger/accounts.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { Db } from '../storage/db.js';
import type { TestDb } from '../test-support/test-db.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import { seedDrawer, seedShopper, testDeps } from '../test-support/test-deps.js';
import type { DepositReceipt } from './credit-deposit.js';
import { creditDeposit } from './credit-deposit.js';

/** Deposits sent at once into one wallet: twice what the day's deposit count allows, so both limits bite. */
const racingDepositsCount = 40;
const depositAmountMinor = 40_000;
const slipTtlMs = 24 * 60 * 60 * 1000;

/**
 * Deposits racing into one wallet from two server processes (two pools, or two SQLite handles) must be
 * weighed against the wallet's rolling limits one after the other, each seeing the ones committed before
 * it; otherwise every racer reads the same usage and the wallet takes several times its day limit as plain
 * credits. A shopper deposit code takes the common path (PostgreSQL's batched stored function, SQLite's
 * writer thread) and a payment slip the general path, so both are raced.
 */
describe.each(testAdapters)('deposits racing into one wallet on %s', (adapter) => {
  let testDb: TestDb;
  let second: Db;
  beforeEach(async () => {
    testDb = await openTestDb(adapter);
    second = await testDb.openAnother();
  });
  afterEach(async () => {
    await second.close();
    await testDb.dispose();
  });

  const cases = [
    { codeKind: 'deposit code', cashAlreadyTaken: false },
    { codeKind: 'deposit code', cashAlreadyTaken: true },
    { codeKind: 'payment slip', cashAlreadyTaken: false },
    { codeKind: 'payment slip', cashAlreadyTaken: true },
  ] as const;

  it.each(cases)(
    'credits no more than the day limit as plain credits ($codeKind, cash already taken: $cashAlreadyTaken)',
    async ({ codeKind, cashAlreadyTaken }) => {
      // One shopper holds a slip for every racer.
      const limits = {
        ...defaultLimits,
        system: { ...defaultLimits.system, slipsOpenPerShopperMax: racingDepositsCount },
      };
      const one = { ...testDeps(testDb.db), limits };
      const two: Deps = { ...testDeps(second), clock: one.clock, newId: one.newId, limits };
      const dayMaxMinor = moneyLimitsFor(one.limits, 'USD').tiers[0].walletDailyMaxMinor;
      const drawer = await seedDrawer(one);
      const shopper = await seedShopper(one);
      const codes: Code[] = [];
      for (let n = 0; n < racingDepositsCount; n += 1) {
        codes.push(
          codeKind === 'deposit code'
            ? shopper.code
            : (await issueSlip(one, shopper.shopperId, depositAmountMinor, slipTtlMs)).code,
        );
      }

      const settled = await Promise.allSettled(
        codes.map((code, n) =>
          creditDeposit(n % 2 === 0 ? one : two, {
            id: one.newId(),
            code,
            amountMinor: depositAmountMinor,
            currency: 'USD',
            sourceAccountId: drawer,
            cashAlreadyTaken,
          }),
        ),
      );

      const receipts: DepositReceipt[] = [];
      for (const outcome of settled) {
        if (outcome.status === 'fulfilled') receipts.push(outcome.value);
        else {
          expect(cashAlreadyTaken).toBe(false);
          expect(outcome.reason).toBeInstanceOf(CodedError);
          expect((outcome.reason as CodedError).code).toBe('LIMIT_EXCEEDED');
        }
      }
      const credited = receipts.filter((receipt) => receipt.status === 'credited');
      const held = receipts.filter((receipt) => receipt.status !== 'credited');
      const creditedMinor = credited.length * depositAmountMinor;
      expect(creditedMinor).toBeLessThanOrEqual(dayMaxMinor);
      // Weighed one at a time, the racers that fit are credited and every later one is refused or held.
      expect(credited).toHaveLength(Math.floor(dayMaxMinor / depositAmountMinor));
      expect(receipts.every((receipt) => receipt.result === 'created')).toBe(true);
      if (cashAlreadyTaken) {
        expect(receipts).toHaveLength(racingDepositsCount);
        for (const receipt of held) {
          expect(receipt.status).toBe('inReview');
          expect(receipt.reviewReason).toBe('limitExceeded');
        }
      } else {
        expect(held).toHaveLength(0);
      }

      const wallet = await testDb.db.transaction((tx) => findAccount(tx, shopper.walletAccountId));
      expect(wallet?.creditsPosted).toBe(receipts.length * depositAmountMinor);
      const ledger = await verifyLedger(testDb.db);
      expect(ledger.ok).toBe(true);
      expect(ledger.transfers).toBe(receipts.length);
      expect((await verifyAudit(testDb.db)).ok).toBe(true);
    },
  );

  it.each([false, true])(
    'credits one payment slip once, however many deposits race for it (cash already taken: %s)',
    async (cashAlreadyTaken) => {
      const one = testDeps(testDb.db);
      const two: Deps = { ...testDeps(second), clock: one.clock, newId: one.newId };
      const drawer = await seedDrawer(one);
      const shopper = await seedShopper(one);
      const slip = await issueSlip(one, shopper.shopperId, 2_000, slipTtlMs);
      const settled = await Promise.allSettled(
        Array.from({ length: 6 }, (_, n) =>
          creditDeposit(n % 2 === 0 ? one : two, {
            id: one.newId(),
            code: slip.code,
            amountMinor: 2_000,
            currency: 'USD',
            sourceAccountId: drawer,
            cashAlreadyTaken,
          }),
        ),
      );
      const receipts = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      const refused = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      // Exactly one deposit uses the slip; every other one is refused before cash is taken, or, with the
      // cash taken, credited and held for a person as a slip already used.
      expect(receipts.filter((receipt) => receipt.status === 'credited')).toHaveLength(1);
      if (cashAlreadyTaken) {
        expect(refused).toEqual([]);
        expect(receipts.filter((receipt) => receipt.reviewReason === 'slipUsed')).toHaveLength(5);
      } else {
        expect(receipts).toHaveLength(1);
        expect(refused.map((error) => (error as CodedError).code)).toEqual(Array(5).fill('CODE_USED'));
      }
      expect((await verifyLedger(testDb.db)).ok).toBe(true);
    },
  );
});
