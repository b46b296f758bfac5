import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeClock, seededRandom } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChaosBackend } from './chaos-backend.js';
import { ChaosKiosk, settle } from './chaos-rig.js';
import { serverBackend } from './server-backend.js';

// The gap the chaos run found: the acceptor took a coin, the agent died before its next poll, and the
// restarted driver took the device's counter as its baseline, so the coin was in the bag and nowhere in
// the journal. The journal now keeps each acceptor's last event counter and the driver starts from it.
// The server side is the real server in process (these tests are about the kiosk's journal, but its sync
// and lookups still meet the real thing).
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openKiosk(): Promise<{ kiosk: ChaosKiosk; clock: FakeClock }> {
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 12));
  const backend: ChaosBackend = await serverBackend(clock);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'crash-before-poll-'));
  const kiosk = await ChaosKiosk.create({ clock, random: seededRandom(1), backend, dataDir });
  cleanups.push(async () => {
    await kiosk.close();
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { kiosk, clock };
}

async function until(clock: FakeClock, done: () => boolean, budgetMs = 5_000): Promise<void> {
  for (let passedMs = 0; !done(); passedMs += 25) {
    if (passedMs > budgetMs) throw new Error('the kiosk did not get there');
    await clock.advanceAsync(25);
    await settle();
  }
}

async function advance(clock: FakeClock, ms: number): Promise<void> {
  for (let passedMs = 0; passedMs < ms; passedMs += 25) {
    await clock.advanceAsync(25);
    await settle();
  }
}

/** Takes the kiosk to "insert money" for a voucher deposit, with the acceptors open. */
async function openDeposit(kiosk: ChaosKiosk, clock: FakeClock): Promise<void> {
  const runner = () => kiosk.agent!.runner;
  runner().intent({ type: 'start' });
  await until(clock, () => runner().current().screen === 'identify');
  runner().intent({ type: 'noAccount' });
  await until(clock, () => runner().current().screen === 'confirm');
  runner().intent({ type: 'confirm' });
  await until(clock, () => runner().current().screen === 'insertMoney');
  await advance(clock, 400); // the acceptors open over the next exchanges
}

const committed = (kiosk: ChaosKiosk) =>
  kiosk.agent!.journal.committedAfter(0, 100).map((d) => ({
    totalMinor: d.totalMinor,
    recovered: d.flags.recovered,
    lostEvents: d.flags.lostEvents,
  }));

describe('a crash between a coin and its poll', () => {
  it('loses nothing: the restarted agent reports the coin into the deposit open at the crash', async () => {
    const { kiosk, clock } = await openKiosk();
    await openDeposit(kiosk, clock);
    kiosk.coin.insert(25);
    await until(clock, () => kiosk.agent!.runner.current().totalMinor === 25);
    kiosk.coin.insert(100); // accepted by the device, not yet polled
    await settle();
    expect(kiosk.agent!.runner.current().totalMinor).toBe(25);

    await kiosk.crash();
    await kiosk.restart();

    expect(kiosk.coin.totals.valueMinor).toBe(125);
    expect(committed(kiosk)).toEqual([{ totalMinor: 125, recovered: true, lostEvents: false }]);
    expect(kiosk.agent!.journal.strayCredits().totalMinor).toBe(0);
  });

  it('reports up to the device buffer and flags the rest as lost events', async () => {
    const { kiosk, clock } = await openKiosk();
    await openDeposit(kiosk, clock);
    for (let coin = 0; coin < 7; coin += 1) kiosk.coin.insert(10);
    await kiosk.crash();
    await kiosk.restart();
    expect(kiosk.coin.totals.valueMinor).toBe(70);
    expect(committed(kiosk)).toEqual([{ totalMinor: 50, recovered: true, lostEvents: true }]);
  });

  it('does not report a coin twice across two restarts', async () => {
    const { kiosk, clock } = await openKiosk();
    await openDeposit(kiosk, clock);
    kiosk.coin.insert(5);
    await kiosk.crash();
    await kiosk.restart();
    await kiosk.crash();
    await kiosk.restart();
    await advance(clock, 1_000);
    expect(committed(kiosk)).toEqual([{ totalMinor: 5, recovered: true, lostEvents: false }]);
    expect(kiosk.agent!.journal.strayCredits().totalMinor).toBe(0);
  });

  it('does not take a replaced device buffer for money: a baseline from another serial is not used', async () => {
    const { kiosk, clock } = await openKiosk();
    await openDeposit(kiosk, clock);
    kiosk.coin.insert(25);
    await until(clock, () => kiosk.agent!.runner.current().totalMinor === 25);
    // The journal's counter claims to come from another acceptor, as after a swap while the kiosk was off.
    const journal = kiosk.agent!.journal;
    const known = journal.eventCounters().get('coin')!;
    journal.resetEventCounter('coin', known.counter - 1, 'ANOTHER-SERIAL', clock.nowMs());
    await kiosk.crash();
    await kiosk.restart();
    // Without the serial check the already journaled coin would be reported again from the old counter.
    expect(committed(kiosk)).toEqual([{ totalMinor: 25, recovered: true, lostEvents: false }]);
    expect(kiosk.agent!.journal.eventCounters().get('coin')?.serial).not.toBe('ANOTHER-SERIAL');
  });
});
