import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeClock, defaultLimits, formatCode, parseCode, seededRandom } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ChaosKiosk, settle } from '../chaos/chaos-rig.js';
import { serverBackend } from '../chaos/server-backend.js';

// The whole agent (real drivers on the simulated bill validator and ESC/POS printer, journal, runner) on a
// fake clock: a voucher's claim code, the only key to its money, reaches paper even when the power goes
// mid-deposit or the printer has no paper when it is owed.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openKiosk(): Promise<{ kiosk: ChaosKiosk; clock: FakeClock }> {
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 12));
  const server = await serverBackend(clock);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'receipts-owed-'));
  const kiosk = await ChaosKiosk.create({ clock, random: seededRandom(1), backend: server, dataDir });
  cleanups.push(async () => {
    await kiosk.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await until(clock, () => kiosk.agent!.runner.current().screen === 'attract');
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

/** The digits of a text: a receipt wraps a long claim code over two lines. */
function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** A voucher shopper feeds a $20 bill; the power goes before they press Finish. */
async function voucherThenPowerCut(kiosk: ChaosKiosk, clock: FakeClock): Promise<void> {
  const runner = kiosk.agent!.runner;
  runner.intent({ type: 'start' });
  runner.intent({ type: 'noAccount' });
  runner.intent({ type: 'confirm' });
  await until(clock, () => runner.current().screen === 'insertMoney');
  await advance(clock, 400); // the acceptors open over the next exchanges
  expect(kiosk.bill.insert(2_000)).toBe('escrowed');
  await until(clock, () => runner.current().totalMinor === 2_000);
  await kiosk.crash();
}

function claimCodeText(kiosk: ChaosKiosk): string {
  const [recovered] = kiosk.agent!.journal.committedAfter(0, 10);
  expect(recovered).toMatchObject({ totalMinor: 2_000, flags: { recovered: true } });
  const parsed = parseCode(recovered!.claimCode ?? '', ['claim']);
  if (!parsed.ok) throw new Error('a recovered voucher carries its claim code');
  return formatCode(parsed.code);
}

describe('receipts owed after a power cut', { timeout: 60_000 }, () => {
  it('prints a recovered voucher with its claim code when the agent starts again', async () => {
    const { kiosk, clock } = await openKiosk();
    await voucherThenPowerCut(kiosk, clock);
    await kiosk.restart();
    await until(clock, () => kiosk.printer.receipts.length === 1);
    const printed = kiosk.printer.text(kiosk.printer.receipts[0]!);
    expect(digitsOf(printed)).toContain(digitsOf(claimCodeText(kiosk)));
    expect(printed).toContain('Completed after a power loss.');
    await until(clock, () => kiosk.agent!.journal.unprintedReceipts(10).length === 0);
  });

  it('shows it on screen while the printer has no paper, and prints it once paper is in', async () => {
    const { kiosk, clock } = await openKiosk();
    await voucherThenPowerCut(kiosk, clock);
    kiosk.printer.paperOut = true;
    await kiosk.restart();
    const claimCode = claimCodeText(kiosk);
    await until(clock, () => kiosk.agent!.runner.current().receipt?.status === 'failed');
    expect(kiosk.agent!.runner.current()).toMatchObject({ screen: 'done', receipt: { claimCode } });
    expect(kiosk.printer.receipts).toEqual([]);
    kiosk.printer.paperOut = false;
    await until(clock, () => kiosk.printer.receipts.length === 1, 30_000);
    expect(digitsOf(kiosk.printer.text(kiosk.printer.receipts[0]!))).toContain(digitsOf(claimCode));
    expect(kiosk.agent!.journal.unprintedReceipts(10)).toEqual([]);
  });

  it('keeps a voucher for a tech once its shopper has long gone, rather than print it for a stranger', async () => {
    const { kiosk, clock } = await openKiosk();
    await voucherThenPowerCut(kiosk, clock);
    // The power stays off past the time its shopper could still be waiting.
    await clock.advanceAsync(defaultLimits.system.depositReceiptOwedMs + 60_000);
    await kiosk.restart();
    const claimCode = claimCodeText(kiosk);
    await advance(clock, 5_000);
    const runner = kiosk.agent!.runner;
    expect(runner.current().screen).toBe('attract');
    expect(kiosk.printer.receipts).toEqual([]);
    const [owed] = kiosk.agent!.journal.unprintedReceipts(10);
    expect(owed).toBeDefined();
    // Paper changed, printer back: still nothing comes out on its own.
    kiosk.printer.paperOut = true;
    await advance(clock, 2_000);
    kiosk.printer.paperOut = false;
    await advance(clock, 5_000);
    expect(kiosk.printer.receipts).toEqual([]);
    // The tech reprints it from maintenance, for the shopper who came back with proof.
    expect(await runner.reprint(owed!.deposit.depositId)).toMatchObject({ ok: true });
    await until(clock, () => kiosk.printer.receipts.length === 1);
    expect(digitsOf(kiosk.printer.text(kiosk.printer.receipts[0]!))).toContain(digitsOf(claimCode));
  });
});
