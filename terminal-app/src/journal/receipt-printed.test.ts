import Database from 'better-sqlite3';
import type { Code } from '@cashin/shared';
import { createUuidV7Generator, generateCode } from '@cashin/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from './journal.js';
import type { TempJournal } from './testing/temp-journal.js';
import { tempJournal } from './testing/temp-journal.js';

// Whether a receipt came out of the printer is journaled (migration 6): a committed voucher or offline
// deposit whose receipt never printed is owed to its shopper, and a tech sees it in maintenance.
const t0Ms = Date.UTC(2026, 0, 1, 12);
const newId = createUuidV7Generator(() => t0Ms);
let temp: TempJournal;
beforeEach(() => {
  temp = tempJournal();
});
afterEach(() => temp.cleanup());

/** Commits a deposit with one $5 bill: a voucher, an offline shopper's deposit or an online one. */
function commitDeposit(journal: Journal, kind: 'voucher' | 'offline' | 'online'): string {
  const depositId = newId();
  journal.openDeposit({
    depositId,
    startedAtMs: t0Ms,
    code: kind === 'voucher' ? null : generateCode('deposit'),
    claimCode: kind === 'voucher' ? (generateCode('claim') satisfies Code) : null,
    currency: 'USD',
    maxMinor: 10_000,
    offline: kind === 'offline',
    language: 'en',
    maskedName: null,
    balanceMinor: null,
  });
  journal.append(
    depositId,
    {
      type: 'credit',
      device: 'bill',
      kind: 'bill',
      ccTalkId: 'US0005A',
      currency: 'USD',
      valueMinor: 500,
      count: 1,
    },
    t0Ms,
  );
  journal.commit(depositId, t0Ms);
  return depositId;
}

const owed = (journal: Journal) => journal.unprintedReceipts(10).map(({ deposit }) => deposit.depositId);

describe('the journal of printed receipts', () => {
  it('owes vouchers and offline receipts until they print, never an online deposit or a stray', () => {
    const journal = temp.open();
    try {
      const voucher = commitDeposit(journal, 'voucher');
      const offline = commitDeposit(journal, 'offline');
      const online = commitDeposit(journal, 'online');
      journal.commitStray(
        {
          type: 'credit',
          device: 'coin',
          kind: 'coin',
          ccTalkId: 'US025A',
          currency: 'USD',
          valueMinor: 25,
          count: 1,
        },
        t0Ms,
        { depositId: newId(), claimCode: generateCode('claim'), language: 'en' },
      );
      expect(owed(journal)).toEqual([voucher, offline]);
      // The tech's list puts what is owed first, then the newest; the stray is nobody's receipt.
      expect(journal.recentDeposits(10).map((d) => [d.deposit.depositId, d.receiptPrinted])).toEqual([
        [voucher, false],
        [offline, false],
        [online, false],
      ]);
      journal.markReceiptPrinted(voucher, t0Ms + 1_000);
      journal.markReceiptPrinted(offline, t0Ms + 2_000);
      expect(owed(journal)).toEqual([]);
      expect(journal.storedDeposit(voucher)?.receiptPrinted).toBe(true);
    } finally {
      journal.close();
    }
  });

  it('reads a journal from before it as all printed, so an upgrade prints no old voucher again', () => {
    const before = temp.open();
    const old = commitDeposit(before, 'voucher');
    before.close();
    // The file as the previous version left it: no receipt column, schema 5.
    const raw = new Database(temp.path);
    raw.exec(
      'DROP TABLE terminal_refusal; DROP INDEX deposits_receipt_unprinted; ' +
        'ALTER TABLE deposits DROP COLUMN receipt_printed_at_ms',
    );
    raw.pragma('user_version = 5');
    raw.close();

    const journal = temp.open();
    try {
      expect(owed(journal)).toEqual([]);
      expect(journal.storedDeposit(old)?.receiptPrinted).toBe(true);
      const fresh = commitDeposit(journal, 'voucher');
      expect(owed(journal)).toEqual([fresh]);
    } finally {
      journal.close();
    }
  });
});
