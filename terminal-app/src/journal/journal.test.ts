import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Code, UuidV7 } from '@cashin/shared';
import { KioskDepositSchema, createUuidV7Generator, generateCode } from '@cashin/shared';
import { openJournalDatabase } from './database.js';
import type { Journal } from './journal.js';
import type { CounterRegisters } from '../devices/counter/counter-registers.js';
import type { CreditEntry, OpenDepositRecord } from './journal-entry.js';
import { migrations } from './migrations.js';
import type { TempJournal } from './testing/temp-journal.js';
import { tempJournal } from './testing/temp-journal.js';
import { receiptQrData, verifyReceiptQr } from '@cashin/shared';
import { createReceiptSigner } from '../receipt/receipt-signature.js';
import { Journal as JournalClass } from './journal.js';
import { recordServerSequenceHigh } from './server-sequence-high.js';

const t0Ms = Date.UTC(2026, 2, 1, 9);
let clockMs = t0Ms;
const newId = createUuidV7Generator(() => clockMs);
const shopperCode = generateCode('deposit');

function record(overrides: Partial<OpenDepositRecord> = {}): OpenDepositRecord {
  return {
    depositId: newId(),
    startedAtMs: clockMs,
    code: shopperCode,
    claimCode: null,
    currency: 'USD',
    maxMinor: 5_000,
    offline: false,
    language: 'en',
    maskedName: 'J*** D***',
    balanceMinor: 1_000,
    ...overrides,
  };
}

function coin(valueMinor: number, ccTalkId: string, count = 1, device = 'coin'): CreditEntry {
  return { type: 'credit', device, kind: 'coin', ccTalkId, currency: 'USD', valueMinor, count };
}

let temp: TempJournal;
let journal: Journal;

beforeEach(() => {
  clockMs = t0Ms;
  temp = tempJournal();
  journal = temp.open();
});

afterEach(() => {
  try {
    journal.close();
  } catch {
    // already closed by the test
  }
  temp.cleanup();
});

/** Opens, credits and commits one deposit; returns it. */
function deposit(values: number[], overrides: Partial<OpenDepositRecord> = {}) {
  const r = record(overrides);
  journal.openDeposit(r);
  for (const value of values)
    journal.append(r.depositId, coin(value, `US${String(value).padStart(3, '0')}A`), clockMs);
  clockMs += 1_000;
  return journal.commit(r.depositId, clockMs);
}

describe('journal database', () => {
  it('runs in WAL mode with synchronous=FULL and foreign keys on', () => {
    const db = openJournalDatabase(`${temp.path}.other`);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    db.close();
  });

  it('refuses a journal written by a newer schema', () => {
    journal.close();
    const raw = new Database(temp.path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => temp.open()).toThrow(/newer/);
  });

  it('reopening applies no migration twice and keeps the data', () => {
    deposit([25]);
    journal.close();
    journal = temp.open();
    expect(journal.outbox.status().depth).toBe(1);
  });
});

describe('journal deposits', () => {
  it('commits items and total derived from the journaled credits, with the outbox row', () => {
    const r = record();
    journal.openDeposit(r);
    journal.append(r.depositId, coin(25, 'US025A'), clockMs);
    journal.append(r.depositId, coin(25, 'US025A', 3), clockMs);
    journal.append(r.depositId, coin(10, 'US010A'), clockMs);
    journal.append(
      r.depositId,
      { type: 'reject', device: 'coin', kind: 'coin', reason: 'rejected', valueMinor: null, count: 2 },
      clockMs,
    );
    const committed = journal.commit(r.depositId, clockMs + 5_000);
    expect(committed).toMatchObject({
      depositId: r.depositId,
      sequence: 1,
      code: shopperCode,
      claimCode: null,
      items: [
        { kind: 'coin', ccTalkId: 'US010A', valueMinor: 10, count: 1 },
        { kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: 4 },
      ],
      rejectedCount: 2,
      totalMinor: 110,
      flags: { recovered: false, lostEvents: false, offline: false, deviceFault: false },
      receiptSignature: null,
      committedAt: new Date(clockMs + 5_000).toISOString(),
    });
    expect(KioskDepositSchema.safeParse(committed).success).toBe(true);
    expect(journal.outbox.takeBatch()).toEqual([committed]);
    expect(journal.storedDeposit(r.depositId)).toMatchObject({
      language: 'en',
      maskedName: 'J*** D***',
      balanceMinor: 1_000,
      returned: { coinCount: 2, billCount: 0, unsortedCount: 0 },
    });
  });

  it('keeps coins and bills handed back apart, adding up to the synced count of returns', () => {
    const r = record();
    journal.openDeposit(r);
    journal.append(r.depositId, coin(25, 'US025A'), clockMs);
    const reject = (kind: 'coin' | 'bill', count: number) =>
      journal.append(
        r.depositId,
        { type: 'reject', device: kind, kind, reason: 'rejected', valueMinor: null, count },
        clockMs,
      );
    reject('bill', 1);
    reject('coin', 2);
    reject('bill', 2);
    reject('coin', 1);
    const committed = journal.commit(r.depositId, clockMs);
    expect(committed.rejectedCount).toBe(6);
    expect(journal.returnedPieces(r.depositId)).toEqual({ coinCount: 3, billCount: 3, unsortedCount: 0 });
    // A reprint after a restart reads the same split.
    journal.close();
    journal = temp.open();
    expect(journal.storedDeposit(r.depositId)?.returned).toEqual({
      coinCount: 3,
      billCount: 3,
      unsortedCount: 0,
    });
  });

  it('reads returns journaled before their kind was kept as unsorted, beside sorted ones', () => {
    const r = record();
    journal.openDeposit(r);
    journal.append(r.depositId, coin(25, 'US025A'), clockMs);
    journal.append(
      r.depositId,
      { type: 'reject', device: 'bill', kind: 'bill', reason: 'rejected', valueMinor: null, count: 1 },
      clockMs,
    );
    journal.close();
    // Rows as the agent wrote them before it kept a reject's kind: the kind column left NULL.
    const raw = new Database(temp.path);
    raw
      .prepare(
        `INSERT INTO deposit_events (deposit_id, type, device, kind, count, at_ms)
         VALUES (?, 'reject', 'coin', NULL, ?, ?)`,
      )
      .run(r.depositId, 2, clockMs);
    raw.close();
    journal = temp.open();
    const committed = journal.commit(r.depositId, clockMs);
    expect(committed.rejectedCount).toBe(3);
    expect(journal.storedDeposit(r.depositId)?.returned).toEqual({
      coinCount: 0,
      billCount: 1,
      unsortedCount: 2,
    });
  });

  it('flags lost events and device faults from the journaled events', () => {
    const r = record();
    journal.openDeposit(r);
    journal.append(r.depositId, coin(25, 'US025A'), clockMs);
    journal.append(r.depositId, { type: 'lostEvents', device: 'coin', count: 2 }, clockMs);
    journal.append(r.depositId, { type: 'fault', device: 'coin', fault: 'jam', detail: null }, clockMs);
    expect(journal.commit(r.depositId, clockMs).flags).toEqual({
      recovered: false,
      lostEvents: true,
      offline: false,
      deviceFault: true,
    });
  });

  it('signs offline deposits and vouchers with a QR that verifies, and not online ones', () => {
    const online = deposit([25]);
    const offline = deposit([100], { offline: true, maskedName: null, balanceMinor: null });
    const voucher = deposit([50], { code: null, claimCode: generateCode('claim') as Code, maskedName: null });
    expect(online.receiptSignature).toBeNull();
    expect(offline.receiptSignature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(voucher.receiptSignature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    const check = verifyReceiptQr(receiptQrData(temp.terminalId, offline), temp.verify);
    expect(check).toMatchObject({
      ok: true,
      fields: { depositId: offline.depositId, totalMinor: 100, sequence: 2 },
    });
  });

  it('assigns sequence numbers 1, 2, 3... with no gaps, across reopening the file', () => {
    const seen = [deposit([1]), deposit([5]), deposit([10])].map((d) => d.sequence);
    journal.close();
    journal = temp.open();
    seen.push(deposit([25]).sequence, deposit([50]).sequence);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('numbers a fresh journal after the server high its enrollment recorded', () => {
    // A replaced kiosk: its journal is empty, and the server holds its predecessor's deposits up to 7.
    journal.close();
    recordServerSequenceHigh(temp.path, 7);
    journal = temp.open();
    expect(journal.outbox.status().lastSequence).toBe(0);
    const seen = [deposit([1]), deposit([5])].map((d) => d.sequence);
    journal.close();
    journal = temp.open();
    seen.push(deposit([10]).sequence);
    expect(seen).toEqual([8, 9, 10]);
    expect(journal.outbox.status().lastSequence).toBe(10);
  });

  it('keeps counting from its own sequence when it is higher than a server high recorded later', () => {
    expect([deposit([1]), deposit([5]), deposit([10])].map((d) => d.sequence)).toEqual([1, 2, 3]);
    // Re-enrolled after a key rotation with its journal kept: the server has seen only some of its
    // deposits, so its own counter is ahead and numbers go on from it, never back and never reused.
    journal.close();
    recordServerSequenceHigh(temp.path, 2);
    journal = temp.open();
    expect(deposit([25]).sequence).toBe(4);
    journal.close();
    recordServerSequenceHigh(temp.path, 4);
    journal = temp.open();
    expect(deposit([25]).sequence).toBe(5);
    // A server high above its own (deposits of this terminal the server got another way) moves it on.
    journal.close();
    recordServerSequenceHigh(temp.path, 20);
    // An older, lower answer recorded after it changes nothing.
    recordServerSequenceHigh(temp.path, 12);
    journal = temp.open();
    expect(deposit([50]).sequence).toBe(21);
    expect(() => recordServerSequenceHigh(temp.path, -1)).toThrow();
    expect(() => recordServerSequenceHigh(temp.path, 1.5)).toThrow();
  });

  it('a commit that fails half-way leaves nothing: deposit open, no outbox row, no sequence used', () => {
    const throwing = JournalClass.open(`${temp.path}.atomic`, {
      signReceipt: () => {
        throw new Error('the signing key is unreadable');
      },
      syncBatchDepositsMax: 10,
    });
    const r = record({ offline: true });
    throwing.openDeposit(r);
    throwing.append(r.depositId, coin(25, 'US025A'), clockMs);
    expect(() => throwing.commit(r.depositId, clockMs)).toThrow(/unreadable/);
    expect(throwing.openDepositIds()).toEqual([r.depositId]);
    expect(throwing.outbox.status()).toMatchObject({ depth: 0, lastSequence: 0 });
    throwing.close();
    // Once signing works again the same deposit commits with sequence 1: the failed attempt used no number.
    const working = JournalClass.open(`${temp.path}.atomic`, {
      signReceipt: createReceiptSigner(temp.terminalId, temp.sign),
      syncBatchDepositsMax: 10,
    });
    expect(working.commit(r.depositId, clockMs).sequence).toBe(1);
    working.close();
  });

  it('refuses to journal into, commit or abandon a deposit that is not open', () => {
    const committed = deposit([25]);
    expect(() => journal.append(committed.depositId, coin(5, 'US005A'), clockMs)).toThrow(/not open/);
    expect(() => journal.commit(committed.depositId, clockMs)).toThrow(/not open/);
    expect(() => journal.append(newId(), coin(5, 'US005A'), clockMs)).toThrow(/not open/);
  });

  it('refuses to commit a deposit with no money, and to abandon one with money', () => {
    const empty = record();
    journal.openDeposit(empty);
    expect(() => journal.commit(empty.depositId, clockMs)).toThrow(/no money/);
    journal.abandon(empty.depositId, clockMs);
    const full = record();
    journal.openDeposit(full);
    journal.append(full.depositId, coin(25, 'US025A'), clockMs);
    expect(() => journal.abandon(full.depositId, clockMs)).toThrow(/has money/);
  });

  it('commits a deposit that lost events with no money at a zero total, flagged, and never abandons it', () => {
    for (const lost of [
      { type: 'lostEvents', device: 'coin', count: 6 },
      { type: 'reset', device: 'bill' },
    ] as const) {
      const r = record();
      journal.openDeposit(r);
      journal.append(r.depositId, lost, clockMs);
      expect(() => journal.abandon(r.depositId, clockMs)).toThrow(/unreported money/);
      const committed = journal.commit(r.depositId, clockMs);
      expect(committed).toMatchObject({
        code: shopperCode,
        items: [],
        totalMinor: 0,
        flags: { lostEvents: true, recovered: false },
      });
      expect(journal.outbox.takeBatch().map((d) => d.depositId)).toContain(r.depositId);
    }
  });

  it("refuses to abandon a deposit in which a money device faulted or went away, and commits it at zero with the shopper's code, flagged", () => {
    for (const trouble of [
      { type: 'fault', device: 'bill', fault: 'jam', detail: 'bill jammed in transport' },
      { type: 'disconnected', device: 'coin' },
    ] as const) {
      const r = record();
      journal.openDeposit(r);
      journal.append(r.depositId, trouble, clockMs);
      expect(() => journal.abandon(r.depositId, clockMs)).toThrow(/unreported money/);
      expect(journal.commit(r.depositId, clockMs)).toMatchObject({
        code: shopperCode,
        totalMinor: 0,
        flags: { deviceFault: true },
      });
    }
  });

  it("commits lost events with no deposit open as an alarm deposit: no money, flagged, queued, nobody's receipt", () => {
    const shoppers = deposit([100]);
    const ids = { depositId: newId(), claimCode: generateCode('claim'), language: 'en' as const };
    clockMs += 1_000;
    const alarm = journal.commitAlarm(
      { type: 'reset', device: 'coin' },
      clockMs,
      { ...ids, currency: 'USD' },
      0,
    );
    expect(KioskDepositSchema.parse(alarm)).toMatchObject({
      depositId: ids.depositId,
      sequence: 2,
      code: null,
      claimCode: ids.claimCode,
      currency: 'USD',
      items: [],
      totalMinor: 0,
      flags: { recovered: false, lostEvents: true, offline: false, deviceFault: false },
    });
    expect(journal.outbox.takeBatch().map((d) => d.depositId)).toEqual([shoppers.depositId, ids.depositId]);
    expect(journal.eventCounters().get('coin')?.counter).toBe(0);
    expect(journal.storedDeposit(ids.depositId)?.stray).toBe(true);
    expect(journal.strayDeposits()).toEqual({ totalMinor: 0, deposits: 0 });
    expect(journal.lastCommittedDepositId()).toBe(shoppers.depositId);
    expect(journal.recentDeposits(10).map((d) => d.deposit.depositId)).toEqual([shoppers.depositId]);
  });

  it('lists the newest committed deposits with where each stands with the server, strays left out', () => {
    const first = deposit([25]);
    const second = deposit([50], { code: null, claimCode: generateCode('claim') as Code, maskedName: null });
    journal.commitStray(coin(5, 'US005A'), clockMs, {
      depositId: newId(),
      claimCode: generateCode('claim'),
      language: 'en',
    });
    const third = deposit([100]);
    journal.outbox.markSynced([first.depositId], clockMs);
    journal.outbox.quarantine(second.depositId, { stored: {} }, clockMs);
    // (A voucher whose receipt never printed would be listed first: see receipt-printed.test.ts.)
    journal.markReceiptPrinted(second.depositId, clockMs);
    expect(journal.recentDeposits(10).map((d) => [d.deposit.sequence, d.outbox])).toEqual([
      [third.sequence, 'pending'],
      [second.sequence, 'quarantined'],
      [first.sequence, 'synced'],
    ]);
    expect(journal.recentDeposits(1).map((d) => d.deposit.depositId)).toEqual([third.depositId]);
  });

  it('keeps bare strays apart from deposits', () => {
    journal.append(null, coin(25, 'US025A'), clockMs);
    journal.append(null, coin(10, 'US010A'), clockMs);
    expect(journal.strayCredits()).toEqual({ totalMinor: 35, events: 2 });
    expect(journal.outbox.status().depth).toBe(0);
  });

  it('commits a stray as a deposit of its own: no code, a signed claim, queued, in the bag once', () => {
    const shoppers = deposit([100]);
    const ids = { depositId: newId(), claimCode: generateCode('claim'), language: 'es' as const };
    clockMs += 1_000;
    const stray = journal.commitStray(coin(25, 'US025A', 2), clockMs, ids, 7);
    expect(stray).toMatchObject({
      depositId: ids.depositId,
      sequence: 2,
      code: null,
      claimCode: ids.claimCode,
      totalMinor: 50,
      items: [{ kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: 2 }],
      flags: { recovered: false, lostEvents: false, offline: false, deviceFault: false },
    });
    // A claim code means the server may be shown its receipt: it is signed like a voucher's.
    expect(verifyReceiptQr(receiptQrData(temp.terminalId, stray), temp.verify)).toMatchObject({ ok: true });
    expect(journal.outbox.takeBatch().map((d) => d.depositId)).toEqual([shoppers.depositId, ids.depositId]);
    expect(journal.strayDeposits()).toEqual({ totalMinor: 50, deposits: 1 });
    expect(journal.strayCredits()).toEqual({ totalMinor: 0, events: 0 });
    expect(journal.bag.totalFor('coin').totalsByCurrency[0]?.totalMinor).toBe(150);
    expect(journal.eventCounters().get('coin')?.counter).toBe(7);
    expect(journal.storedDeposit(ids.depositId)?.language).toBe('es');
    // Nobody's receipt: "reprint last receipt" still finds the shopper's deposit.
    expect(journal.lastCommittedDepositId()).toBe(shoppers.depositId);
  });
});

describe('journal recovery', () => {
  it('commits an open deposit with money as recovered, abandons an empty one, exactly once', () => {
    const full = record();
    journal.openDeposit(full);
    journal.append(full.depositId, coin(25, 'US025A', 2), clockMs);
    journal.append(full.depositId, coin(100, 'US100A'), clockMs);
    const empty = record();
    journal.openDeposit(empty);
    // Power goes: the file is closed with both deposits open.
    journal.close();

    journal = temp.open();
    const report = journal.recover(t0Ms + 60_000);
    expect(report.abandoned).toEqual([empty.depositId]);
    expect(report.recovered).toHaveLength(1);
    expect(report.recovered[0]).toMatchObject({
      depositId: full.depositId,
      sequence: 1,
      totalMinor: 150,
      flags: { recovered: true },
      committedAt: new Date(t0Ms + 60_000).toISOString(),
    });
    journal.close();

    journal = temp.open();
    expect(journal.recover(t0Ms + 120_000)).toEqual({
      recovered: [],
      abandoned: [],
      strays: [],
      alarms: [],
    });
    expect(journal.outbox.takeBatch()).toHaveLength(1);
    expect(journal.storedDeposit(full.depositId)?.deposit.flags.recovered).toBe(true);
  });

  it('commits an open deposit in which a money device faulted as recovered, not abandoned', () => {
    const jammed = record();
    journal.openDeposit(jammed);
    journal.append(jammed.depositId, { type: 'fault', device: 'bill', fault: 'jam', detail: null }, clockMs);
    journal.close();

    journal = temp.open();
    const report = journal.recover(t0Ms + 60_000);
    expect(report.abandoned).toEqual([]);
    expect(report.recovered).toEqual([
      expect.objectContaining({
        depositId: jammed.depositId,
        totalMinor: 0,
        flags: expect.objectContaining({ recovered: true, deviceFault: true }),
      }),
    ]);
  });

  it('commits an open deposit that lost events but holds no money as recovered, not abandoned', () => {
    const lost = record();
    journal.openDeposit(lost);
    journal.append(lost.depositId, { type: 'reset', device: 'coin' }, clockMs);
    journal.close();

    journal = temp.open();
    const report = journal.recover(t0Ms + 60_000);
    expect(report.abandoned).toEqual([]);
    expect(report.recovered).toEqual([
      expect.objectContaining({
        depositId: lost.depositId,
        totalMinor: 0,
        flags: expect.objectContaining({ recovered: true, lostEvents: true }),
      }),
    ]);
  });
});

describe('outbox', () => {
  it('hands out unsynced deposits in sequence order, bounded, until acknowledged', () => {
    const deposits = [deposit([1]), deposit([5]), deposit([10]), deposit([25])];
    expect(journal.outbox.takeBatch(2).map((d) => d.sequence)).toEqual([1, 2]);
    // Taking is not consuming: a lost answer means the same batch again.
    expect(journal.outbox.takeBatch(2).map((d) => d.sequence)).toEqual([1, 2]);
    expect(journal.outbox.markSynced([deposits[0]!.depositId, deposits[1]!.depositId], clockMs)).toBe(2);
    expect(journal.outbox.markSynced([deposits[0]!.depositId], clockMs)).toBe(0);
    expect(journal.outbox.takeBatch(10).map((d) => d.sequence)).toEqual([3, 4]);
  });

  it('never hands out more than the configured batch maximum', () => {
    const small = JournalClass.open(`${temp.path}.small`, {
      signReceipt: () => null,
      syncBatchDepositsMax: 2,
    });
    for (let i = 0; i < 3; i += 1) {
      const r = record();
      small.openDeposit(r);
      small.append(r.depositId, coin(5, 'US005A'), clockMs);
      small.commit(r.depositId, clockMs);
    }
    expect(small.outbox.takeBatch(100)).toHaveLength(2);
    small.close();
  });

  it('reports depth, unsynced total and the oldest unsynced commit time', () => {
    expect(journal.outbox.status()).toEqual({
      depth: 0,
      unsyncedTotalMinor: 0,
      oldestUnsyncedAtMs: null,
      quarantined: 0,
      quarantinedTotalMinor: 0,
      uncreditedTotalMinor: 0,
      oldestUncreditedAtMs: null,
      lastSequence: 0,
    });
    const first = deposit([25]);
    const firstAtMs = clockMs;
    deposit([100]);
    expect(journal.outbox.status()).toEqual({
      depth: 2,
      unsyncedTotalMinor: 125,
      oldestUnsyncedAtMs: firstAtMs,
      quarantined: 0,
      quarantinedTotalMinor: 0,
      uncreditedTotalMinor: 125,
      oldestUncreditedAtMs: firstAtMs,
      lastSequence: 2,
    });
    journal.outbox.markSynced([first.depositId], clockMs);
    expect(journal.outbox.status()).toMatchObject({
      depth: 1,
      unsyncedTotalMinor: 100,
      oldestUnsyncedAtMs: clockMs,
    });
  });

  it('quarantines a conflict with the server answer, out of the queue for good', () => {
    const a = deposit([25]);
    deposit([50]);
    const answer = { status: 'conflict', stored: { totalMinor: 30 } };
    expect(journal.outbox.quarantine(a.depositId, answer, clockMs)).toBe(true);
    expect(journal.outbox.takeBatch().map((d) => d.depositId)).not.toContain(a.depositId);
    // Out of the queue, but not credited: its money still counts for the offline caps.
    expect(journal.outbox.status()).toMatchObject({
      depth: 1,
      unsyncedTotalMinor: 50,
      quarantined: 1,
      quarantinedTotalMinor: 25,
      uncreditedTotalMinor: 75,
    });
    expect(journal.outbox.quarantined(10)).toEqual([
      { depositId: a.depositId, deposit: a, quarantinedAtMs: clockMs, serverAnswer: answer },
    ]);
    expect(journal.outbox.markSynced([a.depositId], clockMs)).toBe(0);
  });

  it('keeps a quarantined deposit in the value and age the offline caps count until it is resolved', () => {
    const quarantined = deposit([500]);
    const quarantinedAtMs = clockMs;
    clockMs += 3_600_000;
    const later = deposit([100]);
    journal.outbox.quarantine(quarantined.depositId, { stored: {} }, clockMs);
    journal.outbox.markSynced([later.depositId], clockMs);
    // Nothing waits to be sent, yet $5.00 the server never credited is still in the bag.
    expect(journal.outbox.status()).toMatchObject({
      depth: 0,
      unsyncedTotalMinor: 0,
      oldestUnsyncedAtMs: null,
      quarantined: 1,
      quarantinedTotalMinor: 500,
      uncreditedTotalMinor: 500,
      oldestUncreditedAtMs: quarantinedAtMs,
    });
    expect(journal.outbox.oldestUnsyncedAgeMs(clockMs + 1_000)).toBe(clockMs + 1_000 - quarantinedAtMs);
  });
});

describe('bag totals and collections', () => {
  it('counts every credit per device since the last collection, strays included', () => {
    deposit([25, 25, 100]);
    const r = record();
    journal.openDeposit(r);
    journal.append(
      r.depositId,
      {
        type: 'credit',
        device: 'bill',
        kind: 'bill',
        ccTalkId: 'US0005A',
        currency: 'USD',
        valueMinor: 500,
        count: 1,
      },
      clockMs,
    );
    journal.append(null, coin(10, 'US010A'), clockMs);
    expect(journal.bag.totals()).toEqual([
      {
        device: 'bill',
        totalsByCurrency: [
          {
            currency: 'USD',
            totalMinor: 500,
            pieces: 1,
            lines: [{ kind: 'bill', valueMinor: 500, count: 1 }],
          },
        ],
      },
      {
        device: 'coin',
        totalsByCurrency: [
          {
            currency: 'USD',
            totalMinor: 160,
            pieces: 4,
            lines: [
              { kind: 'coin', valueMinor: 10, count: 1 },
              { kind: 'coin', valueMinor: 25, count: 2 },
              { kind: 'coin', valueMinor: 100, count: 1 },
            ],
          },
        ],
      },
    ]);
  });

  it('a collection keeps what the bag held and starts that device from zero', () => {
    deposit([25, 100]);
    const collectionId = newId() as UuidV7;
    const collection = journal.bag.collect(collectionId, 'coin', clockMs);
    expect(collection.totals.totalsByCurrency[0]).toMatchObject({ totalMinor: 125, pieces: 2 });
    expect(journal.bag.totalFor('coin').totalsByCurrency).toEqual([]);
    deposit([5]);
    expect(journal.bag.totalFor('coin').totalsByCurrency[0]).toMatchObject({ totalMinor: 5, pieces: 1 });
    journal.close();
    journal = temp.open();
    expect(journal.bag.collections(10)).toEqual([collection]);
  });
});

describe('journal event counters and late events', () => {
  it('keeps each device counter with the event it belongs to, and alone for events that write nothing', () => {
    journal.append(null, coin(25, 'US025A'), clockMs, 7);
    journal.noteEventCounter('bill', 3, clockMs);
    journal.append(null, coin(10, 'US010A'), clockMs);
    journal.close();
    journal = temp.open();
    expect([...journal.eventCounters()]).toEqual([
      ['bill', { counter: 3, serial: null }],
      ['coin', { counter: 7, serial: null }],
    ]);
  });

  it('takes a counter afresh with the serial of the device it was read from', () => {
    journal.resetEventCounter('coin', 12, 'SN-1', clockMs);
    journal.append(null, coin(25, 'US025A'), clockMs, 13);
    expect(journal.eventCounters().get('coin')).toEqual({ counter: 13, serial: 'SN-1' });
    journal.resetEventCounter('coin', 200, 'SN-2', clockMs);
    expect(journal.eventCounters().get('coin')).toEqual({ counter: 200, serial: 'SN-2' });
  });

  it('a counter whose event failed to journal is not kept (one transaction)', () => {
    expect(() => journal.append(newId(), coin(25, 'US025A'), clockMs, 9)).toThrow(/not open/);
    expect(journal.eventCounters().size).toBe(0);
  });

  it('recovery puts late events into the newest open deposit before committing it', () => {
    const deposit = record();
    journal.openDeposit(deposit);
    journal.append(deposit.depositId, coin(25, 'US025A'), clockMs, 4);
    const report = journal.recover(clockMs, [
      { entry: coin(100, 'US100A'), eventCounter: 5 },
      { entry: { type: 'lostEvents', device: 'coin', count: 2 }, eventCounter: 3 },
    ]);
    expect(report.recovered.map((d) => [d.totalMinor, d.flags.recovered, d.flags.lostEvents])).toEqual([
      [125, true, true],
    ]);
    expect(journal.strayCredits().totalMinor).toBe(0);
    expect(journal.eventCounters().get('coin')?.counter).toBe(3);
  });

  it('recovery makes late lost events an alarm deposit when no deposit is open, and a deposit takes them', () => {
    const alarmId = newId();
    const claimCode = generateCode('claim');
    const first = journal.recover(
      clockMs,
      [{ entry: { type: 'reset', device: 'bill' }, eventCounter: 0 }],
      () => null,
      () => ({ depositId: alarmId, claimCode, language: 'en', currency: 'USD' }),
    );
    expect(first.alarms).toEqual([
      {
        deposit: expect.objectContaining({
          depositId: alarmId,
          totalMinor: 0,
          flags: expect.objectContaining({ lostEvents: true }),
        }),
        entry: { type: 'reset', device: 'bill' },
      },
    ]);
    expect(journal.outbox.takeBatch().map((d) => d.depositId)).toEqual([alarmId]);
    expect(journal.eventCounters().get('bill')?.counter).toBe(0);
    const open = record();
    journal.openDeposit(open);
    const second = journal.recover(
      clockMs,
      [{ entry: { type: 'lostEvents', device: 'coin', count: 4 }, eventCounter: 9 }],
      () => null,
      () => ({ depositId: newId(), claimCode: generateCode('claim'), language: 'en', currency: 'USD' }),
    );
    expect(second.alarms).toEqual([]);
    expect(second.recovered.map((d) => [d.depositId, d.totalMinor, d.flags.lostEvents])).toEqual([
      [open.depositId, 0, true],
    ]);
  });

  it('recovery makes late money a stray deposit when no deposit is open, and an empty deposit takes it', () => {
    const strayId = newId();
    const claimCode = generateCode('claim');
    const first = journal.recover(
      clockMs,
      [
        { entry: coin(25, 'US025A'), eventCounter: 1 },
        { entry: { ...coin(100, 'EU100A'), currency: 'EUR' }, eventCounter: 2 },
      ],
      (entry) => (entry.currency === 'USD' ? { depositId: strayId, claimCode, language: 'en' } : null),
    );
    expect(first.strays).toEqual([
      expect.objectContaining({ depositId: strayId, code: null, claimCode, totalMinor: 25 }),
    ]);
    expect(journal.strayDeposits()).toEqual({ totalMinor: 25, deposits: 1 });
    // The policy kept another currency's coin a bare stray: no deposit of this terminal can hold it.
    expect(journal.strayCredits()).toEqual({ totalMinor: 100, events: 1 });
    expect(journal.eventCounters().get('coin')?.counter).toBe(2);
    const empty = record();
    journal.openDeposit(empty);
    const report = journal.recover(clockMs, [{ entry: coin(10, 'US010A'), eventCounter: 2 }]);
    expect(report.recovered.map((d) => d.totalMinor)).toEqual([10]);
    expect(report.abandoned).toEqual([]);
  });
});

describe('journal bulk counter registers', () => {
  /** The registers a bulk counter stamps on an event: quarters, dimes and the rejects, read at `atMs`. */
  function registers(quarters: number, dimes: number, rejects = 0, atMs = clockMs): CounterRegisters {
    return {
      counts: [
        { register: 0, ccTalkId: 'US025A', count: quarters },
        { register: 1, ccTalkId: 'US010A', count: dimes },
      ],
      rejects,
      atMs,
    };
  }
  const poured = (valueMinor: number, ccTalkId: string, count: number) =>
    coin(valueMinor, ccTalkId, count, 'counter');

  it('keeps the registers with the entry they came with, and alone for events that write nothing', () => {
    const open = record();
    journal.openDeposit(open);
    journal.resetCounterRegisters('counter', registers(0, 0), clockMs);
    journal.append(open.depositId, poured(25, 'US025A', 4), clockMs, undefined, registers(4, 0));
    journal.noteCounterRegisters('counter', registers(4, 0, 2), clockMs);
    // An entry of another device, stamped with nothing, leaves the counter's registers as they are.
    journal.append(open.depositId, coin(100, 'US100A'), clockMs);
    journal.close();
    journal = temp.open();
    expect([...journal.counterRegisters()]).toEqual([['counter', registers(4, 0, 2)]]);
    expect(journal.eventCounters().size).toBe(0);
  });

  it('a register read whose entry failed to journal is not kept (one transaction)', () => {
    journal.resetCounterRegisters('counter', registers(1, 1), clockMs);
    expect(() =>
      journal.append(newId(), poured(25, 'US025A', 3), clockMs, undefined, registers(4, 1)),
    ).toThrow(/not open/);
    expect(journal.counterRegisters().get('counter')).toEqual(registers(1, 1));
  });

  it('a stray deposit of poured coins moves the registers on with it', () => {
    const stray = journal.commitStray(
      poured(10, 'US010A', 7),
      clockMs,
      { depositId: newId(), claimCode: generateCode('claim'), language: 'en' },
      undefined,
      registers(0, 7),
    );
    expect(stray.totalMinor).toBe(70);
    expect(journal.counterRegisters().get('counter')).toEqual(registers(0, 7));
  });

  it('recovery puts coins counted while the agent was down into the open deposit, and keeps the registers', () => {
    const open = record();
    journal.openDeposit(open);
    journal.append(open.depositId, poured(25, 'US025A', 2), clockMs, undefined, registers(2, 0));
    clockMs += 60_000;
    const report = journal.recover(clockMs, [
      { entry: poured(25, 'US025A', 3), eventCounter: undefined, counterRegisters: registers(5, 0) },
      { entry: poured(10, 'US010A', 4), eventCounter: undefined, counterRegisters: registers(5, 4) },
      {
        entry: {
          type: 'reject',
          device: 'counter',
          kind: 'coin',
          reason: 'rejected',
          valueMinor: null,
          count: 1,
        },
        eventCounter: undefined,
        counterRegisters: registers(5, 4, 1),
      },
    ]);
    expect(report.recovered.map((d) => [d.depositId, d.totalMinor, d.rejectedCount])).toEqual([
      [open.depositId, 165, 1],
    ]);
    expect(journal.returnedPieces(open.depositId)).toEqual({ coinCount: 1, billCount: 0, unsortedCount: 0 });
    journal.close();
    journal = temp.open();
    expect(journal.counterRegisters().get('counter')).toEqual(registers(5, 4, 1));
  });

  it('recovery that fails keeps the registers from before it (one transaction with the entries)', () => {
    journal.resetCounterRegisters('counter', registers(2, 0), clockMs);
    const late = [
      { entry: poured(25, 'US025A', 3), eventCounter: undefined, counterRegisters: registers(5, 0) },
    ];
    const noIds = (): never => {
      throw new Error('no ids');
    };
    expect(() => journal.recover(clockMs, late, noIds)).toThrow(/no ids/);
    expect(journal.counterRegisters().get('counter')).toEqual(registers(2, 0));
    expect(journal.strayDeposits().deposits).toBe(0);
  });

  it('reads a stored row that is not registers as registers of no counter, so the driver holds its coins', () => {
    journal.resetCounterRegisters('counter', registers(3, 3), clockMs);
    journal.close();
    const raw = new Database(temp.path);
    raw.prepare(`UPDATE counter_registers SET registers_json = ?`).run('{"counts":[{"register":0}]}');
    raw.close();
    journal = temp.open();
    expect(journal.counterRegisters().get('counter')).toEqual({ counts: [], rejects: 0, atMs: clockMs });
  });
});
