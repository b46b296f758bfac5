import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Code, KioskDeposit } from '@cashin/shared';
import { FakeClock, receiptQrData, seededRandom } from '@cashin/shared';
import { noFaults } from '@cashin/scripts/testing/faulty-fetch';
import { ChaosKiosk, settle } from './chaos-rig.js';
import { serverBackend } from './server-backend.js';

/**
 * Issue 6's offline week: a kiosk that cannot reach the server for a simulated week keeps taking deposits
 * (its offline caps widened to allow a week), then syncs every one of them exactly once when the link
 * comes back; and the offline receipt of one of them, redeemed by a shopper on their phone before the
 * sync, is not credited twice. The deposits come in seven daily rushes; each night the store switches the
 * kiosk off and on again in the morning (a simulated night of idle device polling would cost minutes of
 * real time and prove nothing more). Against the real server in process, on one FakeClock.
 */
export interface OfflineWeekReport {
  seed: number;
  deposits: number;
  committed: number;
  simulatedDays: number;
  committedMinor: number;
  coinsKeptMinor: number;
  creditedDeposits: number;
  creditedMinor: number;
  bagDebitedMinor: number;
  /** The HTTP status of the early receipt redemption (201 when the server took it). */
  receiptRedeemedStatus: number;
  problems: string[];
}

const weekMs = 7 * 24 * 60 * 60_000;
const dayMs = 24 * 60 * 60_000;
const days = 7;
const stepMs = 50;
/** The longest the healed kiosk may take to drain a week's outbox, in simulated time. */
const syncBudgetMs = 10 * 60_000;

export async function runOfflineWeek(options: {
  seed: number;
  deposits: number;
}): Promise<OfflineWeekReport> {
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 8));
  const random = seededRandom(options.seed);
  const backend = await serverBackend(clock);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'offline-week-'));
  const kiosk = await ChaosKiosk.create({
    clock,
    random,
    backend,
    dataDir,
    limits: {
      money: { USD: { kioskOfflineUnsyncedMaxMinor: 10_000_000, kioskOfflineOldestUnsyncedMs: 8 * dayMs } },
    },
  });
  try {
    const codes: Code[] = [];
    for (let index = 0; index < 5; index += 1) codes.push(await backend.newShopperCode());
    const agent = () => {
      if (!kiosk.agent) throw new Error('the offline-week kiosk is not running');
      return kiosk.agent;
    };
    const screen = () => agent().runner.current().screen;
    const advance = async (ms: number): Promise<void> => {
      for (let passedMs = 0; passedMs < ms; passedMs += stepMs) {
        await clock.advanceAsync(stepMs);
        await settle();
      }
    };
    const until = async (done: () => boolean, budgetMs = 30_000): Promise<void> => {
      for (let passedMs = 0; !done(); passedMs += stepMs) {
        if (passedMs > budgetMs) throw new Error(`the offline-week kiosk is stuck on ${screen()}`);
        await clock.advanceAsync(stepMs);
        await settle();
      }
    };

    kiosk.link.faults = { ...noFaults, down: true };
    const startedMs = clock.nowMs();
    let redeemable: KioskDeposit | undefined;
    for (let deposit = 0; deposit < options.deposits; deposit += 1) {
      const day = Math.floor((deposit * days) / options.deposits);
      if (clock.nowMs() - startedMs < day * dayMs) {
        // Closing time: off for the night, on again in the morning, still without a network.
        await kiosk.crash();
        await clock.advanceAsync(startedMs + day * dayMs - clock.nowMs());
        await kiosk.restart();
      }
      agent().runner.intent({ type: 'start' });
      await until(() => screen() === 'identify');
      if (deposit % 3 === 2) agent().runner.intent({ type: 'noAccount' });
      else agent().runner.intent({ type: 'keyedCode', text: random.pick(codes) });
      await until(() => screen() === 'confirm');
      agent().runner.intent({ type: 'confirm' });
      await until(() => screen() === 'insertMoney');
      await advance(400); // the acceptors open
      const coins = random.int(1, 3);
      for (let coin = 0; coin < coins; coin += 1) kiosk.coin.insert(random.pick([5, 10, 25, 100]));
      await advance(300); // the coins are polled
      agent().runner.intent({ type: 'finish' });
      await until(() => screen() === 'done');
      const receipt = agent().runner.current().receipt;
      if (redeemable === undefined && receipt && deposit % 3 !== 2)
        redeemable = agent().journal.storedDeposit(receipt.depositId)?.deposit;
      agent().runner.intent({ type: 'dismiss' });
      await until(() => screen() === 'attract');
    }
    await kiosk.crash();
    await clock.advanceAsync(Math.max(0, startedMs + weekMs - clock.nowMs()));
    await kiosk.restart();

    const problems: string[] = [];
    const journal = agent().journal;
    const terminalId = agent().identity.terminalId;
    if (journal.outbox.status().depth !== options.deposits)
      problems.push(`${journal.outbox.status().depth} deposits queued offline, not ${options.deposits}`);

    // A shopper redeems one offline receipt on their phone while the kiosk is still cut off.
    let receiptRedeemedStatus = 0;
    if (redeemable === undefined || !redeemable.flags.offline) problems.push('no offline receipt to redeem');
    else receiptRedeemedStatus = await backend.redeemReceipt(receiptQrData(terminalId, redeemable));
    if (receiptRedeemedStatus !== 201)
      problems.push(`the receipt redemption answered ${receiptRedeemedStatus}`);

    kiosk.link.faults = noFaults;
    void agent().sync.syncNow();
    await until(() => journal.outbox.status().depth === 0, syncBudgetMs).catch(() => undefined);

    const committed = journal.committedAfter(0, Number.MAX_SAFE_INTEGER);
    const committedMinor = committed.reduce((sum, deposit) => sum + deposit.totalMinor, 0);
    const credited = await backend.creditedByDeposit(terminalId);
    let creditedMinor = 0;
    for (const amount of credited.values()) creditedMinor += amount;
    const bagDebitedMinor = await backend.bagDebitedMinor(terminalId);
    const coinsKeptMinor = kiosk.coin.totals.valueMinor;
    const status = journal.outbox.status();
    if (status.depth !== 0) problems.push(`${status.depth} deposits still unsynced after reconnecting`);
    if (status.quarantined !== 0) problems.push(`${status.quarantined} deposits quarantined`);
    if (committed.length !== options.deposits)
      problems.push(`${committed.length} deposits committed, not ${options.deposits}`);
    if (coinsKeptMinor !== committedMinor)
      problems.push(`the acceptor kept ${coinsKeptMinor} but the kiosk committed ${committedMinor}`);
    for (const deposit of committed) {
      const amount = credited.get(deposit.depositId);
      if (amount !== deposit.totalMinor)
        problems.push(
          `deposit ${deposit.depositId}: credited ${amount ?? 'nothing'}, committed ${deposit.totalMinor}`,
        );
    }
    if (credited.size !== committed.length)
      problems.push(`the server credited ${credited.size} deposits for ${committed.length} committed`);
    if (bagDebitedMinor !== committedMinor)
      problems.push(
        `the ledger moved ${bagDebitedMinor} out of the kiosk's bag for ${committedMinor} committed`,
      );
    return {
      seed: options.seed,
      deposits: options.deposits,
      committed: committed.length,
      simulatedDays: Math.round(((clock.nowMs() - startedMs) / dayMs) * 10) / 10,
      committedMinor,
      coinsKeptMinor,
      creditedDeposits: credited.size,
      creditedMinor,
      bagDebitedMinor,
      receiptRedeemedStatus,
      problems,
    };
  } finally {
    await kiosk.close();
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
