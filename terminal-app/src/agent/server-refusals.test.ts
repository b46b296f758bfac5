import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KioskSnapshot } from '@cashin/shared';
import { FakeClock, defaultLimits, seededRandom } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ChaosKiosk, settle } from '../chaos/chaos-rig.js';
import type { ServerChaosBackend } from '../chaos/server-backend.js';
import { serverBackend } from '../chaos/server-backend.js';

// The whole agent (real drivers on the simulated coin acceptor, bill validator and printer, journal, runner,
// heartbeat and sync) against the real server in process, on one fake clock. What the server says about
// the terminal itself (ops disabled it) must stop the kiosk taking cash it could never sync or redeem.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const heartbeatIntervalMs = defaultLimits.system.heartbeatIntervalMs;
const stepMs = 25;

async function openKiosk(): Promise<{ kiosk: ChaosKiosk; clock: FakeClock; server: ServerChaosBackend }> {
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 12));
  const server = await serverBackend(clock);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'server-refusals-'));
  const kiosk = await ChaosKiosk.create({ clock, random: seededRandom(1), backend: server, dataDir });
  cleanups.push(async () => {
    await kiosk.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await until(clock, () => screen(kiosk) === 'attract');
  return { kiosk, clock, server };
}

function snapshot(kiosk: ChaosKiosk): KioskSnapshot {
  return kiosk.agent!.runner.current();
}

function screen(kiosk: ChaosKiosk): KioskSnapshot['screen'] {
  return snapshot(kiosk).screen;
}

async function until(clock: FakeClock, done: () => boolean, budgetMs = 5_000): Promise<void> {
  for (let passedMs = 0; !done(); passedMs += stepMs) {
    if (passedMs > budgetMs) throw new Error('the kiosk did not get there');
    await clock.advanceAsync(stepMs);
    await settle();
  }
}

async function advance(clock: FakeClock, ms: number): Promise<void> {
  for (let passedMs = 0; passedMs < ms; passedMs += stepMs) {
    await clock.advanceAsync(stepMs);
    await settle();
  }
}

/** A shopper with no account asks for a voucher and gets as far as "insert money", the acceptors open. */
async function openVoucher(kiosk: ChaosKiosk, clock: FakeClock): Promise<void> {
  const runner = kiosk.agent!.runner;
  runner.intent({ type: 'start' });
  await until(clock, () => screen(kiosk) === 'identify');
  runner.intent({ type: 'noAccount' });
  await until(clock, () => screen(kiosk) === 'confirm');
  runner.intent({ type: 'confirm' });
  await until(clock, () => screen(kiosk) === 'insertMoney');
  await advance(clock, 400); // the acceptors open over the next exchanges
}

/** A bill fed and stacked into the open deposit. */
async function feedBill(kiosk: ChaosKiosk, clock: FakeClock, valueMinor: number): Promise<void> {
  const before = snapshot(kiosk).totalMinor;
  expect(kiosk.bill.insert(valueMinor)).toBe('escrowed');
  await until(clock, () => snapshot(kiosk).totalMinor === before + valueMinor);
}

const disabledScreen = { device: null, fault: null, errorCode: 'TERMINAL_DISABLED' };

describe('a kiosk the server refuses', { timeout: 60_000 }, () => {
  it('takes no cash once a heartbeat says ops disabled it, vouchers included, and serves again once enabled', async () => {
    const { kiosk, clock, server } = await openKiosk();
    const terminalId = kiosk.agent!.identity.terminalId;
    await server.setTerminalEnabled(terminalId, false);
    await until(clock, () => screen(kiosk) === 'outOfService', heartbeatIntervalMs + 1_000);
    expect(snapshot(kiosk).outOfService).toEqual(disabledScreen);

    // The voucher path needs no server: it is refused all the same, and the validator takes no bill.
    kiosk.agent!.runner.intent({ type: 'start' });
    kiosk.agent!.runner.intent({ type: 'noAccount' });
    kiosk.agent!.runner.intent({ type: 'confirm' });
    await advance(clock, 400);
    expect(screen(kiosk)).toBe('outOfService');
    expect(kiosk.bill.insert(2_000)).toBe('inhibited');
    expect(kiosk.agent!.journal.committedAfter(0, 10)).toEqual([]);
    expect(kiosk.agent!.journal.openDepositIds()).toEqual([]);

    await server.setTerminalEnabled(terminalId, true);
    await until(clock, () => screen(kiosk) === 'attract', heartbeatIntervalMs + 1_000);
    await openVoucher(kiosk, clock);
    await feedBill(kiosk, clock, 2_000);
  });

  it('finishes and commits a deposit open when ops disable it, then is out of service', async () => {
    const { kiosk, clock, server } = await openKiosk();
    await openVoucher(kiosk, clock);
    await feedBill(kiosk, clock, 2_000);
    await server.setTerminalEnabled(kiosk.agent!.identity.terminalId, false);
    // The next heartbeat ends the deposit (well before the shopper's idle time-out would).
    await until(clock, () => screen(kiosk) === 'done', heartbeatIntervalMs + 1_000);
    expect(snapshot(kiosk).receipt).toMatchObject({ totalMinor: 2_000 });
    expect(snapshot(kiosk).lastError).toBe('TERMINAL_DISABLED');
    expect(kiosk.bill.insert(500)).toBe('inhibited');
    const [committed] = kiosk.agent!.journal.committedAfter(0, 10);
    expect(committed).toMatchObject({ totalMinor: 2_000, flags: { recovered: false } });
    kiosk.agent!.runner.intent({ type: 'dismiss' });
    await until(clock, () => screen(kiosk) === 'outOfService');
    expect(snapshot(kiosk).outOfService).toEqual(disabledScreen);
  });

  it('goes out of service when a sync is refused because ops disabled it', async () => {
    const { kiosk, clock, server } = await openKiosk();
    // A voucher committed while the link is down waits in the outbox.
    kiosk.link.faults.down = true;
    await openVoucher(kiosk, clock);
    await feedBill(kiosk, clock, 500);
    kiosk.agent!.runner.intent({ type: 'finish' });
    await until(clock, () => screen(kiosk) === 'done');
    kiosk.agent!.runner.intent({ type: 'dismiss' });
    await until(clock, () => screen(kiosk) === 'attract');
    expect(kiosk.agent!.journal.outbox.status().depth).toBe(1);
    // Ops disable the terminal; the link comes back and the sync, before any heartbeat, is refused.
    await server.setTerminalEnabled(kiosk.agent!.identity.terminalId, false);
    kiosk.link.faults.down = false;
    expect(await kiosk.agent!.sync.syncNow()).toMatchObject({ failed: true });
    await settle();
    expect(screen(kiosk)).toBe('outOfService');
    expect(snapshot(kiosk).outOfService).toEqual(disabledScreen);
  });

  it('stays out of service across a restart with the server out of reach, until a heartbeat enables it', async () => {
    const { kiosk, clock, server } = await openKiosk();
    const terminalId = kiosk.agent!.identity.terminalId;
    await server.setTerminalEnabled(terminalId, false);
    await until(clock, () => screen(kiosk) === 'outOfService', heartbeatIntervalMs + 1_000);
    // The power goes, and the kiosk comes back where the server cannot be reached.
    kiosk.link.faults.down = true;
    await kiosk.crash();
    await kiosk.restart();
    await advance(clock, 1_000);
    expect(snapshot(kiosk).outOfService).toEqual(disabledScreen);
    kiosk.agent!.runner.intent({ type: 'start' });
    kiosk.agent!.runner.intent({ type: 'noAccount' });
    kiosk.agent!.runner.intent({ type: 'confirm' });
    await advance(clock, 400);
    expect(kiosk.bill.insert(2_000)).toBe('inhibited');
    expect(kiosk.agent!.journal.openDepositIds()).toEqual([]);
    // Ops enable it and the link is back: the next heartbeat puts it in service, and a restart keeps it so.
    await server.setTerminalEnabled(terminalId, true);
    kiosk.link.faults.down = false;
    await until(clock, () => screen(kiosk) === 'attract', heartbeatIntervalMs + 1_000);
    kiosk.link.faults.down = true;
    await kiosk.crash();
    await kiosk.restart();
    await advance(clock, 1_000);
    expect(screen(kiosk)).toBe('attract');
    await openVoucher(kiosk, clock);
    await feedBill(kiosk, clock, 2_000);
  });
});
