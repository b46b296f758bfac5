import type { DeviceEvent, PrintJob, PrintLine } from '@cashin/shared';
import { depositReference } from '@cashin/shared';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultLimits, loadLimits } from '@cashin/shared';
import type { TempJournal } from '../journal/testing/temp-journal.js';
import { tempJournal } from '../journal/testing/temp-journal.js';
import { verifyReceiptQr } from '@cashin/shared';
import type { CounterRegisters } from '../devices/counter/counter-registers.js';
import { withCounterRegisters } from '../devices/counter/counter-registers.js';
import { receiptMessages } from '../receipt/receipt-messages.js';
import { depositConfig } from './deposit-config.js';
import { RunnerRig } from './testing/runner-rig.js';
import { counterQuarters, otherShopperCode, shopperCode, testConfig } from './testing/deposit-fixtures.js';

let temp: TempJournal;
let rig: RunnerRig;

beforeEach(() => {
  temp = tempJournal(testConfig.terminalId);
  rig = new RunnerRig(temp);
});

afterEach(() => {
  rig.crash();
  temp.cleanup();
});

function committedTotals(): number[] {
  return rig.journal.committedAfter(0, 1_000).map((d) => d.totalMinor);
}

describe('deposit runner with a real journal', () => {
  it('runs a whole online deposit: identify, confirm, coins, finish, commit with outbox row, receipt, attract', async () => {
    expect(rig.snapshot.screen).toBe('attract');
    expect(rig.devices.acceptLimitMinor).toBe(0);
    await rig.openDeposit();
    expect(rig.snapshot).toMatchObject({
      screen: 'insertMoney',
      remainingMinor: 5_000,
      shopper: { maskedName: 'J*** D***' },
    });
    expect(rig.devices.acceptLimitMinor).toBe(5_000);
    expect(rig.journal.openDepositIds()).toHaveLength(1);

    rig.devices.insertCoin(25);
    rig.devices.insertCoin(25);
    rig.devices.insertCoin(100);
    rig.devices.emit({ type: 'reject', device: 'coin', reason: 'rejected', count: 1 });
    expect(rig.snapshot).toMatchObject({
      totalMinor: 150,
      remainingMinor: 4_850,
      rejectedCoinCount: 1,
      rejectedBillCount: 0,
      items: [
        { kind: 'coin', valueMinor: 25, count: 2 },
        { kind: 'coin', valueMinor: 100, count: 1 },
      ],
    });
    expect(rig.devices.acceptLimitMinor).toBe(4_850);

    await rig.finish();
    expect(rig.devices.acceptLimitMinor).toBe(0);
    expect(rig.snapshot).toMatchObject({
      screen: 'done',
      receipt: { sequence: 1, status: 'printed', totalMinor: 150, newBalanceMinor: 1_150, pending: false },
    });
    const batch = rig.journal.outbox.takeBatch();
    expect(batch).toHaveLength(1);
    expect(batch[0]).toMatchObject({ sequence: 1, code: shopperCode, totalMinor: 150, rejectedCount: 1 });
    expect(rig.devices.printed).toHaveLength(1);
    expect(rig.devices.printed[0]!.lines).toContainEqual({
      type: 'barcode',
      symbology: 'code128',
      data: depositReference(testConfig.terminalId, batch[0]!.sequence),
    });

    await rig.clock.advanceAsync(testConfig.receiptScreenMs);
    expect(rig.snapshot.screen).toBe('attract');
    expect(rig.snapshots.map((s) => s.version)).toEqual(rig.snapshots.map((_, i) => i + 1));
  });

  it('journals every coin before any snapshot shows it', async () => {
    const shownVersusJournaled: Array<[number, number]> = [];
    const reader = new Database(temp.path, { readonly: true });
    const journaledMinor = reader.prepare(
      `SELECT COALESCE(SUM(value_minor * count), 0) AS total FROM deposit_events WHERE type = 'credit' AND deposit_id IS NOT NULL`,
    );
    const off = rig.runner.subscribe((snapshot) => {
      const row = journaledMinor.get() as { total: number };
      shownVersusJournaled.push([snapshot.totalMinor, row.total]);
    });
    await rig.openDeposit();
    for (const value of [1, 5, 10, 25, 50, 100, 25]) rig.devices.insertCoin(value);
    off();
    reader.close();
    const shownTotals = shownVersusJournaled.map(([shown]) => shown);
    expect(shownTotals).toContain(216);
    // At each snapshot the journal on disk already held at least what the snapshot shows.
    for (const [shown, journaled] of shownVersusJournaled) expect(journaled).toBeGreaterThanOrEqual(shown);
  });

  it('stacks a bill that fits and returns one that does not', async () => {
    await rig.openDeposit();
    expect(rig.devices.insertBill(2_000)).toBe(true);
    expect(rig.snapshot).toMatchObject({ totalMinor: 2_000, remainingMinor: 3_000 });
    rig.devices.setAcceptLimit(10_000); // a driver that ignored the narrowed limit: the host still decides
    rig.devices.insertBill(5_000);
    expect(rig.devices.commands).toContain('routeBill bill return');
    expect(rig.snapshot).toMatchObject({ totalMinor: 2_000, notice: 'billOverLimit', rejectedBillCount: 0 });
  });

  it('an idle time-out with money commits it; with none, returns to attract and keeps nothing open', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(50);
    await rig.clock.advanceAsync(testConfig.idleTimeoutMs + testConfig.drainMs);
    expect(committedTotals()).toEqual([50]);
    await rig.clock.advanceAsync(testConfig.receiptScreenMs);

    await rig.openDeposit();
    await rig.clock.advanceAsync(testConfig.idleTimeoutMs);
    expect(rig.snapshot.screen).toBe('attract');
    expect(rig.journal.openDepositIds()).toEqual([]);
    expect(committedTotals()).toEqual([50]);
  });

  it('a coin after finish is counted while draining; one after commit becomes a stray deposit for suspense', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(25);
    rig.runner.intent({ type: 'finish' });
    rig.devices.coinInFlight(10);
    expect(rig.snapshot).toMatchObject({ screen: 'finishing', totalMinor: 35 });
    await rig.clock.advanceAsync(testConfig.drainMs);
    const shoppers = rig.journal.committedAfter(0, 10);
    rig.devices.coinInFlight(5);
    expect(committedTotals()).toEqual([35, 5]);
    const stray = rig.journal.committedAfter(0, 10)[1]!;
    // No shopper, a claim code nobody holds: the server keeps it in suspense. The shopper's deposit is
    // untouched, and "reprint last receipt" still means the shopper's.
    expect(stray).toMatchObject({ code: null, sequence: 2, items: [{ valueMinor: 5, count: 1 }] });
    expect(stray.claimCode).toMatch(/^\d{16,20}$/);
    expect(rig.journal.committedAfter(0, 1)).toEqual(shoppers);
    expect(rig.journal.lastCommittedDepositId()).toBe(shoppers[0]!.depositId);
    expect(rig.journal.strayDeposits()).toEqual({ totalMinor: 5, deposits: 1 });
    expect(rig.journal.strayCredits()).toEqual({ totalMinor: 0, events: 0 });
    expect(rig.journal.outbox.status().depth).toBe(2);
    expect(rig.journal.bag.totalFor('coin').totalsByCurrency[0]?.totalMinor).toBe(40);
  });

  it("journals a bulk counter's registers with its coins, and alone with a reject that writes nothing", async () => {
    const registers = (quarters: number, rejects: number): CounterRegisters => ({
      counts: [{ register: 0, ccTalkId: 'US025A', count: quarters }],
      rejects,
      atMs: rig.clock.nowMs(),
    });
    const counted = (event: DeviceEvent, after: CounterRegisters) =>
      rig.devices.emit(withCounterRegisters(event, after));
    // No deposit open: a reject writes no entry, yet the next start must not report it again.
    counted({ type: 'reject', device: 'counter', reason: 'rejected', count: 2 }, registers(0, 2));
    expect(rig.journal.counterRegisters().get('counter')).toEqual(registers(0, 2));
    await rig.openDeposit();
    counted(counterQuarters(3), registers(3, 2));
    expect(rig.snapshot.totalMinor).toBe(75);
    rig.restart();
    expect(rig.journal.counterRegisters().get('counter')).toEqual(registers(3, 2));
    expect(committedTotals()).toEqual([75]);
  });

  it('a jam mid-deposit commits what was counted, flagged, and takes the kiosk out of service until cleared', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(100);
    rig.devices.emit({ type: 'fault', device: 'coin', fault: 'jam' });
    await rig.clock.advanceAsync(testConfig.drainMs);
    const [committed] = rig.journal.committedAfter(0, 10);
    expect(committed).toMatchObject({ totalMinor: 100, flags: { deviceFault: true } });
    await rig.clock.advanceAsync(testConfig.receiptScreenMs);
    expect(rig.snapshot).toMatchObject({
      screen: 'outOfService',
      outOfService: { device: 'coin', fault: 'jam', errorCode: 'DEVICE_FAULT' },
    });
    rig.runner.intent({ type: 'start' });
    expect(rig.snapshot.screen).toBe('outOfService');
    rig.devices.emit({ type: 'faultCleared', device: 'coin', fault: 'jam' });
    expect(rig.snapshot.screen).toBe('attract');
  });

  it('a scan during a deposit never changes the shopper', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(25);
    rig.devices.emit({ type: 'scan', device: 'scanner', text: otherShopperCode, symbology: ']C0' });
    await rig.settle();
    expect(rig.lookup.calls).toEqual([shopperCode]);
    expect(rig.snapshot).toMatchObject({ notice: 'scanIgnored', totalMinor: 25 });
    await rig.finish();
    expect(rig.journal.committedAfter(0, 10)[0]?.code).toBe(shopperCode);
  });

  it('lost events during a deposit flag it for review', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(25);
    rig.devices.emit({ type: 'lostEvents', device: 'coin', count: 6 });
    await rig.finish();
    expect(rig.journal.committedAfter(0, 10)[0]?.flags.lostEvents).toBe(true);
    const [depositOf] = rig.journal.committedAfter(0, 10);
    expect(rig.lostEvents).toEqual([
      {
        entry: { type: 'lostEvents', device: 'coin', count: 6 },
        depositId: depositOf!.depositId,
        alarm: null,
      },
    ]);
  });

  it('a deposit that lost events with nothing counted is committed at zero and printed, on idle time-out or cancel', async () => {
    await rig.openDeposit();
    rig.devices.emit({ type: 'reset', device: 'coin' });
    await rig.clock.advanceAsync(testConfig.idleTimeoutMs + testConfig.drainMs);
    expect(rig.snapshot).toMatchObject({ screen: 'done', receipt: { totalMinor: 0 } });
    await rig.clock.advanceAsync(testConfig.receiptScreenMs);

    await rig.openDeposit();
    rig.devices.emit({ type: 'lostEvents', device: 'bill', count: 6 });
    rig.runner.intent({ type: 'cancel' });
    await rig.clock.advanceAsync(testConfig.drainMs);
    expect(rig.snapshot).toMatchObject({ screen: 'done', receipt: { totalMinor: 0 } });

    const committed = rig.journal.committedAfter(0, 10);
    expect(committed.map((d) => [d.code, d.totalMinor, d.flags.lostEvents])).toEqual([
      [shopperCode, 0, true],
      [shopperCode, 0, true],
    ]);
    expect(rig.journal.outbox.takeBatch()).toHaveLength(2);
    expect(rig.journal.openDepositIds()).toEqual([]);
    expect(rig.devices.printed).toHaveLength(2);
  });

  it('lost events with no deposit open become an alarm deposit queued for ops, and the runner says so', async () => {
    rig.devices.emit({ type: 'lostEvents', device: 'coin', count: 8 });
    expect(rig.snapshot.screen).toBe('attract');
    const [alarm] = rig.journal.committedAfter(0, 10);
    expect(alarm).toMatchObject({ code: null, totalMinor: 0, items: [], flags: { lostEvents: true } });
    expect(rig.journal.outbox.takeBatch().map((d) => d.depositId)).toEqual([alarm!.depositId]);
    expect(rig.lostEvents).toEqual([
      { entry: { type: 'lostEvents', device: 'coin', count: 8 }, depositId: alarm!.depositId, alarm },
    ]);
    // Nobody's receipt: it is not the last receipt and cannot be reprinted by id.
    expect(await rig.runner.reprint()).toEqual({ ok: false, unknown: true });
    expect(await rig.runner.reprint(alarm!.depositId)).toEqual({ ok: false, unknown: true });
    expect(rig.devices.printed).toEqual([]);
  });

  it('a validator that resets with a bill in escrow: the room is freed, the next bill stacked, finish does not wait', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(100);
    // The validator reports a bill in escrow and is told to stack it; before it reports it stacked, it
    // resets (power blip) and forgets it, so no report of that bill will ever come.
    rig.devices.emit({
      type: 'escrow',
      device: 'bill',
      ccTalkId: 'US0020A',
      currency: 'USD',
      valueMinor: 2_000,
    });
    expect(rig.devices.commands.at(-2)).toBe('routeBill bill stack');
    expect(rig.snapshot.remainingMinor).toBe(2_900);
    rig.devices.emit({ type: 'reset', device: 'bill' });
    expect(rig.snapshot.remainingMinor).toBe(4_900);
    expect(rig.devices.acceptLimitMinor).toBe(4_900);
    expect(rig.devices.insertBill(1_000)).toBe(true);
    expect(rig.devices.commands).not.toContain('routeBill bill return');
    expect(rig.snapshot.totalMinor).toBe(1_100);
    rig.runner.intent({ type: 'finish' });
    await rig.clock.advanceAsync(testConfig.drainMs);
    expect(rig.snapshot).toMatchObject({ screen: 'done', receipt: { totalMinor: 1_100 } });
    expect(rig.journal.committedAfter(0, 10)[0]?.flags.lostEvents).toBe(true);
  });

  it('a validator that disconnects with a bill in escrow and stays away: the deposit commits at the wait bound, flagged, even at zero', async () => {
    await rig.openDeposit();
    rig.devices.emit({
      type: 'escrow',
      device: 'bill',
      ccTalkId: 'US0020A',
      currency: 'USD',
      valueMinor: 2_000,
    });
    rig.devices.emit({ type: 'disconnected', device: 'bill' });
    await rig.clock.advanceAsync(testConfig.drainMs);
    expect(rig.snapshot.screen).toBe('finishing');
    await rig.clock.advanceAsync(testConfig.deviceSettleMsMax - testConfig.drainMs);
    expect(rig.snapshot).toMatchObject({ screen: 'done', receipt: { totalMinor: 0 } });
    expect(rig.journal.committedAfter(0, 10)[0]).toMatchObject({
      totalMinor: 0,
      flags: { lostEvents: true, deviceFault: true },
    });
  });

  it('a server that never answers: the lookup times out and the deposit goes on offline, signed', async () => {
    rig.lookup.mode = 'hang';
    rig.runner.intent({ type: 'start' });
    rig.runner.intent({ type: 'keyedCode', text: shopperCode });
    expect(rig.snapshot.screen).toBe('lookingUp');
    await rig.clock.advanceAsync(testConfig.lookupTimeoutMs);
    expect(rig.snapshot).toMatchObject({
      screen: 'confirm',
      online: false,
      shopper: { offline: true, maskedName: null },
      remainingMinor: defaultLimits.money.USD!.kioskOfflineDepositMaxMinor,
    });
    rig.runner.intent({ type: 'confirm' });
    rig.devices.insertCoin(100);
    await rig.finish();
    expect(rig.snapshot).toMatchObject({ receipt: { pending: true, newBalanceMinor: null } });
    const qr = rig.devices.printed[0]!.lines.find((line) => line.type === 'qr');
    expect(qr?.type === 'qr' && verifyReceiptQr(qr.data, temp.verify).ok).toBe(true);
    expect(rig.journal.committedAfter(0, 10)[0]?.flags.offline).toBe(true);
  });

  it('offline, the kiosk stops taking money at the unsynced cap and says why, until the outbox drains', async () => {
    rig.crash();
    const limits = loadLimits({
      money: { USD: { kioskOfflineDepositMaxMinor: 100, kioskOfflineUnsyncedMaxMinor: 150 } },
    });
    rig = new RunnerRig(temp, depositConfig({ ...testConfig, limits }));
    rig.lookup.mode = 'unreachable';
    await rig.openDeposit();
    expect(rig.snapshot.remainingMinor).toBe(100);
    rig.devices.insertCoin(100);
    await rig.finish();
    await rig.clock.advanceAsync(testConfig.receiptScreenMs);
    await rig.openDeposit();
    expect(rig.snapshot.remainingMinor).toBe(50);
    rig.devices.insertCoin(50);
    await rig.finish();
    await rig.clock.advanceAsync(testConfig.receiptScreenMs);
    expect(rig.snapshot).toMatchObject({
      screen: 'offlineCapped',
      offlineCap: { reason: 'unsyncedTotal', errorCode: 'OFFLINE_CAP_REACHED' },
    });
    rig.runner.intent({ type: 'start' });
    expect(rig.snapshot.screen).toBe('offlineCapped');
    // The sync engine's job, done by hand: acknowledge the queue and tell the runner.
    rig.journal.outbox.markSynced(
      rig.journal.outbox.takeBatch().map((d) => d.depositId),
      rig.clock.nowMs(),
    );
    rig.runner.refreshOutboxStatus();
    expect(rig.snapshot.screen).toBe('attract');
  });
});

describe('deposit runner, quarantined money and the offline caps', () => {
  async function offlineDeposit(valueMinor: number): Promise<void> {
    await rig.openDeposit();
    rig.devices.insertCoin(valueMinor);
    await rig.finish();
    await rig.clock.advanceAsync(testConfig.receiptScreenMs);
  }

  it('money the server never credited (quarantined after a conflict) still counts against the unsynced cap', async () => {
    rig.crash();
    const limits = loadLimits({
      money: { USD: { kioskOfflineDepositMaxMinor: 100, kioskOfflineUnsyncedMaxMinor: 150 } },
    });
    rig = new RunnerRig(temp, depositConfig({ ...testConfig, limits }));
    rig.lookup.mode = 'unreachable';
    await offlineDeposit(100);
    // The server answered this deposit with a conflict: set aside, not sent again on its own, not credited.
    const [conflicted] = rig.journal.outbox.takeBatch();
    rig.journal.outbox.quarantine(conflicted!.depositId, { stored: {} }, rig.clock.nowMs());
    rig.runner.refreshOutboxStatus();
    await rig.openDeposit();
    expect(rig.snapshot.remainingMinor).toBe(50);
    rig.devices.insertCoin(50);
    await rig.finish();
    await rig.clock.advanceAsync(testConfig.receiptScreenMs);
    expect(rig.snapshot).toMatchObject({ screen: 'offlineCapped', offlineCap: { reason: 'unsyncedTotal' } });
    // The credited one is acknowledged; the quarantined $1.00 alone keeps the kiosk under the cap.
    rig.journal.outbox.markSynced(
      rig.journal.outbox.takeBatch().map((d) => d.depositId),
      rig.clock.nowMs(),
    );
    rig.runner.refreshOutboxStatus();
    expect(rig.snapshot.screen).toBe('attract');
    await rig.openDeposit();
    expect(rig.snapshot.remainingMinor).toBe(50);
  });

  it('a quarantined deposit older than the offline age cap keeps an offline kiosk from taking money', async () => {
    rig.lookup.mode = 'unreachable';
    await offlineDeposit(25);
    const [conflicted] = rig.journal.outbox.takeBatch();
    rig.journal.outbox.quarantine(conflicted!.depositId, { stored: {} }, rig.clock.nowMs());
    await rig.clock.advanceAsync(testConfig.offlineOldestUnsyncedMs);
    rig.runner.refreshOutboxStatus();
    expect(rig.snapshot).toMatchObject({ screen: 'offlineCapped', offlineCap: { reason: 'unsyncedAge' } });
  });
});

describe('deposit runner across crashes', () => {
  it('power loss mid-deposit: on restart the open deposit is committed once, as recovered, with the right total', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(25);
    rig.devices.insertCoin(100);
    rig.devices.insertBill(500);
    rig.restart();
    expect(rig.lastRecovery.recovered).toHaveLength(1);
    expect(rig.lastRecovery.recovered[0]).toMatchObject({
      sequence: 1,
      totalMinor: 625,
      flags: { recovered: true },
    });
    expect(rig.snapshot.screen).toBe('attract');
    const recoveredId = rig.lastRecovery.recovered[0]!.depositId;
    rig.restart();
    expect(rig.lastRecovery).toEqual({ recovered: [], abandoned: [], strays: [], alarms: [] });
    expect(committedTotals()).toEqual([625]);

    const outcome = await rig.runner.reprint(recoveredId);
    expect(outcome).toEqual({ ok: true, sequence: 1 });
    const reprinted = rig.devices.printed.at(-1)!;
    expect(reprinted.lines).toContainEqual(
      expect.objectContaining({ text: 'Completed after a power loss.' }),
    );
  });

  const crashPoints: Array<{
    name: string;
    reach: (r: RunnerRig) => Promise<void>;
    recovered: number[];
    abandoned: number;
    committed: number[];
  }> = [
    { name: 'on the attract screen', reach: async () => {}, recovered: [], abandoned: 0, committed: [] },
    {
      name: 'while identifying',
      reach: async (r) => {
        r.runner.intent({ type: 'start' });
        r.runner.intent({ type: 'keyedCode', text: shopperCode });
      },
      recovered: [],
      abandoned: 0,
      committed: [],
    },
    {
      name: 'on the confirm screen (no deposit opened yet)',
      reach: async (r) => {
        r.runner.intent({ type: 'start' });
        r.runner.intent({ type: 'keyedCode', text: shopperCode });
        await r.settle();
      },
      recovered: [],
      abandoned: 0,
      committed: [],
    },
    {
      name: 'accepting, before any money',
      reach: (r) => r.openDeposit(),
      recovered: [],
      abandoned: 1,
      committed: [],
    },
    {
      name: 'accepting, coins and a bill counted',
      reach: async (r) => {
        await r.openDeposit();
        r.devices.insertCoin(25);
        r.devices.insertBill(1_000);
      },
      recovered: [1_025],
      abandoned: 0,
      committed: [1_025],
    },
    {
      name: 'draining, with a coin that fell after finish',
      reach: async (r) => {
        await r.openDeposit();
        r.devices.insertCoin(50);
        r.runner.intent({ type: 'finish' });
        r.devices.coinInFlight(5);
      },
      recovered: [55],
      abandoned: 0,
      committed: [55],
    },
    {
      name: 'on the done screen (already committed)',
      reach: async (r) => {
        await r.openDeposit();
        r.devices.insertCoin(100);
        await r.finish();
      },
      recovered: [],
      abandoned: 0,
      committed: [100],
    },
  ];

  it.each(crashPoints)(
    'power loss $name: recovery commits exactly what was open with money',
    async (point) => {
      await point.reach(rig);
      rig.restart();
      expect(rig.lastRecovery.recovered.map((d) => d.totalMinor)).toEqual(point.recovered);
      expect(rig.lastRecovery.recovered.every((d) => d.flags.recovered)).toBe(true);
      expect(rig.lastRecovery.abandoned).toHaveLength(point.abandoned);
      expect(committedTotals()).toEqual(point.committed);
      expect(rig.snapshot.screen).toBe('attract');
      rig.restart();
      expect(committedTotals()).toEqual(point.committed);
    },
  );

  it('a crash in a deposit that lost events and counted nothing: recovery commits it, never abandons it', async () => {
    await rig.openDeposit();
    rig.devices.emit({ type: 'lostEvents', device: 'coin', count: 6 });
    rig.restart();
    expect(rig.lastRecovery.abandoned).toEqual([]);
    expect(rig.lastRecovery.recovered).toEqual([
      expect.objectContaining({
        totalMinor: 0,
        flags: expect.objectContaining({ recovered: true, lostEvents: true }),
      }),
    ]);
    expect(rig.journal.outbox.status()).toMatchObject({ depth: 1, unsyncedTotalMinor: 0 });
  });

  it('a crash before any money closes the empty deposit as abandoned', async () => {
    await rig.openDeposit();
    rig.restart();
    expect(rig.lastRecovery.recovered).toEqual([]);
    expect(rig.lastRecovery.abandoned).toHaveLength(1);
    expect(rig.journal.outbox.status().depth).toBe(0);
  });

  it('sequence numbers run 1..n with no gaps across restarts, including recovered deposits', async () => {
    for (const crashMidway of [false, true, false, true, false]) {
      await rig.openDeposit();
      rig.devices.insertCoin(25);
      if (crashMidway) {
        rig.restart();
        continue;
      }
      await rig.finish();
      await rig.clock.advanceAsync(testConfig.receiptScreenMs);
      rig.restart();
    }
    expect(rig.journal.committedAfter(0, 100).map((d) => d.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(rig.journal.outbox.status()).toMatchObject({ depth: 5, lastSequence: 5, unsyncedTotalMinor: 125 });
  });

  it('a stopped runner writes nothing more and ignores late events and timers', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(25);
    rig.runner.stop();
    expect(rig.devices.listenerCount).toBe(0);
    await rig.clock.advanceAsync(testConfig.idleTimeoutMs * 2);
    expect(rig.journal.openDepositIds()).toHaveLength(1);
    expect(rig.journal.outbox.status().depth).toBe(0);
  });
});

describe('deposit runner failures', () => {
  it('a journal write that fails stops the runner dead, acceptors shut, nothing shown', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(25);
    const shown = rig.snapshots.length;
    rig.journal.close(); // the disk is gone
    expect(() => rig.devices.insertCoin(25)).toThrow();
    expect(rig.devices.acceptLimitMinor).toBe(0);
    expect(rig.devices.listenerCount).toBe(0);
    expect(rig.snapshots).toHaveLength(shown);
    expect(rig.snapshot.totalMinor).toBe(25);
    rig.journal = temp.open(); // so the test's cleanup can close it
  });
});

describe('reprint', () => {
  /** A receipt's "label | count" lines that say what came back uncounted. */
  function returnedLines(job: PrintJob): string[] {
    const m = receiptMessages.en;
    const labels = [
      m.returnedCoinsOne,
      m.returnedCoinsMany,
      m.returnedBillsOne,
      m.returnedBillsMany,
      m.returnedUnsortedOne,
      m.returnedUnsortedMany,
    ];
    return job.lines.flatMap((line) =>
      line.type === 'columns' && labels.includes(line.left) ? [`${line.left} | ${line.right}`] : [],
    );
  }

  it('prints coins and bills handed back apart, and every copy of the receipt the same', async () => {
    const m = receiptMessages.en;
    await rig.openDeposit();
    rig.devices.insertCoin(50);
    rig.devices.emit({ type: 'reject', device: 'coin', reason: 'rejected', count: 1 });
    rig.devices.emit({ type: 'reject', device: 'bill', reason: 'rejected', count: 1 });
    rig.devices.emit({ type: 'reject', device: 'coin', reason: 'rejected', count: 1 });
    expect(rig.snapshot).toMatchObject({ rejectedCoinCount: 2, rejectedBillCount: 1 });
    await rig.finish();
    const expected = [`${m.returnedCoinsMany} | 2`, `${m.returnedBillsOne} | 1`];
    // Print again on the done screen, then a reprint from maintenance after a restart: both copies.
    rig.runner.intent({ type: 'reprint' });
    await rig.settle();
    rig.restart();
    expect(await rig.runner.reprint()).toEqual({ ok: true, sequence: 1 });
    expect(rig.devices.printed).toHaveLength(3);
    for (const job of rig.devices.printed) expect(returnedLines(job)).toEqual(expected);
  });

  it('a deposit recovered after a crash prints its returns apart, those the devices held included', async () => {
    const m = receiptMessages.en;
    await rig.openDeposit();
    rig.devices.insertCoin(25);
    rig.devices.emit({ type: 'reject', device: 'bill', reason: 'rejected', count: 1 });
    // The crash comes before the next poll: the coin acceptor reports the coin it handed back at start.
    rig.devices.heldAtStart = [{ type: 'reject', device: 'coin', reason: 'rejected', count: 1 }];
    rig.restart();
    const recovered = rig.lastRecovery.recovered[0]!;
    expect(recovered.rejectedCount).toBe(2);
    expect(await rig.runner.reprint(recovered.depositId)).toEqual({ ok: true, sequence: recovered.sequence });
    expect(returnedLines(rig.devices.printed.at(-1)!)).toEqual([
      `${m.returnedCoinsOne} | 1`,
      `${m.returnedBillsOne} | 1`,
    ]);
  });

  it('reprints a recovered deposit by id after newer deposits, and never a stray', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(25);
    rig.restart();
    const recovered = rig.lastRecovery.recovered[0]!;
    await rig.openDeposit();
    rig.devices.insertCoin(50);
    await rig.finish();
    rig.devices.coinInFlight(5); // after the commit: a stray deposit
    const stray = rig.journal.committedAfter(0, 10).at(-1)!;
    expect(stray.code).toBeNull();
    expect(rig.journal.lastCommittedDepositId()).not.toBe(recovered.depositId);
    const printedBefore = rig.devices.printed.length;
    expect(await rig.runner.reprint(recovered.depositId)).toEqual({ ok: true, sequence: recovered.sequence });
    const reprinted = rig.devices.printed.at(-1)!;
    expect(reprinted.lines).toContainEqual(
      expect.objectContaining({ text: 'Completed after a power loss.' }),
    );
    expect(reprinted.lines).toContainEqual({
      type: 'barcode',
      symbology: 'code128',
      data: depositReference(testConfig.terminalId, recovered.sequence),
    });
    expect(await rig.runner.reprint(stray.depositId)).toEqual({ ok: false, unknown: true });
    expect(rig.devices.printed).toHaveLength(printedBefore + 1);
  });

  it('reprints the last receipt marked as a copy (the first print is not), or says it knows no such deposit', async () => {
    expect(await rig.runner.reprint()).toEqual({ ok: false, unknown: true });
    await rig.openDeposit();
    rig.devices.insertCoin(50);
    await rig.finish();
    rig.runner.intent({ type: 'reprint' });
    await rig.settle();
    expect(rig.devices.printed).toHaveLength(2);
    expect(await rig.runner.reprint()).toEqual({ ok: true, sequence: 1 });
    const m = receiptMessages.en;
    const copyMark = (job: PrintJob): PrintLine[] =>
      job.lines.filter(
        (line) => line.type === 'text' && (line.text === m.copy || line.text.startsWith(m.reprinted)),
      );
    const [first, printAgain, maintenance] = rig.devices.printed as [PrintJob, PrintJob, PrintJob];
    expect(copyMark(first)).toEqual([]);
    // "Print again" on the done screen and a tech's reprint: both say COPY, right under the title.
    for (const copy of [printAgain, maintenance]) {
      expect(copyMark(copy)).toHaveLength(2);
      expect(copy.lines[1]).toMatchObject({ type: 'text', text: m.copy });
      // Otherwise the same receipt.
      expect(copy.lines.filter((line) => !copyMark(copy).includes(line))).toEqual(first.lines);
    }
  });
});
